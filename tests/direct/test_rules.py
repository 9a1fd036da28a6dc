"""The direct Upgrade tab rules, pure (no database): the derived rule and every "why can't I upgrade" reason."""

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from upgrades.eligibility import direct as rules

CATALOG = json.loads((Path(__file__).resolve().parents[2] / "catalog" / "data" / "catalog.json").read_text())
PLANS = {p["code"]: (p["family"], p["level"]) for p in CATALOG["servicePlans"]}
OFFERS = {o["id"]: o for o in CATALOG["offers"] + CATALOG["addOns"]}


def offer(offer_id):
    raw = OFFERS[offer_id]
    return rules.OfferFacts(
        id=offer_id,
        name=raw["name"],
        retired=raw.get("retired", False),
        family_levels=rules.family_levels(PLANS[c] for c in raw["servicePlans"]),
    )


def facts(offer_id="o365-e4", **overrides):
    base = rules.SubscriptionFacts(
        offer=offer(offer_id),
        status="active",
        provisioning_state="provisioned",
        channel="direct",
        quantity=10,
        assigned=10,
    )
    return replace(base, **overrides)


E4_TARGETS = [offer(t) for t in CATALOG["e4DirectOptions"]["upgrade"] + CATALOG["e4DirectOptions"]["change"]]


@pytest.mark.parametrize("target", ["o365-e5", "m365-e5", "m365-e5-no-audio"])
def test_e4_upgrade_targets_keep_every_service(target):
    assert rules.is_upgrade(offer("o365-e4").family_levels, offer(target).family_levels)


@pytest.mark.parametrize("target", ["o365-e3", "m365-e3"])
def test_e3_is_a_plan_change_because_it_drops_voice(target):
    source = offer("o365-e4").family_levels
    assert not rules.is_upgrade(source, offer(target).family_levels)
    assert rules.lost_families(source, offer(target).family_levels) == ["voice"]


def test_same_or_higher_level_required_in_every_family():
    assert rules.is_upgrade({"exchange": 2}, {"exchange": 3, "teams": 1})
    assert rules.is_upgrade({"exchange": 2}, {"exchange": 2})
    assert not rules.is_upgrade({"exchange": 3}, {"exchange": 2, "teams": 1})
    assert not rules.is_upgrade({"exchange": 2, "voice": 1}, {"exchange": 3})


def test_addon_included_in_target():
    audio, storage = offer("audio-conferencing"), offer("extra-file-storage")
    assert rules.included_families(audio.family_levels, offer("o365-e5").family_levels)
    assert not rules.included_families(audio.family_levels, offer("m365-e5-no-audio").family_levels)
    assert not rules.included_families(storage.family_levels, offer("o365-e5").family_levels)


def test_tab_lists_upgrades_and_plan_changes_separately():
    tab = rules.upgrade_tab(facts(), E4_TARGETS)
    assert [v.target.id for v in tab.upgrades] == ["o365-e5", "m365-e5", "m365-e5-no-audio"]
    assert [v.target.id for v in tab.plan_changes] == ["o365-e3", "m365-e3"]
    assert tab.can_upgrade and tab.reasons == ()
    assert tab.plan_changes[0].reasons[0].code == "fewer_services"


REASONS = {
    "license_conflict": {"assigned": 11},
    "subscription_not_ready": {"provisioning_state": "provisioning"},
    "service_health_incident": {"service_health_incident": True},
    "upgrade_in_progress": {"upgrade_in_progress": True},
    "duplicate_subscriptions": {"same_product_count": 2},
    "segment_not_supported": {"segment": "government"},
    "high_volume": {"high_volume": True},
    "unpaid_balance": {"unpaid_balance": Decimal("12.50")},
    "bought_through_partner": {"channel": "csp", "channel_partner_name": "Contoso"},
    "bought_through_volume_licensing": {"channel": "volume_licensing"},
    "subscription_not_active": {"status": "suspended"},
}


@pytest.mark.parametrize("code", sorted(REASONS))
def test_each_reason_alone(code):
    tab = rules.upgrade_tab(facts(**REASONS[code]), E4_TARGETS)
    assert [r.code for r in tab.reasons] == [code]
    assert not tab.can_upgrade
    assert all(r.message and r.action for r in tab.reasons)


def test_nonprofit_segment_also_blocks():
    assert [r.code for r in rules.subscription_reasons(facts(segment="nonprofit"))] == ["segment_not_supported"]


def test_prepaid_and_addons_block_other_products_but_not_e4():
    assert rules.subscription_reasons(facts(prepaid=True, active_addon_count=2)) == []
    codes = [r.code for r in rules.subscription_reasons(facts("o365-e3", prepaid=True, active_addon_count=2))]
    assert codes == ["prepaid_plan", "add_on_present"]


def test_no_supported_upgrade_when_every_target_has_fewer_services():
    tab = rules.upgrade_tab(facts("o365-e5"), [offer("o365-e3")])
    assert [r.code for r in tab.reasons] == ["no_supported_upgrade"]
    assert tab.plan_changes[0].lost_services


def test_every_reason_at_once():
    tab = rules.upgrade_tab(
        facts(
            **{
                k: v
                for case in REASONS.values()
                for k, v in case.items()
                if k not in ("channel", "channel_partner_name", "status")
            },
            status="pending",
        ),
        E4_TARGETS,
    )
    codes = {r.code for r in tab.reasons}
    assert codes == {
        "license_conflict",
        "subscription_not_ready",
        "service_health_incident",
        "upgrade_in_progress",
        "duplicate_subscriptions",
        "segment_not_supported",
        "high_volume",
        "unpaid_balance",
    }
    assert all(not v.is_eligible for v in tab.upgrades)
