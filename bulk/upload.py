"""A CSV file of batch items → the item specs of a batch, or EVERY problem of the file by line and column.

The file: UTF-8 (a byte-order mark is accepted), comma-separated, the header
``customerId,subscriptionId,targetOfferId,quantity,upgradeType`` (line 1) optionally followed by any of the new
commerce columns ``EXTRA_COLUMNS`` (each once, any order), then one item per line; ``quantity`` and
``upgradeType`` may be empty. ``kind`` (empty: ``upgrade``) says what a line does: an upgrade (``targetOfferId``),
a ``transition`` (``toCatalogItemId``, ``toSubscriptionId``, ``quantity``, ``termDuration``, ``billingCycle``,
``transitionType``) or a ``scheduledChange`` (``productId``, ``skuId``, ``availabilityId``, ``termDuration``,
``billingCycle``, ``quantity``, ``customTermEndDate``: Partner Center's scheduledNextTermInstructions). The per-field rules are the API's (``bulk.item_fields``). Then, in a fixed
number of queries whatever the size (subscriptions 1, customers 1, offers 1): a subscription outside the
actor's scope is reported exactly like one that does not exist (another partner's subscription is never
revealed), a subscription of another customer than the line names, a target offer not in the catalog, seats
outside the target offer's limits, a subscription listed twice (naming its first line). Nothing is created
here: the caller makes a batch only from a clean file (``errors`` empty).
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass

from django.utils.translation import gettext as _

from catalog.models import Offer
from customers.selectors import customers_visible_to
from subscriptions.selectors import subscriptions_visible_to

from .item_fields import (
    INSTRUCTIONS,
    catalog_item_of,
    guid_field,
    instructions_field,
    kind_field,
    quantity_field,
    target_offer_field,
    transition_request_field,
    upgrade_type_field,
)
from .services import MAX_BATCH_ITEMS, BatchItemSpec, catalog_offers

HEADER = ("customerId", "subscriptionId", "targetOfferId", "quantity", "upgradeType")
EXTRA_COLUMNS = (
    "kind",
    "toCatalogItemId",
    "toSubscriptionId",
    "termDuration",
    "billingCycle",
    "transitionType",
    "productId",
    "skuId",
    "availabilityId",
    "customTermEndDate",
)
TRANSITION_COLUMNS = ("toCatalogItemId", "toSubscriptionId", "termDuration", "billingCycle", "transitionType")
PRODUCT_COLUMNS = ("productId", "skuId", "availabilityId", "billingCycle", "termDuration")
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_REPORTED_ERRORS = 500


@dataclass(frozen=True)
class UploadError:
    line: int  # 1 = the header
    column: str  # a header name, or "" for the whole line / file
    message: str


@dataclass
class _Row:
    line: int
    customer_id: uuid.UUID | None
    subscription_id: uuid.UUID | None
    target_offer_id: str | None
    quantity: int | None
    upgrade_type: str | None
    kind: str | None = "upgrade"
    request: dict | None = None


class _Errors(list):
    def add(self, line: int, column: str, message: str) -> None:
        self.append(UploadError(line=line, column=column, message=str(message)))


def _decode(data: bytes, errors: _Errors) -> str | None:
    if len(data) > MAX_UPLOAD_BYTES:
        errors.add(1, "", _("The file is larger than %(max)d MB.") % {"max": MAX_UPLOAD_BYTES // (1024 * 1024)})
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        errors.add(line, "", _("The file is not UTF-8 text (byte %(offset)d).") % {"offset": exc.start})
        return None
    if "\x00" in text:
        errors.add(text[: text.index("\x00")].count("\n") + 1, "", _("The file is not a CSV text file."))
        return None
    if not text.strip():
        errors.add(
            1, "", _("The file is empty: the first line must be the header %(header)s.") % {"header": ",".join(HEADER)}
        )
        return None
    return text


def _read_rows(text: str, errors: _Errors) -> list[_Row]:
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[_Row] = []
    try:
        header = tuple(cell.strip() for cell in next(reader))
        extra = header[len(HEADER) :]
        if header[: len(HEADER)] != HEADER:
            errors.add(1, "", _("The header must be exactly %(header)s.") % {"header": ",".join(HEADER)})
            return []
        if len(set(extra)) != len(extra) or not set(extra) <= set(EXTRA_COLUMNS):
            errors.add(
                1,
                "",
                _("After %(header)s the header may only name each of %(extra)s once.")
                % {"header": ",".join(HEADER), "extra": ",".join(EXTRA_COLUMNS)},
            )
            return []
        for cells in reader:
            line = reader.line_num
            if not cells or all(not cell.strip() for cell in cells):
                continue  # blank lines are ignored
            if len(rows) >= MAX_BATCH_ITEMS:
                errors.add(
                    line, "", _("Too many rows: a batch holds at most %(max)d items.") % {"max": MAX_BATCH_ITEMS}
                )
                return rows
            if len(cells) != len(header):
                errors.add(
                    line,
                    "",
                    _("Expected %(expected)d columns, got %(count)d.") % {"expected": len(header), "count": len(cells)},
                )
                continue
            rows.append(_parse_cells(line, header, [cell.strip() for cell in cells], errors))
    except csv.Error as exc:
        errors.add(reader.line_num or 1, "", _("The file is not valid CSV: %(error)s") % {"error": exc})
    return rows


def _parse_cells(line: int, header: tuple[str, ...], cells: list[str], errors: _Errors) -> _Row:
    values = {name: "" for name in EXTRA_COLUMNS} | dict(zip(header, cells, strict=True))

    def checked(column, rule, optional=False):
        raw = values[column]
        value, problem = rule(None if optional and raw == "" else raw)
        if problem:
            errors.add(line, column, problem)
        return value

    customer_id = checked("customerId", guid_field)
    subscription_id = checked("subscriptionId", guid_field)
    kind = checked("kind", kind_field)
    if kind is None:  # its problem is reported; the other columns depend on it
        return _Row(line, customer_id, subscription_id, None, None, None, kind=None)
    if kind != "upgrade":
        request, problem = _new_commerce_request(kind, values)
        if problem:
            errors.add(line, *problem)
        return _Row(line, customer_id, subscription_id, None, None, None, kind=kind, request=request)
    return _Row(
        line=line,
        customer_id=customer_id,
        subscription_id=subscription_id,
        target_offer_id=checked("targetOfferId", target_offer_field),
        quantity=checked("quantity", quantity_field, optional=True),
        upgrade_type=checked("upgradeType", upgrade_type_field, optional=True),
        kind=kind,
    )


def _new_commerce_request(kind: str, values: dict[str, str]) -> tuple[dict | None, tuple[str, str] | None]:
    """A transition's or a scheduled change's request from its columns, by the API's rules; a problem names
    its column."""
    if kind == "transition":
        return transition_request_field(
            {name: values[name] or None for name in TRANSITION_COLUMNS} | {"quantity": values["quantity"] or None}
        )
    quantity, problem = quantity_field(values["quantity"] or None)
    if problem or quantity is None:
        return None, ("quantity", problem or _("is required for a scheduled change."))
    request, wrong = instructions_field(
        {
            "product": {name: values[name] for name in PRODUCT_COLUMNS},
            "quantity": quantity,
            "customTermEndDate": values["customTermEndDate"] or None,
        }
    )
    if wrong:
        column = wrong[0].rsplit(".", 1)[-1]
        return None, ("productId" if column in ("product", INSTRUCTIONS) else column, wrong[1])
    return request, None


def _check_references(actor, rows: list[_Row], errors: _Errors) -> None:
    subscription_ids = {row.subscription_id for row in rows if row.subscription_id}
    customer_ids = {row.customer_id for row in rows if row.customer_id}
    offer_ids = {row.target_offer_id for row in rows if row.target_offer_id}
    catalog = catalog_offers() if any(row.kind not in (None, "upgrade") for row in rows) else {}
    customer_of = dict(
        subscriptions_visible_to(actor).filter(pk__in=subscription_ids).values_list("pk", "customer__tenant_id")
    )
    customers = set(customers_visible_to(actor).filter(tenant_id__in=customer_ids).values_list("tenant_id", flat=True))
    offers = {offer.pk: offer for offer in Offer.objects.filter(pk__in=offer_ids)}
    first_line: dict[uuid.UUID, int] = {}
    for row in rows:
        if row.customer_id and row.customer_id not in customers:
            errors.add(row.line, "customerId", _("Customer %(id)s was not found.") % {"id": row.customer_id})
        if row.subscription_id:
            first = first_line.setdefault(row.subscription_id, row.line)
            if first != row.line:
                errors.add(
                    row.line,
                    "subscriptionId",
                    _("Duplicate row: line %(first)d already upgrades this subscription.") % {"first": first},
                )
            elif row.subscription_id not in customer_of:
                errors.add(
                    row.line, "subscriptionId", _("Subscription %(id)s was not found.") % {"id": row.subscription_id}
                )
            elif (
                row.customer_id and row.customer_id in customers and customer_of[row.subscription_id] != row.customer_id
            ):
                errors.add(
                    row.line,
                    "subscriptionId",
                    _("Subscription %(id)s is not a subscription of customer %(customer)s.")
                    % {"id": row.subscription_id, "customer": row.customer_id},
                )
        item = catalog_item_of(row.kind or "", row.request or {})
        if item is not None and item not in catalog:
            column = "toCatalogItemId" if row.kind == "transition" else "productId"
            errors.add(row.line, column, _("%(item)s is not a catalog item sold here.") % {"item": item})
        if row.target_offer_id:
            offer = offers.get(row.target_offer_id)
            if offer is None:
                errors.add(
                    row.line, "targetOfferId", _("Offer %(id)s is not in the catalog.") % {"id": row.target_offer_id}
                )
            elif row.quantity is not None and (problem := offer.quantity_problem(row.quantity)):
                errors.add(row.line, "quantity", problem)


def batch_items_from_csv(actor, data: bytes) -> tuple[list[BatchItemSpec], list[UploadError]]:
    """(item specs, errors): the specs are only meaningful when there is no error; errors in file order."""
    errors = _Errors()
    text = _decode(data, errors)
    rows = _read_rows(text, errors) if text is not None else []
    if text is not None and not rows and not errors:
        errors.add(1, "", _("The file has a header but no item."))
    if rows:
        _check_references(actor, rows, errors)
    order = {name: index for index, name in enumerate(("", *HEADER, *EXTRA_COLUMNS))}
    errors.sort(key=lambda error: (error.line, order.get(error.column, 0)))
    if errors:
        return [], list(errors)
    specs = [
        BatchItemSpec(
            customer_tenant_id=row.customer_id,
            subscription_id=row.subscription_id,
            target_offer_id=row.target_offer_id or "",
            quantity=row.quantity,
            upgrade_type=row.upgrade_type,
            kind=row.kind or "upgrade",
            request=row.request or {},
        )
        for row in rows
        if row.customer_id and row.subscription_id and (row.target_offer_id or row.request)
    ]
    return specs, []
