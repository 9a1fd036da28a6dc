"""Fixtures of the webhook tests: Contoso's global admin, a real local HTTP receiver (``tests.webhook_receiver``),
a clock to travel with."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories
from tests.builders import api_for, tokens_just_used
from tests.webhook_receiver import receiving
from webhooks import services


@pytest.fixture
def admin(partner):
    return factories.PartnerUserFactory(partner=partner, username="gina", roles=["global_admin"])


@pytest.fixture
def admin_api(admin):
    return api_for(user=admin)


@pytest.fixture
def other_admin(other_partner):
    return factories.PartnerUserFactory(partner=other_partner, username="walt", roles=["global_admin"])


@pytest.fixture
def receiver():
    with receiving() as state:
        yield state


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


@pytest.fixture
def queries_for_2_and_20_deliveries(capture):
    """``measure(admin, get)``: the queries of ``get()`` (a page or API read, asserted 200 inside) with 2 test
    deliveries, then with 20 (tokens' use recorded a moment ago, so no ``last_used`` write is counted)."""

    def measure(admin, get) -> tuple[int, int]:
        def send(count):
            for _ in range(count):
                with capture(execute=True):
                    services.test_event_send(actor=admin)

        def queries():
            tokens_just_used()
            with CaptureQueriesContext(connection) as captured:
                get()
            return len(captured)

        send(2)
        small = queries()
        send(18)
        return small, queries()

    return measure
