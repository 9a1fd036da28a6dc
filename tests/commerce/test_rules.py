"""The transition rules alone and together, on hand-built contexts (no database)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest

from commerce.rules import evaluate, evaluate_target, targets_for
from commerce.types import (
    CommerceSubscriptionData,
    Direction,
    TargetData,
    TransitionContext,
    TransitionType,
)
from upgrades.eligibility.types import ActorData, EligibilityContext, OfferData, OperationData, SubscriptionData

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
END = date(2027, 1, 31)
PARTNER, OTHER_PARTNER = 1, 2
ONLY, TRANSFER = TransitionType.TRANSITION_ONLY, TransitionType.TRANSITION_WITH_LICENSE_TRANSFER

BASIC = OfferData(id="basic", name="Business Basic", levels={"exchange": 1, "sharepoint": 1})
STANDARD = OfferData(id="standard", name="Business Standard", levels={"exchange": 1, "sharepoint": 1, "apps": 1})
E3 = OfferData(id="e3", name="Office 365 E3", levels={"exchange": 2, "sharepoint": 2, "apps": 2})
ADDON = OfferData(id="addon", name="Audio Conferencing", is_addon=True, levels={"audio": 1})
OFFERS = {o.id: o for o in (BASIC, STANDARD, E3, ADDON)}

E3_TARGET = TargetData(offer=E3, catalog_item_id="P-E3:0001:A", title="Office 365 E3")
BASIC_TARGET = TargetData(offer=BASIC, catalog_item_id="P-BB:0001:A", title="Business Basic", direction=Direction.LOWER)

WRITER = ActorData(
    has_delegated_access=True, can_transfer_licenses=True, delegated_roles=frozenset({"Directory Writers"})
)
READER = ActorData(has_delegated_access=True, can_transfer_licenses=False, delegated_roles=frozenset({"Global Reader"}))
NO_ACCESS = ActorData(has_delegated_access=False, can_transfer_licenses=False)
APP_ONLY = ActorData(is_application=True, has_delegated_access=True, can_transfer_licenses=False)


def holding(id, offer_id, **fields) -> CommerceSubscriptionData:
    fields.setdefault("partner_id", PARTNER)
    fields.setdefault("commitment_end_date", END)
    return CommerceSubscriptionData(id=id, offer_id=offer_id, **fields)


def context(
    *,
    source: dict | None = None,
    actor: ActorData = WRITER,
    holdings: tuple = (),
    addons: tuple = (),
    operations: tuple = (),
    term: str | None = None,
    targets: tuple = (E3_TARGET, BASIC_TARGET),
) -> TransitionContext:
    """A Business Standard source (new commerce, P1Y, ends END) of partner 1 with the given surroundings."""
    src = CommerceSubscriptionData(
        id="src", offer_id="standard", partner_id=PARTNER, commitment_end_date=END, quantity=10, **(source or {})
    )
    legacy_source = SubscriptionData(id="src", offer_id="standard", status=src.status, quantity=10)
    others = tuple(
        SubscriptionData(id=h.id, offer_id=h.offer_id, status=h.status, channel=h.channel, channel_label=h.channel)
        for h in holdings
        if h.status in ("active", "pending", "suspended")
    ) + tuple(addons)
    legacy = EligibilityContext(
        actor=actor,
        source=legacy_source,
        source_offer=STANDARD,
        path_ids=("e3",),
        offers=OFFERS,
        others=others,
        open_operations=tuple(operations),
    )
    return TransitionContext(legacy=legacy, source=src, targets=targets, now=NOW, holdings=holdings, term_duration=term)


def codes(ctx: TransitionContext, eligibility_type: str = "immediate", target: TargetData | None = None):
    """(transition_only codes, license-transfer codes) of ``target`` (default: the context's first target)."""
    item = evaluate_target(ctx, target or ctx.targets[0], eligibility_type)
    return (
        [int(e.code) for e in item.of_type(ONLY).errors],
        [int(e.code) for e in item.of_type(TRANSFER).errors],
    )


def with_legacy(ctx: TransitionContext, **fields) -> TransitionContext:
    return dataclasses.replace(ctx, legacy=dataclasses.replace(ctx.legacy, **fields))


ADDON_SUB = SubscriptionData(id="a1", offer_id="addon", status="active", parent_id="src")
OPERATION = OperationData(id="op1", source_id="src", status="running", target_offer_id="e3")

# (case, context, eligibility type, expected transition_only codes, expected license-transfer codes)
CASES = [
    ("eligible", context(), "immediate", [], []),
    ("eligible scheduled", context(), "scheduled", [], []),
    ("legacy source", context(source={"commerce": "legacy", "term_duration": ""}), "immediate", [11], [11]),
    ("no delegated access", context(actor=NO_ACCESS), "immediate", [1], [1]),
    ("suspended", context(source={"status": "suspended"}), "immediate", [2], [2]),
    ("expired, scheduled", context(source={"status": "expired"}), "scheduled", [2], [2]),
    (
        "target held directly",
        context(holdings=(holding("d1", "e3", channel="direct", partner_id=None),)),
        "immediate",
        [3],
        [3],
    ),
    (
        "target through another partner",
        context(holdings=(holding("o1", "e3", partner_id=OTHER_PARTNER),)),
        "immediate",
        [3],
        [3],
    ),
    ("target through this partner is no conflict", context(holdings=(holding("m1", "e3"),)), "immediate", [], []),
    ("open upgrade", context(operations=(OPERATION,)), "immediate", [4], [4]),
    ("active add-on", context(addons=(ADDON_SUB,)), "immediate", [6], [6]),
    ("reader roles", context(actor=READER), "immediate", [], [12]),
    ("app-only", context(actor=APP_ONLY), "immediate", [], [5]),
    (
        "another subscription of the source's offer",
        context(holdings=(holding("s2", "standard"),)),
        "immediate",
        [],
        [13],
    ),
    (
        "a deleted-like expired twin does not conflict",
        context(holdings=(holding("s3", "standard", status="expired"),)),
        "immediate",
        [],
        [],
    ),
    ("shorter term mid-term", context(term="P1M"), "immediate", [15], [15]),
    ("shorter term at renewal", context(term="P1M"), "scheduled", [], []),
    ("longer term mid-term", context(term="P3Y"), "immediate", [], []),
    (
        "term not sold",
        context(term="P3Y", targets=(dataclasses.replace(E3_TARGET, terms=frozenset({"P1Y"})),)),
        "immediate",
        [16],
        [16],
    ),
    ("auto-renew off at renewal", context(source={"auto_renew": False}), "scheduled", [17], [17]),
    ("auto-renew off mid-term", context(source={"auto_renew": False}), "immediate", [], []),
    (
        "several at once",
        context(
            actor=READER,
            source={"status": "suspended"},
            addons=(ADDON_SUB,),
            operations=(OPERATION,),
            holdings=(holding("s2", "standard"), holding("d1", "e3", channel="direct", partner_id=None)),
        ),
        "immediate",
        [2, 3, 4, 6],
        [2, 3, 4, 6, 12, 13],
    ),
    (
        "several at once, scheduled",
        context(
            actor=NO_ACCESS,
            source={"commerce": "legacy", "term_duration": "", "auto_renew": False},
            addons=(ADDON_SUB,),
        ),
        "scheduled",
        [1, 6, 11, 17],
        [1, 6, 11, 17],
    ),
]


@pytest.mark.parametrize(("case", "ctx", "eligibility_type", "only", "transfer"), CASES, ids=[c[0] for c in CASES])
def test_each_rule_alone_and_together(case, ctx, eligibility_type, only, transfer):
    assert codes(ctx, eligibility_type) == (only, transfer)


def test_not_provisioned():
    ctx = context()
    ctx = with_legacy(ctx, source=dataclasses.replace(ctx.legacy.source, provisioning_state="provisioning"))
    assert codes(ctx) == ([9], [9])


def test_every_error_has_a_name_and_text():
    ctx = context(actor=READER, source={"status": "suspended"}, term="P1M")
    item = evaluate_target(ctx, E3_TARGET, "immediate")
    names = [(e.error_name, bool(e.description)) for e in item.of_type(TRANSFER).errors]
    assert names == [
        ("subscription_status_not_active", True),
        ("license_transfer_role_required", True),
        ("shorter_term_not_allowed_mid_term", True),
    ]
    assert item.of_type(ONLY).is_eligible is False


def test_a_lower_offer_is_refused_mid_term_and_allowed_at_renewal():
    assert codes(context(), "immediate", BASIC_TARGET) == ([14], [14])
    assert codes(context(), "scheduled", BASIC_TARGET) == ([], [])


def test_immediate_lists_the_higher_targets_scheduled_the_lower_ones_too():
    ctx = context()
    assert [t.offer_id for t in targets_for(ctx, "immediate")] == ["e3"]
    assert [t.offer_id for t in targets_for(ctx, "scheduled")] == ["e3", "basic"]
    assert [i.target.catalog_item_id for i in evaluate(ctx, "scheduled")] == ["P-E3:0001:A", "P-BB:0001:A"]


def test_the_item_carries_the_source_quantity():
    assert evaluate(context(), "immediate")[0].quantity == 10


# --- merge targets ------------------------------------------------------------------------------------------------

MERGE_CASES = [
    ("eligible", {}, []),
    ("longer term, later end", {"term_duration": "P3Y", "commitment_end_date": date(2029, 1, 31)}, []),
    ("window closed", {"cancellation_allowed_until": NOW - timedelta(seconds=1)}, []),
    ("not active", {"status": "suspended"}, [1]),
    ("pending", {"status": "pending"}, [1]),
    ("inside its cancellation window", {"cancellation_allowed_until": NOW + timedelta(days=3)}, [2]),
    ("shorter term", {"term_duration": "P1M", "billing_cycle": "monthly"}, [3]),
    ("ends before the source", {"commitment_end_date": date(2026, 12, 31)}, [4]),
    (
        "all four",
        {
            "status": "suspended",
            "cancellation_allowed_until": NOW + timedelta(days=1),
            "term_duration": "P1M",
            "billing_cycle": "monthly",
            "commitment_end_date": date(2026, 7, 14),
        },
        [1, 2, 3, 4],
    ),
]


@pytest.mark.parametrize(("case", "fields", "expected"), MERGE_CASES, ids=[c[0] for c in MERGE_CASES])
def test_merge_target_rules(case, fields, expected):
    ctx = context(holdings=(holding("m1", "e3", **fields),))
    (item,) = evaluate(ctx, "immediate")
    (merge,) = item.subscription_eligibilities
    assert merge.subscription.id == "m1"
    assert [int(e.code) for e in merge.errors] == expected
    assert merge.is_eligible is (expected == [])


def test_merge_targets_are_this_partners_new_commerce_subscriptions_of_the_target():
    ctx = context(
        holdings=(
            holding("mine", "e3"),
            holding("legacy", "e3", commerce="legacy", term_duration="", billing_cycle="monthly"),
            holding("theirs", "e3", partner_id=OTHER_PARTNER),
            holding("direct", "e3", channel="direct", partner_id=None),
            holding("other offer", "basic"),
        )
    )
    (item,) = evaluate(ctx, "immediate")
    assert [m.subscription.id for m in item.subscription_eligibilities] == ["mine"]


def test_scheduled_lists_no_merge_targets():
    ctx = context(holdings=(holding("m1", "e3"),))
    assert [i.subscription_eligibilities for i in evaluate(ctx, "scheduled")] == [(), ()]
