"""The shape of the bulk request bodies, checked item by item BEFORE anything is stored.

Every problem is reported at once as ``items[3].subscriptionId: not a GUID.`` lines (a 400 ServiceFault
through ``api.errors``); the business rules stay in ``bulk.services`` and the upgrades engine.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from ..item_fields import (
    INSTRUCTIONS,
    guid_field,
    instructions_field,
    kind_field,
    quantity_field,
    target_offer_field,
    transition_request_field,
    upgrade_type_field,
)
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
    value, problem = guid_field(item.get(name))
    if problem:
        problems.add(f"{path}.{name}", problem)
    return value


def _checked(problems: _Problems, rule, item: dict, name: str, path: str):
    value, problem = rule(item.get(name))
    if problem:
        problems.add(f"{path}.{name}", problem)
    return value


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
        kind = _checked(problems, kind_field, item, "kind", path)
        customer_tenant_id = _guid(problems, item, "customerId", path)
        subscription_id = _guid(problems, item, "subscriptionId", path)
        if kind is None:
            continue
        if kind != "upgrade":
            request, problem = (
                transition_request_field(item) if kind == "transition" else instructions_field(item.get(INSTRUCTIONS))
            )
            if problem:
                problems.add(f"{path}.{problem[0]}", problem[1])
            elif customer_tenant_id and subscription_id:
                specs.append(
                    BatchItemSpec(
                        customer_tenant_id=customer_tenant_id,
                        subscription_id=subscription_id,
                        kind=kind,
                        request=request or {},
                    )
                )
            continue
        target_offer_id = _checked(problems, target_offer_field, item, "targetOfferId", path)
        quantity = _checked(problems, quantity_field, item, "quantity", path)
        upgrade_type = _checked(problems, upgrade_type_field, item, "upgradeType", path)
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
