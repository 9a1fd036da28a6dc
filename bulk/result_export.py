"""A batch's per-item results as rows (the results CSV of the batch page) and the reasons of one item.

Reasons: every upgrade error of the item's result (``errorName: description``), then its fault (an error
outside the eligibility rules: not found, forbidden, duplicate item...), in that order.
"""

from __future__ import annotations

from collections.abc import Iterator

from .models import UpgradeBatch, UpgradeBatchItem

RESULT_COLUMNS = (
    "position",
    "customerId",
    "subscriptionId",
    "targetOfferId",
    "quantity",
    "upgradeType",
    "status",
    "targetSubscriptionId",
    "reasons",
)
EXPORT_CHUNK = 2000


def item_reasons(result: dict | None) -> list[tuple[str, str]]:
    """``[(reason code, description), ...]`` of one item's stored result."""
    result = result or {}
    reasons = [
        (str(error.get("errorName") or error.get("code") or ""), str(error.get("description") or ""))
        for error in (result.get("upgradeErrors") or []) + (result.get("errors") or [])  # upgrades; transitions
    ]
    fault = result.get("fault")
    if fault:
        reasons.append((str(fault.get("errorName") or fault.get("code") or ""), str(fault.get("description") or "")))
    return reasons


def reasons_text(result: dict | None) -> str:
    return " | ".join(f"{code}: {description}" if description else code for code, description in item_reasons(result))


def batch_result_rows(batch: UpgradeBatch) -> Iterator[list[str]]:
    """One row per item in position order (``batch`` from ``bulk.selectors.upgrade_batch_for``); streamed from
    the database in chunks (one query per ``EXPORT_CHUNK`` items)."""
    items = (
        UpgradeBatchItem.objects.filter(batch_id=batch.pk)
        .order_by("position")
        .values_list(
            "position",
            "customer_tenant_id",
            "subscription_id",
            "target_offer_id",
            "quantity",
            "upgrade_type",
            "status",
            "result",
        )
    )
    for position, customer, subscription, target, quantity, upgrade_type, status, result in items.iterator(
        chunk_size=EXPORT_CHUNK
    ):
        result = result or {}
        yield [
            str(position),
            str(customer),
            str(subscription),
            target,
            "" if quantity is None else str(quantity),
            upgrade_type or "",
            status,
            str(result.get("targetSubscriptionId") or result.get("toSubscriptionId") or ""),
            reasons_text(result),
        ]
