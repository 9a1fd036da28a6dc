"""The pure parts of webhooks: the event table, the body, the signature, the retry schedule, the URL rules.

Signature (documented for receivers in NOTES-webhooks15.md): the POST carries

- ``X-Portal-Event-Id``: the event id (uuid), the same on every retry: de-duplicate on it;
- ``X-Portal-Timestamp``: Unix seconds when this attempt was signed;
- ``X-Portal-Signature``: ``t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>" with the secret>``.

A receiver recomputes the HMAC over the raw body, compares in constant time, and rejects a timestamp more than
``SIGNATURE_TOLERANCE`` seconds (5 minutes) away from its clock (a replayed request).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core import events as names

StrOrPromise = str | Promise

SIGNATURE_HEADER = "X-Portal-Signature"
TIMESTAMP_HEADER = "X-Portal-Timestamp"
EVENT_ID_HEADER = "X-Portal-Event-Id"
EVENT_NAME_HEADER = "X-Portal-Event-Name"
SIGNATURE_TOLERANCE = 300  # seconds a receiver should accept between the timestamp and its clock


@dataclass(frozen=True)
class EventType:
    name: str
    label: StrOrPromise
    partner_center: bool  # the name is Partner Center's own


# The one table of event types: what a registration may ask for (GET /v1/webhooks/registration/events).
EVENT_TYPES: tuple[EventType, ...] = (
    EventType(names.SUBSCRIPTION_UPGRADED, _("A subscription was upgraded"), False),
    EventType(names.SUBSCRIPTION_TRANSITIONED, _("A subscription moved to new commerce"), False),
    EventType(names.SUBSCRIPTION_UPDATED, _("A subscription was updated (seats, status, renewal)"), True),
    EventType(names.UPGRADE_BATCH_FINISHED, _("An upgrade batch finished"), False),
    EventType(names.APPROVAL_REQUESTED, _("An upgrade or a batch waits for approval"), False),
    EventType(names.GDAP_APPROVED, _("A GDAP relationship was approved by the customer"), True),
    EventType(names.GDAP_EXPIRING, _("A GDAP relationship ends within 30 days"), False),
    EventType(names.GDAP_EXPIRED, _("A GDAP relationship expired"), True),
    EventType(names.CREDIT_CHECK_DECIDED, _("A credit check of a customer's order was decided"), False),
    EventType(names.TEST_CREATED, _("Test event (sent on request)"), True),
)
EVENT_NAMES: tuple[str, ...] = tuple(t.name for t in EVENT_TYPES)


def unknown_events(requested) -> list[str]:
    return [str(name) for name in requested if name not in EVENT_NAMES]


# -- the body ------------------------------------------------------------------------------------------------
def body_of(*, event_id, name: str, resource_uri: str, resource_name: str, audit_uri: str | None, at: datetime):
    """The POST body in Partner Center's shape (PascalCase), plus ``EventId``."""
    return {
        "EventName": name,
        "ResourceUri": resource_uri,
        "ResourceName": resource_name,
        "AuditUri": audit_uri,
        "ResourceChangeUtcDate": at.isoformat(),
        "EventId": str(event_id),
    }


def encode(body: dict) -> bytes:
    return json.dumps(body, separators=(",", ":"), sort_keys=False).encode()


# -- the signature -------------------------------------------------------------------------------------------
def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def signature_valid(secret: str, header: str, body: bytes, *, now: int, tolerance: int = SIGNATURE_TOLERANCE) -> bool:
    """What a receiver does (used by our tests as the reference check): parse, compare, reject old timestamps."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(parts.get("v1", ""), signature(secret, timestamp, body))


# -- the retry schedule -------------------------------------------------------------------------------------------
FIRST_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(days=1)


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 1, 2, 4, 8 ... minutes, capped at one hour."""
    return min(FIRST_DELAY * (2 ** max(attempts - 1, 0)), MAX_DELAY)


def next_attempt_after(*, attempts: int, failed_at: datetime, first_created: datetime) -> datetime | None:
    """When to try again after a failed attempt, or None: give up (a day after the event)."""
    when = failed_at + retry_delay(attempts)
    return None if when > first_created + GIVE_UP_AFTER else when


def is_success(code: int | None) -> bool:
    return code is not None and 200 <= code < 300


def validation_state(states: list[str]) -> str:
    """A test event's status in Partner Center's words, from its deliveries' states: ``completed`` when every one
    was delivered, ``failed`` when every one failed, ``pending`` otherwise (and with none)."""
    if states and all(state == "delivered" for state in states):
        return "completed"
    if states and all(state == "failed" for state in states):
        return "failed"
    return "pending"


# -- the URL rules -------------------------------------------------------------------------------------------
def url_problem(url: str, *, require_https: bool) -> str | None:
    """Why ``url`` cannot be a webhook URL (its syntax and scheme; addresses are checked when sending), or None."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return str(_("is not a valid URL."))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return str(_("must be an http or https URL."))
    if require_https and parts.scheme != "https":
        return str(_("must be an https URL."))
    if parts.username or parts.password:
        return str(_("must not contain a user name or password."))
    return None


def address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved or ip.is_unspecified
    )


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
