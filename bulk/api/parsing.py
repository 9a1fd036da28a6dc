"""The shape of the bulk request bodies, checked item by item BEFORE anything is stored.

Every problem is reported at once as ``items[3].subscriptionId: not a GUID.`` lines (a 400 ServiceFault
through ``api.errors``); the business rules stay in ``bulk.services`` and the upgrades engine.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from api.parsers import parse_ascii_int
from upgrades.api.serializers import MAX_QUANTITY, UpgradeTypeField

from ..selectors import MAX_ELIGIBILITY_SUBSCRIPTIONS
from ..services import MAX_BATCH_ITEMS, BatchItemSpec

MAX_REPORTED_PROBLEMS = 100
BILLING_CYCLES = ("monthly", "annual")


class _Problems:
    def __init__(self, root: str):
        self.root = root
        self.lines: dict[str, list[str]] = {}
        self.count = 0

    def add(self, path: str, message: str) -> None:
        self.count += 1
        if self.count <= MAX_REPORTED_PROBLEMS:
            self.lines.setdefault(path, []).append(str(message))

    def raise_if_any(self) -> None:
        if not self.count:
            return
        if self.count > MAX_REPORTED_PROBLEMS:
            self.lines[self.root] = self.lines.get(self.root, []) + [
                _("%(more)d more problems not listed.") % {"more": self.count - MAX_REPORTED_PROBLEMS}
            ]
        raise serializers.ValidationError(self.lines)


def _object(data: Any, what: str) -> dict:
    if not isinstance(data, dict):
        raise serializers.ValidationError({"body": [_("Expected a JSON object (%(what)s).") % {"what": what}]})
    return data


def _list(problems: _Problems, body: dict, name: str, maximum: int) -> list | None:
    value = body.get(name)
    if value is None:
        problems.add(name, _("is required."))
    elif not isinstance(value, list):
        problems.add(name, _("must be a list."))
    elif not 1 <= len(value) <= maximum:
        problems.add(name, _("must hold 1 to %(max)d items (got %(count)d).") % {"max": maximum, "count": len(value)})
    else:
        return value
    return None


def _guid(problems: _Problems, item: dict, name: str, path: str) -> uuid.UUID | None:
    value = item.get(name)
    if value is None or value == "":
        problems.add(f"{path}.{name}", _("is required."))
        return None
    try:
        if not isinstance(value, str):
            raise ValueError
        return uuid.UUID(value)
    except ValueError:
        problems.add(f"{path}.{name}", _("not a GUID."))
        return None


def _target_offer(problems: _Problems, item: dict, path: str) -> str | None:
    value = item.get("targetOfferId")
    if not isinstance(value, str) or not value.strip():
        problems.add(f"{path}.targetOfferId", _("is required (an offer id such as o365-e3)."))
        return None
    if len(value.strip()) > 64:
        problems.add(f"{path}.targetOfferId", _("must be at most 64 characters."))
        return None
    return value.strip()


def _quantity(problems: _Problems, item: dict, path: str) -> int | None:
    value = item.get("quantity")
    if value is None:
        return None
    value = parse_ascii_int(value)
    if value is None:
        problems.add(f"{path}.quantity", _("must be a whole number."))
        return None
    if not 1 <= value <= MAX_QUANTITY:
        problems.add(f"{path}.quantity", _("must be between 1 and %(max)d.") % {"max": MAX_QUANTITY})
        return None
    return value


def _upgrade_type(problems: _Problems, item: dict, path: str) -> str | None:
    value = item.get("upgradeType")
    if value is None:
        return None
    try:
        return UpgradeTypeField().to_internal_value(value)
    except serializers.ValidationError as exc:
        problems.add(f"{path}.upgradeType", "; ".join(str(m) for m in exc.detail))
        return None


def parse_batch_request(data: Any) -> tuple[list[BatchItemSpec], bool]:
    """``{"items": [...], "dryRun": false}`` → (item specs, dry run); ``ValidationError`` listing every problem."""
    body = _object(data, "an upgrade batch request")
    problems = _Problems("items")
    dry_run = body.get("dryRun", False)
    if dry_run is None:
        dry_run = False
    if not isinstance(dry_run, bool):
        problems.add("dryRun", _("must be true or false."))
    raw_items = _list(problems, body, "items", MAX_BATCH_ITEMS) or []
    specs = []
    for index, item in enumerate(raw_items):
        path = f"items[{index}]"
        if not isinstance(item, dict):
            problems.add(path, _("must be an object with customerId, subscriptionId and targetOfferId."))
            continue
        fields = (
            _guid(problems, item, "customerId", path),
            _guid(problems, item, "subscriptionId", path),
            _target_offer(problems, item, path),
        )
        quantity, upgrade_type = _quantity(problems, item, path), _upgrade_type(problems, item, path)
        customer_tenant_id, subscription_id, target_offer_id = fields
        if customer_tenant_id and subscription_id and target_offer_id:
            specs.append(
                BatchItemSpec(
                    customer_tenant_id=customer_tenant_id,
                    subscription_id=subscription_id,
                    target_offer_id=target_offer_id,
                    quantity=quantity,
                    upgrade_type=upgrade_type,
                )
            )
    problems.raise_if_any()
    return specs, dry_run


def parse_eligibility_request(data: Any) -> tuple[list[tuple[uuid.UUID, uuid.UUID]], str | None]:
    """``{"subscriptions": [{"customerId", "subscriptionId"}], "billingCycle"?}`` → (pairs, billing cycle)."""
    body = _object(data, "an upgrade eligibility request")
    problems = _Problems("subscriptions")
    billing_cycle = body.get("billingCycle") or None
    if billing_cycle is not None and billing_cycle not in BILLING_CYCLES:
        problems.add("billingCycle", _("must be monthly or annual."))
    pairs = []
    for index, item in enumerate(_list(problems, body, "subscriptions", MAX_ELIGIBILITY_SUBSCRIPTIONS) or []):
        path = f"subscriptions[{index}]"
        if not isinstance(item, dict):
            problems.add(path, _("must be an object with customerId and subscriptionId."))
            continue
        customer_id = _guid(problems, item, "customerId", path)
        subscription_id = _guid(problems, item, "subscriptionId", path)
        if customer_id and subscription_id:
            pairs.append((customer_id, subscription_id))
    problems.raise_if_any()
    return pairs, billing_cycle
