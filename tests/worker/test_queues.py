"""Issue 15: a large batch keeps the bulk worker busy, yet an upgrade submitted through the API starts on the
interactive worker within seconds (two workers as in the Procfile, each on its own queue, prefork pools)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from bulk.models import UpgradeBatch, UpgradeBatchItem
from bulk.services import upgrade_batch_cancel
from partners.models import SecurityGroup
from tests import factories
from tests.builders import api_for, make_upgradable, sub_url
from upgrades.models import UpgradeOperation

from .processes import ROOT, bench_batch, database_url

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
ITEMS = 2000
START_LIMIT = 5.0  # seconds from the API call to the upgrade running, with the bulk worker busy


def _worker(kind: str, queues: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "partnercenter", "worker", "--pool=prefork", "--concurrency=1"]
        + [
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "-Q",
            queues,
            "-n",
            f"{kind}-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url(), "DJANGO_DEBUG": "0"},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)  # warm shutdown: the running chunk finishes
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_an_interactive_upgrade_starts_within_seconds_while_a_large_batch_runs(tmp_path, capsys):
    assert not settings.CELERY_TASK_ALWAYS_EAGER, "set CELERY_BROKER_URL so tasks go to the real worker"
    partner = factories.PartnerFactory(code="contoso-csp")
    agent = factories.PartnerUserFactory(partner=partner, roles=["admin_agent"])
    factories.SecurityGroupFactory(partner=partner, name=SecurityGroup.ADMIN_AGENTS).members.add(agent)
    bench = bench_batch()
    sources = bench.build(partner, ITEMS, 2, "busy")
    upgradable = make_upgradable(partner=partner, agent=agent, seats=20, licensed=5)
    api = api_for(user=agent)

    bulk = _worker("bulk", settings.TASK_QUEUE_BULK, tmp_path / "bulk.log")
    interactive = _worker(
        "interactive", f"{settings.TASK_QUEUE_INTERACTIVE},{settings.CELERY_TASK_DEFAULT_QUEUE}", tmp_path / "i.log"
    )
    batch = None
    try:
        batch = bench.e3_batch_create(agent, sources)
        items = UpgradeBatchItem.objects.filter(batch=batch)
        deadline = time.monotonic() + 90
        while items.filter(status="succeeded").count() < 100:  # the bulk worker is on its way through the batch
            assert time.monotonic() < deadline, (tmp_path / "bulk.log").read_text()
            time.sleep(0.1)
        assert interactive.poll() is None, (tmp_path / "i.log").read_text()

        submitted = time.monotonic()
        response = api.post(
            sub_url(upgradable.subscription, "/upgrades"),
            {"targetOffer": {"id": "o365-e3"}, "upgradeType": "upgrade_with_license_transfer"},
            headers={"Prefer": "respond-async"},
        )
        assert response.status_code == 202, response.json()
        operation = UpgradeOperation.objects.get(pk=response.json()["id"])
        while UpgradeOperation.objects.get(pk=operation.pk).status == "pending":
            assert time.monotonic() - submitted < 30, (tmp_path / "i.log").read_text()
            time.sleep(0.02)
        started = time.monotonic() - submitted
        while UpgradeOperation.objects.get(pk=operation.pk).status not in ("succeeded", "failed"):
            assert time.monotonic() - submitted < 60, (tmp_path / "i.log").read_text()
            time.sleep(0.05)
        finished = time.monotonic() - submitted
        done_then = items.filter(status="succeeded").count()
        still_running = UpgradeBatch.objects.get(pk=batch.pk).status == "running"
        with capsys.disabled():
            print(
                f"\nqueues: upgrade through the API started {started:.2f} s after the call (ended after "
                f"{finished:.2f} s) while the bulk worker ran a {ITEMS:,}-item batch ({done_then:,} done then)"
            )
        assert UpgradeOperation.objects.get(pk=operation.pk).status == "succeeded"
        assert still_running, "the batch ended before the upgrade: make it larger"
        assert started < START_LIMIT, started
    finally:
        if batch is not None and UpgradeBatch.objects.get(pk=batch.pk).is_open:
            upgrade_batch_cancel(actor=agent, batch=batch)
        for process in (bulk, interactive):
            _stop(process)
