"""Validation of ``customers[].subscriptions[]``: offer, channel, terms, add-on parents and license assignments;
the new commerce fields are read by ``importer.commerce``."""

from __future__ import annotations

from django.utils.translation import gettext as _

from catalog.models import CommerceBillingCycle
from subscriptions.models import Channel, PaymentMethod, ProvisioningState, SubscriptionStatus

from .commerce import commerce_values
from .fields import MISSING, Collector, join
from .offers import market_offer

SUBSCRIPTION_KEYS = frozenset(
    {
        "id",
        "offer",
        "friendlyName",
        "quantity",
        "status",
        "provisioningState",
        "channel",
        "billingCycle",
        "termStartDate",
        "commitmentEndDate",
        "autoRenew",
        "autoRenewEnabled",
        "isTrial",
        "commerce",
        "termDuration",
        "cancellationAllowedUntilDate",
        "scheduledNextTermInstructions",
        "prepaid",
        "unpaidBalance",
        "parentSubscription",
        "assignments",
    }
)
CHANNEL_KEYS = frozenset({"type", "partner", "paymentMethod"})
ASSIGNMENT_KEYS = frozenset({"user", "disabledServicePlans"})
PAYMENT_METHODS = [m for m in PaymentMethod.values if m]


def validate_subscriptions(
    c: Collector, plan, customer: dict, path: str, tenant, users: dict, seen, deferred: list
) -> None:
    """``users`` maps the customer's UPNs and object ids (as text) to object ids."""
    country = customer.get("country")
    for spath, raw in c.items(customer, "subscriptions", path):
        raw = c.obj(raw, spath, SUBSCRIPTION_KEYS)
        if raw is None:
            continue
        sub_id = c.guid(raw, "id", spath)
        if sub_id and not seen.claim(c, seen.subscriptions, sub_id, join(spath, "id"), _("subscription id")):
            sub_id = MISSING
        elif sub_id and plan.snapshot.subscription_owner.get(sub_id, (tenant,))[0] != tenant:
            c.error(join(spath, "id"), _("subscription '%(id)s' already belongs to another customer") % {"id": sub_id})
            sub_id = MISSING
        offer = market_offer(c, plan, raw, spath, country)
        values = {
            "customer": tenant,
            "offer_id": offer,
            "friendly_name": c.string(raw, "friendlyName", spath, required=False, max_length=200),
            "quantity": c.integer(raw, "quantity", spath, minimum=0),
            "status": c.choice(
                raw,
                "status",
                spath,
                SubscriptionStatus.values,
                required=False,
                default=SubscriptionStatus.ACTIVE,
                what=_("status"),
            ),
            "provisioning_state": c.choice(
                raw,
                "provisioningState",
                spath,
                ProvisioningState.values,
                required=False,
                default=ProvisioningState.PROVISIONED,
                what=_("provisioning state"),
            ),
            "billing_cycle": c.choice(
                raw,
                "billingCycle",
                spath,
                CommerceBillingCycle.values,
                required=False,
                default=CommerceBillingCycle.MONTHLY,
                what=_("billing cycle"),
            ),
            "term_start_date": c.date(raw, "termStartDate", spath),
            "commitment_end_date": c.date(raw, "commitmentEndDate", spath, required=False),
            "is_trial": c.boolean(raw, "isTrial", spath),
            "prepaid": c.boolean(raw, "prepaid", spath),
            "unpaid_balance": c.money(raw, "unpaidBalance", spath),
            **_channel(c, plan, raw, spath),
        }
        if (
            values["term_start_date"]
            and values["commitment_end_date"]
            and values["commitment_end_date"] < values["term_start_date"]
        ):
            c.error(join(spath, "commitmentEndDate"), _("is before termStartDate"))
        values.update(commerce_values(c, plan, raw, spath, values, country))
        parent = c.guid(raw, "parentSubscription", spath, required=False)
        if offer and parent is not MISSING:
            deferred.append(lambda p=spath, o=offer, par=parent, s=sub_id: _check_parent(c, plan, p, tenant, s, o, par))
        plans = plan.snapshot.offers[offer]["plans"] if offer else None
        assignments = _assignments(c, raw, spath, users, plans)
        if MISSING in values.values() or not sub_id or parent is MISSING or not tenant:
            continue
        values["parent"] = parent
        plan.subscriptions[sub_id] = values
        for object_id, disabled in assignments.items():
            plan.assignments[(object_id, sub_id)] = disabled


def _channel(c, plan, raw, path) -> dict:
    cpath = join(path, "channel")
    channel = c.obj(raw.get("channel"), cpath, CHANNEL_KEYS) if "channel" in raw else None
    if channel is None:
        if "channel" not in raw:
            c.error(cpath, _("required field missing"))
        return {"channel": MISSING}
    kind = c.choice(channel, "type", cpath, Channel.values, what=_("channel type"))
    values = {"channel": kind, "partner": None, "channel_partner_name": "", "payment_method": ""}
    if kind == Channel.CSP:
        name = c.string(channel, "partner", cpath, max_length=200)
        values["channel_partner_name"] = name
        values["partner"] = name if name and plan.known_partner(name) else None
    elif "partner" in channel:
        c.error(join(cpath, "partner"), _("only a csp channel names a partner"))
    if kind == Channel.DIRECT:
        values["payment_method"] = c.choice(channel, "paymentMethod", cpath, PAYMENT_METHODS, what=_("payment method"))
    elif "paymentMethod" in channel:
        c.error(join(cpath, "paymentMethod"), _("only a direct channel has a payment method"))
    return values


def _check_parent(c, plan, path, tenant, sub_id, offer, parent) -> None:
    info = plan.snapshot.offers[offer]
    ppath = join(path, "parentSubscription")
    if parent is None:
        if info["is_addon"]:
            c.error(ppath, _("add-on '%(offer)s' needs a parentSubscription") % {"offer": offer})
        return
    if not info["is_addon"]:
        c.error(ppath, _("only an add-on has a parent subscription ('%(offer)s' is not one)") % {"offer": offer})
        return
    if parent in plan.subscriptions:
        owner, parent_offer = plan.subscriptions[parent]["customer"], plan.subscriptions[parent]["offer_id"]
    else:
        owner, parent_offer = plan.snapshot.subscription_owner.get(parent, (None, None))
    if owner != tenant or parent == sub_id:
        c.error(ppath, _("unknown parent subscription '%(id)s' for this customer") % {"id": parent})
    elif parent_offer not in info["bases"]:
        c.error(ppath, _("add-on '%(offer)s' cannot be bought for '%(base)s'") % {"offer": offer, "base": parent_offer})


def _assignments(c, raw, path, users: dict, plans) -> dict:
    result: dict = {}
    first: dict = {}
    for apath, item in c.items(raw, "assignments", path):
        item = c.obj(item, apath, ASSIGNMENT_KEYS)
        if item is None:
            continue
        ref = c.string(item, "user", apath)
        object_id = users.get(ref.lower() if ref else ref)
        if ref and object_id is None:
            c.error(join(apath, "user"), _("unknown user '%(user)s' (not among this customer's users)") % {"user": ref})
        elif object_id in first:
            c.error(
                join(apath, "user"),
                _("user '%(user)s' is assigned twice (also %(other)s)") % {"user": ref, "other": first[object_id]},
            )
            object_id = None
        disabled = []
        for ppath, code in c.string_list(item, "disabledServicePlans", apath, what=_("service plan")):
            if plans is not None and code not in plans:
                c.error(ppath, _("service plan '%(plan)s' is not part of this offer") % {"plan": code})
            disabled.append(code)
        if object_id:
            first[object_id] = apath
            result[object_id] = sorted(disabled)
    return result
