"""Load benchmark: the production stack (``scripts/serve.sh``) under 50 signed-in agents while a batch runs.

    .venv/bin/python bench/load.py [--users 50] [--duration 60] [--items 1000] [--seats 5] [--browse 200]
                                   [--think 1,2] [--web-concurrency 3]
                                   [--database-url postgres://postgres@127.0.0.1:5432/portal_bench_load]
                                   [--broker redis://127.0.0.1:6379/14] [--keep]

Creates the PostgreSQL database afresh (migrated; dropped at the end unless ``--keep``), builds a partner with
``--items`` + ``--browse`` customers (each a Business Basic subscription of ``--seats`` licensed seats, reseller +
DAP) and 10 admin agents with a TOTP device, signs ``--users`` sessions in (OTP-verified, 5 per agent), then starts
the stack with ``scripts/serve.sh`` (production settings, setup.sh skipped, its own queues, loopback, a free port:
gunicorn with ``--web-concurrency`` processes, one interactive and one bulk worker process, beat) and runs locust
headless (``bench/_locust.py``: the customer list, a customer page, the first step of the upgrade wizard, ``--think`` seconds
between two pages: 1 to 2 by default, a stress; 5 to 10 is closer to an agent reading the pages) for ``--duration`` seconds. Once every user is on, a real batch of ``--items`` upgrades with license
transfer (Office 365 E3) starts on the stack's bulk worker. Prints p50 / p95 per page while the batch ran and over
the whole run, failures, and the batch's throughput (items/s from its creation to its end), then stops the stack.
Target: p95 of the customer list and of the wizard under 300 ms while the batch runs; exit status 1 when missed.
Locust runs on the same machine (it takes CPU from the stack: the figures are pessimistic).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ itself
from _django import migrate
from batch import build, drop_database, e3_batch_create, recreate_database

ROOT = Path(__file__).resolve().parent.parent
TARGET_P95_MS = 300.0
TARGETED = ("customer list", "upgrade wizard (step 1)")
PAGES = ("customer list", "customer page", "upgrade wizard (step 1)")
AGENTS = 10


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def setup(database_url: str, broker: str) -> None:
    queue = f"bench-load-{os.getpid()}"
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker,
            "CELERY_RESULT_BACKEND": broker,
            "CELERY_TASK_DEFAULT_QUEUE": queue,  # the stack's queues are named after it (issue 15)
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),  # the same in this process (sessions) and the stack
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_DEBUG": "0",
        }
    )
    recreate_database(database_url)
    migrate(database_url)


def build_world(*, items: int, browse: int, seats: int, users: int):
    """The partner, its agents, the sessions of the simulated users; (agent, batch subscriptions, browse pairs,
    session keys)."""
    from django.db import connection
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User
    from partners.models import Partner, PartnerRoleAssignment, SecurityGroup

    started = time.perf_counter()
    partner = Partner.objects.create(code="load-csp", name="Load CSP", tenant_id=uuid.uuid4())
    group = SecurityGroup.objects.create(partner=partner, name=SecurityGroup.ADMIN_AGENTS)
    agents = []
    for n in range(AGENTS):
        agent = User.objects.create(username=f"load-agent-{n}", email=f"agent{n}@load.example", partner=partner)
        PartnerRoleAssignment.objects.create(user=agent, role="admin_agent")
        group.members.add(agent)
        TOTPDevice.objects.create(user=agent, name="load", confirmed=True)
        agents.append(agent)
    batched = build(partner, items, seats, "batch")
    browsed = build(partner, browse, seats, "browse")
    sessions = []
    for n in range(users):
        agent = agents[n % AGENTS]
        client = Client()
        client.force_login(agent)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=agent).persistent_id  # the code was entered
        session.save()
        sessions.append(session.session_key)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"data          {items + browse:,} customers × {seats} licensed seats, {AGENTS} agents, {users} sessions "
        f"(built in {time.perf_counter() - started:.1f} s)"
    )
    pairs = [[str(s.customer.tenant_id), str(s.pk)] for s in browsed]
    return User.objects.get(pk=agents[0].pk), batched, pairs, sessions


def start_stack(port: int, web_concurrency: int, workdir: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "SERVE_SKIP_SETUP": "1",
        "PORT_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(web_concurrency),
        "INTERACTIVE_CONCURRENCY": "1",
        "BULK_CONCURRENCY": "1",
        "CELERY_LOG_LEVEL": "WARNING",
        "CELERY_BEAT_SCHEDULE_FILE": str(workdir / "celerybeat-schedule"),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.Popen(
        ["bash", str(ROOT / "scripts" / "serve.sh")],
        cwd=ROOT,
        env=env,
        stdout=(workdir / "serve.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_until_up(base: str, stack: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if stack.poll() is not None:
            raise SystemExit(f"serve.sh ended:\n{log.read_text()[-4000:]}")
        request = urllib.request.Request(base + "/accounts/login/", headers={"X-Forwarded-Proto": "https"})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.HTTPError):
            pass
        time.sleep(0.3)
    raise SystemExit(f"the stack did not answer within {timeout:.0f} s:\n{log.read_text()[-4000:]}")


def stop_stack(stack: subprocess.Popen) -> None:
    if stack.poll() is None:
        stack.send_signal(signal.SIGTERM)  # honcho stops every process of the stack
        try:
            stack.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(stack.pid, signal.SIGKILL)
            stack.wait()


def start_batch(agent, subscriptions):
    return e3_batch_create(agent, subscriptions)


def percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=60, help="seconds of load")
    parser.add_argument("--items", type=int, default=1000, help="upgrades in the batch")
    parser.add_argument("--seats", type=int, default=5)
    parser.add_argument("--browse", type=int, default=200, help="customers the agents browse (not in the batch)")
    parser.add_argument("--think", default="1,2", help="MIN,MAX seconds between two pages of a user")
    parser.add_argument("--web-concurrency", type=int, default=3)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/portal_bench_load")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()

    print(f"machine       {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} before the run")
    setup(args.database_url, args.broker)
    from bulk.models import UpgradeBatch

    agent, batched, pairs, sessions = build_world(
        items=args.items, browse=args.browse, seats=args.seats, users=args.users
    )
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    (workdir / "sessions.json").write_text(json.dumps({"sessions": sessions, "subscriptions": pairs}))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    stack = start_stack(port, args.web_concurrency, workdir)
    locust = None
    try:
        started = time.monotonic()
        wait_until_up(base, stack, workdir / "serve.log")
        print(
            f"stack         scripts/serve.sh on {base} in {time.monotonic() - started:.1f} s: gunicorn × "
            f"{args.web_concurrency}, interactive worker × 1, bulk worker × 1, beat (log {workdir / 'serve.log'})"
        )
        samples = workdir / "samples.csv"
        spawn_rate = max(1, args.users // 5)
        locust = subprocess.Popen(
            [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "_locust.py"), "--headless"]
            + ["-u", str(args.users), "-r", str(spawn_rate), "-t", f"{args.duration}s", "--host", base]
            + ["--only-summary", "--loglevel", "WARNING", "--stop-timeout", "5"],
            cwd=ROOT,
            env={
                **os.environ,
                "LOAD_SESSIONS": str(workdir / "sessions.json"),
                "LOAD_SAMPLES": str(samples),
                "LOAD_THINK": args.think,
            },
            stdout=(workdir / "locust.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        load_start = time.time()
        time.sleep(args.users / spawn_rate + 1)  # every user is on
        batch = start_batch(agent, batched)
        batch_start = time.time()
        batch_end = None
        while batch_end is None or locust.poll() is None:
            if batch_end is None and UpgradeBatch.objects.get(pk=batch.pk).status not in ("queued", "running"):
                batch_end = time.time()
            if batch_end is None and time.time() - batch_start > 900:
                raise SystemExit("the batch did not end within 15 minutes")
            time.sleep(0.25)
        load_end = time.time()
        load_average = os.getloadavg()[0]
    finally:
        if locust is not None and locust.poll() is None:
            locust.terminate()
            locust.wait()
        stop_stack(stack)
        print(f"stack         stopped (serve.sh exit status {stack.returncode})")

    batch = UpgradeBatch.objects.get(pk=batch.pk)
    elapsed = batch_end - batch_start
    rows = list(csv.reader(samples.open()))
    print(
        f"batch         {args.items:,} upgrades × {args.seats} seats, {batch.status}, in {elapsed:.1f} s: "
        f"{args.items / elapsed:.1f} items/s (started {batch_start - load_start:.0f} s into the "
        f"{load_end - load_start:.0f} s of load{', ended after it' if batch_end > load_end else ''})"
    )
    print(f"machine       load average {load_average:.2f} at the end of the load (other work on it skews the figures)")
    print(
        f"load          {args.users} agents ({args.think} s between pages), {len(rows):,} requests ({len(rows) / (load_end - load_start):.1f}/s)"
    )
    print(f"{'page':<25} {'during the batch':>26} {'whole run':>26}  failures  target")
    failed = False
    for page in PAGES:
        during = [float(r[2]) for r in rows if r[1] == page and batch_start <= float(r[0]) <= batch_end]
        whole = [float(r[2]) for r in rows if r[1] == page]
        failures = sum(1 for r in rows if r[1] == page and r[3])
        p95 = percentile(during, 95)
        verdict = ""
        if page in TARGETED:
            ok = p95 < TARGET_P95_MS and failures == 0
            failed |= not ok
            verdict = f"p95 < {TARGET_P95_MS:.0f} ms {'PASS' if ok else 'FAIL'}"
        print(
            f"{page:<25} {len(during):>5} req p50 {percentile(during, 50):5.0f} p95 {p95:5.0f} ms"
            f" {len(whole):>5} req p50 {percentile(whole, 50):5.0f} p95 {percentile(whole, 95):5.0f} ms"
            f"  {failures:>8}  {verdict}"
        )
    if not args.keep:
        drop_database(args.database_url)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
