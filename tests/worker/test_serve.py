"""Issue 15: ``scripts/serve.sh`` (its real code path, setup.sh skipped: ``SERVE_SKIP_SETUP=1``) serves the portal
with the production settings on a free port against PostgreSQL and Redis; an upgrade through the ``/v1/`` API runs
on the stack's interactive worker; SIGINT (Ctrl-C) or SIGTERM stops every process of the stack.

The stack serves the suite's test database (already migrated: serve.sh's migrate is a no-op) and this run's queues.
"""

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

from .processes import ROOT, database_url

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
# Waited on in this order: the first that answers 200 means the stack is up. After merging ops15 this becomes
# ("/readyz",): ready = the database and the broker answer.
READY_PATHS = ("/healthz", "/accounts/login/")
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


def wait_until_up(base: str, stack: subprocess.Popen, log: Path) -> str:
    deadline = time.monotonic() + START_LIMIT
    while time.monotonic() < deadline:
        assert stack.poll() is None, log.read_text()
        for path in READY_PATHS:
            try:
                if call(base, path)[0] == 200:
                    return path
            except OSError:
                break  # not listening yet
        time.sleep(0.3)
    raise AssertionError(f"the stack did not answer within {START_LIMIT}s:\n{log.read_text()}")


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
    upgradable = make_upgradable(partner=partner, agent=agent, seats=10, licensed=4)
    token = api_for(user=agent).raw_token

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
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)  # serve.sh sets the production settings
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
        ready = wait_until_up(base, stack, log)
        processes = stack_processes(stack)
        names = " ".join(" ".join(p.cmdline()) for p in processes)
        assert "honcho" in names and "gunicorn" in names and " beat " in names, names
        assert names.count("celery -A partnercenter worker") >= 2, names
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
        print(f"\nserve.sh: up on {ready}, upgrade {body['status']}, {len(processes)} processes")
    finally:
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
