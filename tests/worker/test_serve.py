"""Issue 15: ``scripts/serve.sh`` (its real code path, setup.sh skipped: ``SERVE_SKIP_SETUP=1``) serves the portal
with the production settings on a free port against PostgreSQL and Redis. The test waits for ``/readyz`` (database,
migrations, broker, workers), registers a webhook through ``/v1/webhooks/registration`` at a receiver it runs, makes
an upgrade through the ``/v1/`` API (run by the stack's interactive worker), sees it in ``/metrics`` (counted in the
worker, read from the web process: prometheus_client's multiprocess directory) and its signed webhook delivery at the
receiver (sent by the bulk worker); then SIGINT (Ctrl-C) or SIGTERM stops every process of the stack.

The stack serves the suite's test database (already migrated: serve.sh's migrate is a no-op) and this run's queues.
"""

import hashlib
import hmac
import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest
from django.conf import settings

from partners.models import SecurityGroup
from tests import factories
from tests.builders import api_for, make_upgradable, sub_url
from tests.webhook_receiver import receiving

from .processes import ROOT, database_url

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
START_LIMIT = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The test stands where the TLS-terminating proxy would: it says https (SECURE_PROXY_SSL_HEADER), else the portal
# redirects every request to https.
PROXY = {"X-Forwarded-Proto": "https"}


def call(base: str, path: str, *, token: str = "", body: dict | None = None, headers: dict | None = None):
    """(status, headers, JSON or text) of one request to the stack, through the "proxy" (``PROXY``)."""
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode() if body is not None else None,
        method="POST" if body is not None else "GET",
        headers={
            **PROXY,
            **({"Authorization": f"Bearer {token}"} if token else {}),
            **({"Content-Type": "application/json"} if body is not None else {}),
            **(headers or {}),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, head, raw = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, head, raw = error.code, error.headers, error.read()
    text = raw.decode()
    return status, head, json.loads(text) if head.get("Content-Type", "").startswith("application/json") else text


def wait_until_ready(base: str, stack: subprocess.Popen, log: Path) -> dict:
    """``/readyz``'s answer once it says ready (every check ok: the workers answer a ping)."""
    deadline = time.monotonic() + START_LIMIT
    answer: object = None
    while time.monotonic() < deadline:
        assert stack.poll() is None, log.read_text()
        try:
            status, _head, answer = call(base, "/readyz")
        except OSError:
            status = 0  # not listening yet
        if status == 200:
            assert isinstance(answer, dict)
            return answer
        time.sleep(0.3)
    raise AssertionError(f"/readyz did not say ready within {START_LIMIT}s (last: {answer}):\n{log.read_text()}")


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample of a Prometheus text page (0 when absent)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        head, _, value = line.rpartition(" ")
        if head.startswith(name + "{") and ",".join(sorted(head[len(name) + 1 : -1].split(","))) == wanted:
            return float(value)
    return 0.0


def wait_for(predicate, *, limit: float, what: str, log: Path):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {limit}s:\n{log.read_text()[-4000:]}")


def stack_processes(stack: subprocess.Popen) -> list[psutil.Process]:
    """serve.sh (exec'd into honcho) and every process under it: gunicorn and its workers, the Celery workers and
    their pools, beat."""
    root = psutil.Process(stack.pid)
    return [root, *root.children(recursive=True)]


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_serve_sh_runs_an_upgrade_and_stops_with_no_process_left(stop_signal, tmp_path):
    assert not settings.CELERY_TASK_ALWAYS_EAGER, "set CELERY_BROKER_URL so tasks go to the real worker"
    partner = factories.PartnerFactory(code="contoso-csp")
    agent = factories.PartnerUserFactory(partner=partner, roles=["admin_agent"])
    factories.SecurityGroupFactory(partner=partner, name=SecurityGroup.ADMIN_AGENTS).members.add(agent)
    admin = factories.PartnerUserFactory(partner=partner, username="gina", roles=["global_admin"])
    upgradable = make_upgradable(partner=partner, agent=agent, seats=10, licensed=4)
    token = api_for(user=agent).raw_token
    admin_token = api_for(user=admin).raw_token

    port = free_port()
    log = tmp_path / "serve.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "SERVE_SKIP_SETUP": "1",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "PORT_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "INTERACTIVE_CONCURRENCY": "1",
        "BULK_CONCURRENCY": "1",
        "CELERY_LOG_LEVEL": "WARNING",
        "CELERY_BEAT_SCHEDULE_FILE": str(tmp_path / "celerybeat-schedule"),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "WEBHOOKS_ALLOW_HTTP": "1",  # the receiver is this test, on loopback
        "WEBHOOKS_ALLOW_PRIVATE": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)  # serve.sh sets the production settings
    receiver_context = receiving()
    receiver = receiver_context.__enter__()
    stack = subprocess.Popen(
        ["bash", str(ROOT / "scripts" / "serve.sh")],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # a terminal's foreground group: Ctrl-C reaches honcho only
    )
    processes: list[psutil.Process] = []
    try:
        base = f"http://127.0.0.1:{port}"
        ready = wait_until_ready(base, stack, log)
        assert {name: check["status"] for name, check in ready["checks"].items()} == {
            "database": "ok",
            "migrations": "ok",
            "broker": "ok",
            "workers": "ok",
        }, ready
        processes = stack_processes(stack)
        names = " ".join(" ".join(p.cmdline()) for p in processes)
        assert "honcho" in names and "gunicorn" in names and " beat " in names, names
        assert names.count("celery -A partnercenter worker") >= 2, names

        status, _head, registration = call(
            base,
            "/v1/webhooks/registration",
            token=admin_token,
            body={"WebhookUrl": receiver.url, "WebhookEvents": ["subscription-upgraded"]},
        )
        assert status == 201, (status, registration)
        secret = registration["WebhookSecret"]

        status, head, body = call(
            base,
            sub_url(upgradable.subscription, "/upgrades"),
            token=token,
            body={"targetOffer": {"id": "o365-e3"}, "upgradeType": "upgrade_with_license_transfer"},
            headers={"Prefer": "respond-async"},
        )
        assert status == 202, (status, body)
        location = head["Location"]
        deadline = time.monotonic() + 60
        while body["status"] not in ("succeeded", "failed"):
            assert time.monotonic() < deadline, (body, log.read_text())
            time.sleep(0.2)
            status, _head, body = call(base, location, token=token)
            assert status == 200, (status, body)
        assert body["status"] == "succeeded", body
        assert body["targetSubscriptionId"]

        # /metrics (loopback is an allowed network): the upgrade the worker ran, the request the web process served.
        def upgrade_counted():
            page = call(base, "/metrics")[2]
            return page if metric(page, "portal_operations_total", kind="upgrade", outcome="succeeded") == 1 else ""

        page = wait_for(upgrade_counted, limit=15, what="the upgrade's metric", log=log)
        assert metric(page, "portal_licenses_moved_total", kind="upgrade") == 4
        assert metric(page, "portal_upgrade_operations", status="succeeded") == 1

        # The webhook: one signed delivery of the upgrade at the receiver.
        def delivered():
            return [r for r in receiver.requests if r.json().get("EventName") == "subscription-upgraded"]

        (delivery,) = wait_for(delivered, limit=45, what="the webhook delivery", log=log)
        stamp, _, mac = delivery.headers["X-Portal-Signature"].partition(",v1=")
        timestamp = stamp.removeprefix("t=")
        expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + delivery.body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(mac, expected)
        assert abs(time.time() - int(timestamp)) < 120
        assert delivery.json()["ResourceUri"] == location.split("?")[0], (delivery.json(), location)
        print(
            f"\nserve.sh: ready ({', '.join(ready['checks'])}), upgrade {body['status']}, metric seen, "
            f"webhook delivered and verified, {len(processes)} processes"
        )
    finally:
        receiver_context.__exit__(None, None, None)
        if not processes and stack.poll() is None:
            processes = stack_processes(stack)
        stack.send_signal(stop_signal)  # honcho (serve.sh execs it) terminates each process's group
        try:
            stack.wait(timeout=45)
        except subprocess.TimeoutExpired:
            os.killpg(stack.pid, signal.SIGKILL)
            for process in processes:
                if process.is_running():
                    process.kill()
            raise
    time.sleep(0.5)
    left = [p for p in processes if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert not left, [" ".join(p.cmdline()) for p in left]
    assert stack.returncode in (0, -stop_signal, 128 + stop_signal), (stack.returncode, log.read_text()[-3000:])
    text = log.read_text()
    assert "web.1 stopped" in text and "beat.1 stopped" in text, text[-3000:]
