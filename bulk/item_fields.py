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
