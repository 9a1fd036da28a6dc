"""The per-field rules of a batch item (``customerId``, ``subscriptionId``, ``targetOfferId``, ``quantity``,
``upgradeType``), shared by the JSON API (``bulk.api.parsing``) and the CSV upload (``bulk.upload``) so both
refuse the same values with the same words. Each rule answers ``(value, problem)``: ``problem`` is None when the
value is fine (``value`` None then means "not given" for the optional fields)."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from api.parsers import parse_ascii_int
from commerce.services import parse_transition_request
from core.errors import InvalidInput
from subscriptions.services import instructions_normalize
from upgrades.api.serializers import MAX_QUANTITY, UpgradeTypeField

MAX_OFFER_ID_LENGTH = 64


def guid_field(value: Any) -> tuple[uuid.UUID | None, str | None]:
    if value is None or value == "":
        return None, _("is required.")
    try:
        if not isinstance(value, str):
            raise ValueError
        return uuid.UUID(value), None
    except ValueError:
        return None, _("not a GUID.")


def target_offer_field(value: Any) -> tuple[str | None, str | None]:
    if not isinstance(value, str) or not value.strip():
        return None, _("is required (an offer id such as o365-e3).")
    if len(value.strip()) > MAX_OFFER_ID_LENGTH:
        return None, _("must be at most %(max)d characters.") % {"max": MAX_OFFER_ID_LENGTH}
    return value.strip(), None


def quantity_field(value: Any) -> tuple[int | None, str | None]:
    if value is None:
        return None, None
    number = parse_ascii_int(value)
    if number is None:
        return None, _("must be a whole number.")
    if not 1 <= number <= MAX_QUANTITY:
        return None, _("must be between 1 and %(max)d.") % {"max": MAX_QUANTITY}
    return number, None


def upgrade_type_field(value: Any) -> tuple[str | None, str | None]:
    if value is None:
        return None, None
    try:
        return UpgradeTypeField().to_internal_value(value), None
    except serializers.ValidationError as exc:
        return None, "; ".join(str(m) for m in exc.detail)


# -- new commerce items (domain.md §8): the rules are the transitions API's and the subscriptions service's ------

KINDS = ("upgrade", "transition", "scheduledChange")  # bulk.models.ItemKind's values
INSTRUCTIONS = "scheduledNextTermInstructions"


def kind_field(value: Any) -> tuple[str | None, str | None]:
    """Missing or empty: ``upgrade`` (every request from before the kinds existed)."""
    if value is None or value == "":
        return "upgrade", None
    if not isinstance(value, str) or value.strip() not in KINDS:
        return None, _("must be one of: %(values)s.") % {"values": ", ".join(KINDS)}
    return value.strip(), None


def transition_request_field(item: dict) -> tuple[dict | None, tuple[str, str] | None]:
    """A transition item's fields (``toCatalogItemId``, ``toSubscriptionId``, ``quantity``, ``termDuration``,
    ``billingCycle``, ``transitionType``) checked by the transitions API's own parser: the stored request, or
    ``(field, problem)``. No query."""
    quantity, problem = quantity_field(item.get("quantity"))
    if problem:
        return None, ("quantity", problem)
    try:
        request = parse_transition_request(
            to_catalog_item_id=item.get("toCatalogItemId"),
            to_subscription_id=item.get("toSubscriptionId"),
            quantity=quantity,
            term_duration=item.get("termDuration"),
            billing_cycle=item.get("billingCycle"),
            transition_type=item.get("transitionType"),
        )
    except InvalidInput as exc:
        return None, (exc.field or "toCatalogItemId", exc.message)
    return {
        "toCatalogItemId": str(request.to_item),
        "toSubscriptionId": str(request.to_subscription_id) if request.to_subscription_id else None,
        "quantity": request.quantity,
        "termDuration": request.term_duration,
        "billingCycle": request.billing_cycle,
        "transitionType": request.transition_type,
    }, None


def instructions_field(value: Any) -> tuple[dict | None, tuple[str, str] | None]:
    """A scheduled change's ``scheduledNextTermInstructions`` in Partner Center's shape, normalised by the
    subscriptions service (``{"scheduledNextTermInstructions": ...}``), or ``(field, problem)``. No query."""
    if value is None:
        return None, (INSTRUCTIONS, _("is required (product, quantity, customTermEndDate)."))
    try:
        instructions = instructions_normalize(value)
    except InvalidInput as exc:
        return None, (exc.field or INSTRUCTIONS, exc.message)
    return {INSTRUCTIONS: instructions}, None


def catalog_item_of(kind: str, request: dict) -> str | None:
    """The target catalog item ``productId:skuId:availabilityId`` a new commerce item names (None: an upgrade, or
    no request)."""
    if not request:
        return None
    if kind == "transition":
        return request.get("toCatalogItemId")
    if kind == "scheduledChange":
        product = (request.get(INSTRUCTIONS) or {}).get("product") or {}
        return ":".join(str(product.get(key, "")) for key in ("productId", "skuId", "availabilityId")).upper()
    return None
