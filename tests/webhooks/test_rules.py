"""The pure rules: the signature a receiver checks by hand, the retry schedule, the URL rules."""

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

from webhooks import rules


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body():
    body = b'{"EventName":"test-created"}'
    header = rules.signature_header("s3cret", 1_700_000_000, body)
    expected = hmac.new(b"s3cret", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"
    assert rules.signature_valid("s3cret", header, body, now=1_700_000_100)


def test_a_receiver_rejects_another_secret_a_changed_body_and_an_old_timestamp():
    body = b'{"EventName":"test-created"}'
    header = rules.signature_header("s3cret", 1_700_000_000, body)
    assert not rules.signature_valid("other", header, body, now=1_700_000_000)
    assert not rules.signature_valid("s3cret", header, body + b" ", now=1_700_000_000)
    assert not rules.signature_valid("s3cret", header, body, now=1_700_000_000 + 301)  # a replay, 5 min later
    assert not rules.signature_valid("s3cret", "garbage", body, now=1_700_000_000)


def test_the_body_has_partner_centers_fields_and_the_event_id():
    at = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)
    body = json.loads(
        rules.encode(
            rules.body_of(
                event_id="a0000000-0000-4000-8000-000000000001",
                name="subscription-updated",
                resource_uri="/v1/customers/x/subscriptions/y",
                resource_name="Subscription",
                audit_uri=None,
                at=at,
            )
        )
    )
    assert body == {
        "EventName": "subscription-updated",
        "ResourceUri": "/v1/customers/x/subscriptions/y",
        "ResourceName": "Subscription",
        "AuditUri": None,
        "ResourceChangeUtcDate": "2026-12-08T01:00:00+00:00",
        "EventId": "a0000000-0000-4000-8000-000000000001",
    }


def test_retries_double_from_one_minute_up_to_an_hour():
    minutes = [rules.retry_delay(n) / timedelta(minutes=1) for n in range(1, 10)]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_no_retry_a_day_after_the_event():
    created = datetime(2026, 12, 8, tzinfo=UTC)
    assert rules.next_attempt_after(attempts=1, failed_at=created, first_created=created) == created + timedelta(
        minutes=1
    )
    late = created + timedelta(hours=23, minutes=30)
    assert rules.next_attempt_after(attempts=20, failed_at=late, first_created=created) is None


def test_url_rules():
    assert rules.url_problem("https://hooks.example.com/x", require_https=True) is None
    assert rules.url_problem("http://hooks.example.com/x", require_https=False) is None
    assert rules.url_problem("http://hooks.example.com/x", require_https=True) == "must be an https URL."
    assert rules.url_problem("ftp://hooks.example.com/x", require_https=False) == "must be an http or https URL."
    assert rules.url_problem("https://u:p@hooks.example.com/", require_https=True)
    assert not rules.address_is_public("127.0.0.1")
    assert not rules.address_is_public("10.1.2.3")
    assert not rules.address_is_public("169.254.169.254")
    assert not rules.address_is_public("::1")
    assert rules.address_is_public("93.184.216.34")


def test_every_event_name_is_unique_and_partner_center_shaped():
    assert len(set(rules.EVENT_NAMES)) == len(rules.EVENT_NAMES) == 10
    assert all("-" in name and name == name.lower() for name in rules.EVENT_NAMES)
