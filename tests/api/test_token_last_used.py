"""Reads that write nothing: ``ApiToken.last_used`` is written at most once a minute per token, with a conditional
UPDATE; a request within the minute runs no UPDATE at all."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import ApiToken
from api.authentication import record_use

pytestmark = pytest.mark.django_db

CUSTOMERS = "/v1/customers"


def updates(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if q["sql"].startswith("UPDATE")]


def travel(monkeypatch, when):
    monkeypatch.setattr("django.utils.timezone.now", lambda: when)


def test_last_used_is_written_once_a_minute(api, monkeypatch, django_assert_num_queries):
    start = timezone.now()
    travel(monkeypatch, start)
    with django_assert_num_queries(4) as first:  # the token, its use, the principal's scope, the page
        assert api.get(CUSTOMERS).status_code == 200
    [update] = updates(first)
    assert "accounts_apitoken" in update and "last_used" in update
    token = ApiToken.objects.get()
    assert token.last_used == start

    travel(monkeypatch, start + timedelta(seconds=59))
    with django_assert_num_queries(3) as within_the_minute:
        assert api.get(CUSTOMERS).status_code == 200
    assert updates(within_the_minute) == []
    token.refresh_from_db()
    assert token.last_used == start

    later = start + timedelta(seconds=61)
    travel(monkeypatch, later)
    with django_assert_num_queries(4) as a_minute_later:
        assert api.get(CUSTOMERS).status_code == 200
    assert len(updates(a_minute_later)) == 1
    token.refresh_from_db()
    assert token.last_used == later


def test_the_update_is_conditional_so_a_concurrent_writer_wins_once(api, monkeypatch):
    """A request that read a stale value after another one refreshed it updates no row."""
    start = timezone.now()
    travel(monkeypatch, start)
    assert api.get(CUSTOMERS).status_code == 200
    token = ApiToken.objects.get()
    stale = ApiToken.objects.get(pk=token.pk)
    stale.last_used = start - timedelta(minutes=5)  # what a concurrent request read before the first one wrote
    travel(monkeypatch, start + timedelta(seconds=30))
    record_use(stale)
    token.refresh_from_db()
    assert token.last_used == start  # the stored value is fresh: the WHERE matched no row
