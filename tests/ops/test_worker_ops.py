"""The operations endpoints against a real Celery worker process on Redis (PostgreSQL), as ``.ci/run`` stage 4
runs them (``-m worker``): ``/readyz`` sees the worker answer its ping; the worker's task and operation counters
reach ``/metrics`` through the shared ``PROMETHEUS_MULTIPROC_DIR``; the worker's JSON log lines carry the
correlation id of the request that enqueued the task (the ``ms_correlation_id`` message header)."""

import json
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from prometheus_client.parser import text_string_to_metric_families

from tests.builders import api_for, make_upgradable, sub_url
from tests.factories import PartnerFactory, PartnerUserFactory
from tests.worker.processes import ROOT, database_url, worker_queues
from upgrades.models import UpgradeOperation

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
TASK = "upgrades.run_upgrade_operation"


@pytest.fixture
def multiproc_dir(tmp_path, monkeypatch):
    directory = tmp_path / "prometheus"
    directory.mkdir()
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))  # /metrics of this process reads it
    return directory


@pytest.fixture
def worker(multiproc_dir, tmp_path):
    assert not settings.CELERY_TASK_ALWAYS_EAGER, "set CELERY_BROKER_URL so tasks go to the real worker"
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "LOG_FORMAT": "json",
        "PROMETHEUS_MULTIPROC_DIR": str(multiproc_dir),
    }
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "partnercenter", "worker", "--pool=solo", "--loglevel=INFO"]
            + ["--without-gossip", "--without-mingle", "-Q", worker_queues()]
            + ["-n", f"ops-{os.getpid()}@%h"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    yield log
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def wait_ready(client, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = client.get("/readyz")
        if response.status_code == 200:
            return response.json()
        time.sleep(0.5)
    raise AssertionError(f"/readyz still {response.status_code}: {response.json()}")


def test_readyz_metrics_and_logs_with_a_real_worker(client, worker):
    ready = wait_ready(client)
    assert ready["checks"]["broker"] == {"status": "ok"}
    assert ready["checks"]["workers"] == {"status": "ok", "answering": 1}

    partner = PartnerFactory(code="contoso-csp")
    agent = PartnerUserFactory(partner=partner, username="ana", roles=["sales_agent"])
    upgradable = make_upgradable(partner=partner, agent=agent)
    response = api_for(user=agent).post(
        sub_url(upgradable.subscription, "/upgrades"),
        {"targetOffer": {"id": "o365-e3"}, "upgradeType": "upgrade_with_license_transfer"},
        headers={"Prefer": "respond-async", "MS-CorrelationId": "ops15-e2e"},
    )
    assert response.status_code == 202, response.json()
    deadline = time.monotonic() + 60
    while UpgradeOperation.objects.get().status != "succeeded":
        assert time.monotonic() < deadline, "the worker did not run the upgrade"
        time.sleep(0.25)

    text = ""
    for _ in range(40):  # the worker's post-run counters land just after the operation row
        text = client.get("/metrics").content.decode()
        if f'portal_celery_tasks_total{{state="SUCCESS",task="{TASK}"}}' in text:
            break
        time.sleep(0.25)
    found = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert found[("portal_celery_tasks_total", (("state", "SUCCESS"), ("task", TASK)))] == 1.0
    assert found[("portal_operations_total", (("kind", "upgrade"), ("outcome", "succeeded")))] == 1.0
    assert found[("portal_licenses_moved_total", (("kind", "upgrade"),))] == 3.0
    assert found[("portal_upgrade_operations", (("status", "succeeded"),))] == 1.0
    assert found[("portal_celery_queue_length", (("queue", settings.CELERY_TASK_DEFAULT_QUEUE),))] == 0.0

    lines = []
    for raw in worker.read_text().splitlines():
        try:
            lines.append(json.loads(raw))
        except ValueError:
            continue  # Celery's banner
    task_lines = [line for line in lines if line.get("name") == "ops.tasks"]
    assert [line["message"].split(" in ")[0] for line in task_lines] == [f"task {TASK} started", f"task {TASK} SUCCESS"]
    assert {line["correlation_id"] for line in task_lines} == {"ops15-e2e"}
