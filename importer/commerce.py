"""The new commerce fields of ``customers[].subscriptions[]`` (domain.md §8, tenant-import.md "Additions for new
commerce"): commerce type, term, billing cycle the term allows, auto-renew, trial, the 7-day cancellation window
with its refundable seats, and the scheduled changes at renewal in Partner Center's shape.

Partner Center pages the rules follow:

- the cancellation window and refundable seats: ``RefundableQuantityDetail`` (seats that can be reduced until
  ``AllowedUntilDateTime``), https://learn.microsoft.com/en-gb/dotnet/api/microsoft.store.partnercenter.models.subscriptions.refundablequantitydetail?view=partnercenter-dotnet-latest
- scheduled changes: ``ScheduledNextTermInstructions`` (``product`` + ``quantity``), "not applicable for legacy
  offers", https://learn.microsoft.com/en-gb/dotnet/api/microsoft.store.partnercenter.models.subscriptions.subscription.schedulednextterminstructions?view=partnercenter-dotnet-latest
  and its ``ProductTerm`` (``productId``, ``skuId``, ``availabilityId``, ``billingCycle``, ``termDuration``, all
  required), https://learn.microsoft.com/en-in/dotnet/api/microsoft.store.partnercenter.models.subscriptions.productterm?view=partnercenter-dotnet-latest
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from django.utils.translation import gettext as _

from catalog.models import TERM_CYCLES, TERM_MONTHS, BillingCycle, CommerceBillingCycle, TermDuration
from subscriptions.models import CommerceType
from upgrades.billing import add_months

from .fields import MISSING, join
from .offers import market_offer

CANCELLATION_WINDOW = timedelta(days=7)  # purchase or renewal + 7 days (domain.md §8)
NEW_ONLY_KEYS = ("termDuration", "cancellationAllowedUntilDate", "scheduledNextTermInstructions")
SCHEDULED_KEYS = frozenset({"offer", "termDuration", "billingCycle", "quantity"})


def commerce_values(c, plan, raw: dict, path: str, values: dict, country) -> dict:
    """The subscription's new commerce columns (and ``auto_renew``, ``billing_cycle``, ``commitment_end_date``
    where commerce decides them), read from ``raw``; ``values`` holds the fields already read.

    ``refundable_quantity`` is the quantity while the cancellation window is still open at import time
    (``plan.now``), else 0. A new commerce subscription without ``commitmentEndDate`` ends one term after
    ``termStartDate`` (the day before).
    """
    commerce = c.choice(
        raw,
        "commerce",
        path,
        CommerceType.values,
        required=False,
        default=CommerceType.LEGACY,
        what=_("commerce type"),
    )
    auto_renew = _auto_renew(c, raw, path)
    result = {
        "commerce": commerce,
        "auto_renew": auto_renew,
        "term_duration": "",
        "cancellation_allowed_until": None,
        "refundable_quantity": 0,
        "scheduled_next_term_instructions": None,
    }
    if commerce is MISSING:
        return result
    cycle = values["billing_cycle"]
    if commerce == CommerceType.LEGACY:
        for key in NEW_ONLY_KEYS:
            if raw.get(key) is not None:
                c.error(join(path, key), _("only a new commerce subscription (commerce: new) has this field"))
                result["term_duration"] = MISSING
        if cycle and cycle not in BillingCycle.values:
            c.error(
                join(path, "billingCycle"),
                _("a legacy subscription is billed monthly or annual, not '%(cycle)s'") % {"cycle": cycle},
            )
            result["billing_cycle"] = MISSING
        return result

    term = c.choice(raw, "termDuration", path, TermDuration.values, what=_("term"))
    result["term_duration"] = term
    if term and cycle and cycle not in TERM_CYCLES[term]:
        c.error(join(path, "billingCycle"), _cycle_message(term, cycle))
        result["billing_cycle"] = MISSING
    offer = values["offer_id"]
    if offer and offer not in plan.snapshot.commerce_products:
        c.error(join(path, "offer"), _("offer '%(offer)s' has no new commerce product") % {"offer": offer})
        result["offer_id"] = MISSING
    start = values["term_start_date"]
    if start and term and values["commitment_end_date"] is None:
        result["commitment_end_date"] = add_months(start, TERM_MONTHS[term]) - timedelta(days=1)
    until = _window_end(c, raw, path, start)
    result["cancellation_allowed_until"] = until
    quantity = values["quantity"]
    if until and quantity is not MISSING:
        result["refundable_quantity"] = quantity if plan.now < until else 0
    result["scheduled_next_term_instructions"] = _scheduled(c, plan, raw, path, country, auto_renew)
    return result


def _auto_renew(c, raw: dict, path: str):
    """``autoRenewEnabled`` (Partner Center's name) or the importer's older ``autoRenew``: the same field."""
    given = {
        key: c.boolean(raw, key, path, default=True)
        for key in ("autoRenewEnabled", "autoRenew")
        if raw.get(key) is not None
    }
    if MISSING in given.values():
        return MISSING
    if len(set(given.values())) > 1:
        c.error(
            join(path, "autoRenewEnabled"),
            _("differs from autoRenew (the same field under its older name): give one of them"),
        )
        return MISSING
    return next(iter(given.values()), True)


def _window_end(c, raw: dict, path: str, start):
    """``cancellationAllowedUntilDate``: a date-time, or a date (00:00 UTC that day); default termStartDate
    00:00 UTC + 7 days. Not before the term starts."""
    key = "cancellationAllowedUntilDate"
    value = raw.get(key)
    if isinstance(value, str) and "T" in value:
        until = c.datetime(raw, key, path)
    else:
        day = c.date(raw, key, path, required=False)
        until = datetime.combine(day, time(), tzinfo=UTC) if day else day
    start_at = datetime.combine(start, time(), tzinfo=UTC) if start else None
    if until is None:
        return start_at + CANCELLATION_WINDOW if start_at else MISSING
    if until and start_at and until < start_at:
        c.error(join(path, key), _("is before termStartDate"))
        return MISSING
    return until


def _scheduled(c, plan, raw: dict, path: str, country, auto_renew):
    """``scheduledNextTermInstructions`` as Partner Center stores it: ``{"product": {productId, skuId,
    availabilityId, billingCycle, termDuration}, "quantity"}``, the product resolved from the offer's new
    commerce product. Scheduled changes apply at an automatic renewal: they need auto-renew on."""
    key = "scheduledNextTermInstructions"
    if raw.get(key) is None:
        return None
    spath = join(path, key)
    item = c.obj(raw[key], spath, SCHEDULED_KEYS)
    if item is None:
        return MISSING
    offer = market_offer(c, plan, item, spath, country)
    products = plan.snapshot.commerce_products
    if offer and offer not in products:
        c.error(join(spath, "offer"), _("offer '%(offer)s' has no new commerce product") % {"offer": offer})
        offer = MISSING
    term = c.choice(item, "termDuration", spath, TermDuration.values, what=_("term"))
    cycle = c.choice(item, "billingCycle", spath, CommerceBillingCycle.values, what=_("billing cycle"))
    if term and cycle and cycle not in TERM_CYCLES[term]:
        c.error(join(spath, "billingCycle"), _cycle_message(term, cycle))
        cycle = MISSING
    quantity = c.integer(item, "quantity", spath, minimum=1)
    if auto_renew is False:
        c.error(spath, _("scheduled changes apply at an automatic renewal: they need autoRenewEnabled true"))
        return MISSING
    if not offer or not term or not cycle or quantity is MISSING:
        return MISSING
    product_id, sku_id, availability_id = products[offer]
    return {
        "product": {
            "productId": product_id,
            "skuId": sku_id,
            "availabilityId": availability_id,
            "billingCycle": cycle,
            "termDuration": term,
        },
        "quantity": quantity,
    }


def _cycle_message(term: str, cycle: str) -> str:
    return _("a %(term)s term is not billed '%(cycle)s' (allowed: %(allowed)s)") % {
        "term": term,
        "cycle": cycle,
        "allowed": ", ".join(TERM_CYCLES[term]),
    }
