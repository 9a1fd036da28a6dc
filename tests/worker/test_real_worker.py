"""End-to-end with a REAL Celery worker process on a real broker (Redis in CI).

Deselected from the default run (``-m "not worker"`` in pyproject) because it needs a broker and a database
that a second process can reach; ``.ci/run`` runs it with ``-m worker`` against PostgreSQL and Redis:

    CELERY_BROKER_URL=redis://127.0.0.1:6379/15 CELERY_RESULT_BACKEND=redis://127.0.0.1:6379/15 \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_ci .venv/bin/python -m pytest -m worker
"""

import os
import subprocess
import sys
import time

import pytest
from django.conf import settings

from partners.models import SecurityGroup
from subscriptions.models import LicenseAssignment, Subscription
from tests import factories
from upgrades.models import UpgradeOperation
from upgrades.services import subscription_upgrade_async
from upgrades.tasks import run_upgrade_operation

from .processes import ROOT, database_url, worker_queues

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
USERS = 200


@pytest.fixture
def worker():
    assert not settings.CELERY_TASK_ALWAYS_EAGER, "set CELERY_BROKER_URL so tasks go to the real worker"
    env = {**os.environ, "DATABASE_URL": database_url()}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "partnercenter",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-Q",
            worker_queues(),
            "-n",
            f"e2e-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.terminate()
    try:
        output, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    print(output)


def _wait_for(operation_id, statuses, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        operation = UpgradeOperation.objects.get(pk=operation_id)
        if operation.status in statuses:
            return operation
        time.sleep(0.25)
    raise AssertionError(f"operation still {operation.status} after {timeout}s")


def test_upgrade_with_license_transfer_runs_on_the_worker_once(worker):
    partner = factories.PartnerFactory(code="contoso-csp")
    agent = factories.PartnerUserFactory(partner=partner, roles=["admin_agent"])
    factories.SecurityGroupFactory(partner=partner, name=SecurityGroup.ADMIN_AGENTS).members.add(agent)
    customer = factories.CustomerFactory(country="US")
    factories.RelationshipFactory(partner=partner, customer=customer)
    factories.DapGrantFactory(partner=partner, customer=customer)
    source = factories.SubscriptionFactory(
        customer=customer, partner=partner, offer_id="m365-business-basic", quantity=USERS
    )
    users = factories.TenantUserFactory.create_batch(USERS, customer=customer)
    LicenseAssignment.objects.bulk_create(LicenseAssignment(user=u, subscription=source) for u in users)

    operation = subscription_upgrade_async(
        actor=agent, subscription_id=source.pk, target_offer_id="o365-e3", upgrade_type="upgrade_with_license_transfer"
    )
    done = _wait_for(operation.pk, {"succeeded", "failed"})
    assert done.status == "succeeded", done.status

    target = Subscription.objects.get(customer=customer, offer_id="o365-e3")
    assert Subscription.objects.get(pk=source.pk).status == "deleted"
    assert LicenseAssignment.objects.filter(subscription=target).count() == USERS
    assert not LicenseAssignment.objects.filter(subscription=source).exists()
    history = done.history.count()

    # A redelivered task (e.g. after a worker crash before the ack) must not upgrade twice.
    run_upgrade_operation.delay(str(operation.pk)).get(timeout=60)
    assert Subscription.objects.filter(customer=customer, offer_id="o365-e3").count() == 1
    assert LicenseAssignment.objects.filter(user__customer=customer).count() == USERS
    assert UpgradeOperation.objects.get(pk=operation.pk).history.count() == history
