"""Fixtures of the webhook tests: Contoso's global admin, a real local HTTP receiver, a clock to travel with."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from tests import factories
from tests.builders import api_for


@pytest.fixture
def admin(partner):
    return factories.PartnerUserFactory(partner=partner, username="gina", roles=["global_admin"])


@pytest.fixture
def admin_api(admin):
    return api_for(user=admin)


@pytest.fixture
def other_admin(other_partner):
    return factories.PartnerUserFactory(partner=other_partner, username="walt", roles=["global_admin"])


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    """A local webhook receiver: records every POST and answers the next status of ``answers`` (then 200)."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)


@pytest.fixture
def receiver():
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            state.requests.append(Received(self.path, {k: v for k, v in self.headers.items()}, body))
            code = state.answers.pop(0) if state.answers else 200
            payload = b'{"ok": true}' if code < 300 else b"receiver is down " * 100
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    yield state
    server.shutdown()
    server.server_close()


class Clock:
    """``timezone.now()`` frozen at ``start``; ``advance`` travels forward."""

    def __init__(self, monkeypatch, start: datetime):
        self.monkeypatch = monkeypatch
        self.now = start
        self.set(start)

    def set(self, when: datetime) -> None:
        self.now = when
        self.monkeypatch.setattr("django.utils.timezone.now", lambda: when)

    def advance(self, delta: timedelta) -> None:
        self.set(self.now + delta)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, timezone.now())


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    """Run the on-commit callbacks (events, delivery tasks) of the block, as the commit would."""
    return django_capture_on_commit_callbacks
