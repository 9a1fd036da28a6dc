"""Issue 15: which queue each task goes to, its time limits and its retries on transient database errors."""

import os
import subprocess
import sys
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.conf import settings
from django.db import InterfaceError, OperationalError

from partnercenter.celery import app
from tests.worker.processes import ROOT

# Hand-written: what a user waits for goes to "interactive", batches and periodic sweeps to "bulk".
KIND = {
    "upgrades.run_upgrade_operation": "interactive",
    "direct.execute_order": "interactive",
    "delegation.tasks.relationship_terminate": "interactive",
    "delegation.tasks.grants_resync": "interactive",
    "bulk.process_upgrade_batch_chunk": "bulk",
    "bulk.sweep_stale_chunks": "bulk",
    "delegation.tasks.delegation_sweep": "bulk",
    "direct.process_credit_check_deadlines": "bulk",
    "direct.deprovision_suspended_csp_e4": "bulk",
    "subscriptions.renew_due": "bulk",
    "audit.retention_sweep": "bulk",
    "webhooks.deliver": "bulk",
    "webhooks.sweep": "bulk",
}
# Tasks that may run twice (their services lock and check state): they retry a transient database error.
RETRIED = {
    "upgrades.run_upgrade_operation",
    "direct.execute_order",
    "delegation.tasks.relationship_terminate",
    "delegation.tasks.grants_resync",
    "bulk.process_upgrade_batch_chunk",
}


def project_tasks() -> set[str]:
    app.loader.import_default_modules()
    return {name for name in app.tasks if not name.startswith(("celery.", "tests."))}  # tests may register their own


def routed_queue(name: str) -> str:
    return app.amqp.router.route({}, name, (), {})["queue"].name


def test_every_task_of_the_project_has_a_kind():
    assert project_tasks() == set(KIND)


@pytest.mark.parametrize("name", sorted(KIND))
def test_the_router_sends_each_task_to_its_queue(name):
    expected = {"interactive": settings.TASK_QUEUE_INTERACTIVE, "bulk": settings.TASK_QUEUE_BULK}[KIND[name]]
    assert routed_queue(name) == expected


def test_an_unrouted_task_goes_to_the_default_queue_which_the_interactive_worker_consumes():
    assert routed_queue("portal.a_task_without_a_route") == settings.CELERY_TASK_DEFAULT_QUEUE


@pytest.mark.parametrize("name", sorted(KIND))
def test_each_task_has_a_soft_and_a_hard_time_limit_below_the_visibility_timeout(name):
    task = app.tasks[name]
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert 0 < task.soft_time_limit < task.time_limit < visibility, (task.soft_time_limit, task.time_limit)


def test_time_limits_per_kind():
    limits = {name: (app.tasks[name].soft_time_limit, app.tasks[name].time_limit) for name in KIND}
    assert limits["bulk.process_upgrade_batch_chunk"] == (180, 240)
    assert limits["upgrades.run_upgrade_operation"] == (180, 240)
    assert limits["direct.execute_order"] == (60, 90)
    assert limits["bulk.sweep_stale_chunks"] == (60, 90)


@pytest.mark.parametrize("name", sorted(KIND))
def test_only_idempotent_tasks_retry_transient_database_errors(name):
    task = app.tasks[name]
    if name in RETRIED:
        assert tuple(task.autoretry_for) == (OperationalError, InterfaceError)
        assert (task.max_retries, task.retry_backoff, task.retry_backoff_max, task.retry_jitter) == (5, 1, 60, True)
    else:
        assert not getattr(task, "autoretry_for", ())


def test_acks_late_everywhere():
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert all(app.tasks[name].acks_late for name in KIND)


def test_a_transient_database_error_is_retried_with_backoff():
    task = app.tasks["upgrades.run_upgrade_operation"]
    with (
        mock.patch("upgrades.tasks.upgrade_operation_execute", side_effect=OperationalError("server closed")),
        mock.patch.object(task, "retry", side_effect=Retry("again")) as retry,
        pytest.raises(Retry),
    ):
        task.run("00000000-0000-0000-0000-000000000000")
    (call,) = retry.call_args_list
    assert isinstance(call.kwargs["exc"], OperationalError)
    assert 0 <= call.kwargs["countdown"] <= 1  # first retry: within 1 s (jitter draws below the backoff)


def test_a_task_that_is_not_idempotent_safe_does_not_retry():
    task = app.tasks["subscriptions.renew_due"]
    with (
        mock.patch("subscriptions.tasks.subscriptions_renew_due", side_effect=OperationalError("server closed")),
        mock.patch.object(task, "retry") as retry,
        pytest.raises(OperationalError),
    ):
        task.run()
    assert not retry.called


def queue_names(**env: str) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("CELERY_TASK_DEFAULT_QUEUE", "CELERY_QUEUE_PREFIX")}
    code = "from django.conf import settings as s; print(s.CELERY_TASK_DEFAULT_QUEUE, s.TASK_QUEUE_INTERACTIVE, s.TASK_QUEUE_BULK)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "partnercenter.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.split()


def test_queue_names_follow_the_default_queue_or_the_prefix():
    assert queue_names() == ["celery", "interactive", "bulk"]
    # CI: a queue of its own per run isolates the routed queues of the run too.
    assert queue_names(CELERY_TASK_DEFAULT_QUEUE="portal-ci-42") == [
        "portal-ci-42",
        "portal-ci-42-interactive",
        "portal-ci-42-bulk",
    ]
    assert queue_names(CELERY_QUEUE_PREFIX="acme.", CELERY_TASK_DEFAULT_QUEUE="acme") == [
        "acme",
        "acme.interactive",
        "acme.bulk",
    ]
