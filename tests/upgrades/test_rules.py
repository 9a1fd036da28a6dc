"""The eligibility rules on plain data: no database."""

from typing import Any

from upgrades.eligibility.engine import evaluate, evaluate_all, source_errors
from upgrades.eligibility.rules import added_families, paths_for_market, rule_conflicting_service_types
from upgrades.eligibility.types import ActorData, EligibilityContext, OfferData, OperationData, SubscriptionData
from upgrades.eligibility.types import UpgradeErrorCode as C

BASIC = OfferData(id="basic", name="Business Basic", levels={"exchange": 2, "sharepoint": 2, "teams": 1})
STANDARD = OfferData(
    id="standard",
    name="Business Standard",
    has_india_variant=True,
    levels={"exchange": 2, "sharepoint": 2, "teams": 1, "office_apps": 2},
)
STANDARD_IN = OfferData(
    id="standard-in",
    name="Business Standard (India)",
    market="IN",
    currency="INR",
    levels={"exchange": 2, "sharepoint": 2, "teams": 1, "office_apps": 2},
)
E3 = OfferData(id="e3", name="Office 365 E3", levels={"exchange": 3, "sharepoint": 3, "teams": 1, "office_apps": 3})
APPS = OfferData(id="apps", name="Apps for business", levels={"office_apps": 2, "sharepoint": 1})
E4 = OfferData(id="e4", name="Office 365 E4", retired=True, levels={"exchange": 3})
ADDON = OfferData(id="audio", name="Audio Conferencing", is_addon=True, levels={"audio_conferencing": 1})
OFFERS = {o.id: o for o in (BASIC, STANDARD, STANDARD_IN, E3, APPS, E4, ADDON)}
SOURCE = SubscriptionData(id="src", offer_id="basic", quantity=10, channel_label="CSP (Contoso)")


def context(**changes) -> EligibilityContext:
    fields: dict[str, Any] = dict(
        actor=ActorData(), source=SOURCE, source_offer=BASIC, path_ids=("standard", "e3"), offers=OFFERS
    )
    fields.update(changes)
    return EligibilityContext(**fields)


def codes(option):
    return {error.code for error in option.errors}


def test_eligible_option_offers_license_transfer_when_roles_allow():
    option = evaluate(context(), "standard")
    assert option.is_eligible and option.errors == ()
    assert option.upgrade_type == "upgrade_with_license_transfer"
    assert option.quantity == 10


def test_reader_roles_are_offered_upgrade_only():
    option = evaluate(context(actor=ActorData(can_transfer_licenses=False)), "e3")
    assert option.is_eligible and option.upgrade_type == "upgrade_only"


def test_every_reason_is_returned_and_type_is_none():
    ctx = context(
        actor=ActorData(is_application=True, has_delegated_access=False, can_transfer_licenses=False),
        source=SubscriptionData(id="src", offer_id="basic", status="suspended", provisioning_state="provisioning"),
        others=(
            SubscriptionData(id="addon", offer_id="audio", parent_id="src"),
            SubscriptionData(id="dup", offer_id="standard", channel="direct", channel_label="Direct"),
        ),
        open_operations=(OperationData(id="op", source_id="src", status="pending"),),
        billing_cycle="annual",
        offers={**OFFERS, "standard": OfferData(**{**STANDARD.__dict__, "billing_cycles": frozenset({"monthly"})})},
    )
    option = evaluate(ctx, "standard")
    assert codes(option) == {
        C.DELEGATED_ADMIN_PERMISSIONS_DISABLED,
        C.SUBSCRIPTION_STATUS_NOT_ACTIVE,
        C.CONFLICTING_SERVICE_TYPES,
        C.CONCURRENCY_CONFLICTS,
        C.USER_CONTEXT_REQUIRED,
        C.SUBSCRIPTION_ADD_ONS_PRESENT,
        C.SUBSCRIPTION_NOT_PROVISIONED,
        C.OFFER_DOES_NOT_SUPPORT_BILLING_CYCLE,
    }
    assert option.upgrade_type == "none" and not option.is_eligible
    assert [int(e.code) for e in option.errors] == sorted(int(e.code) for e in option.errors)


def test_error_names_are_partner_center_names():
    assert C.DELEGATED_ADMIN_PERMISSIONS_DISABLED.error_name == "delegated_admin_permissions_disabled"
    assert C.OFFER_DOES_NOT_SUPPORT_BILLING_CYCLE.error_name == "offer_does_not_support_billing_cycle"
    assert [int(c) for c in C] == list(range(11))


def test_status_details_hold_the_status():
    option = evaluate(context(source=SubscriptionData(id="src", offer_id="basic", status="expired")), "e3")
    assert codes(option) == {C.SUBSCRIPTION_STATUS_NOT_ACTIVE}
    assert "expired" in option.errors[0].additional_details


def test_no_paths_answers_code_7_only():
    ctx = context(path_ids=())
    assert codes(evaluate(ctx, "e3")) == {C.SUBSCRIPTION_DOES_NOT_HAVE_ANY_UPGRADE_PATHS}
    assert evaluate_all(ctx) == []
    assert {e.code for e in source_errors(ctx)} == {C.SUBSCRIPTION_DOES_NOT_HAVE_ANY_UPGRADE_PATHS}


def test_target_outside_matrix_or_catalog_answers_code_8():
    assert codes(evaluate(context(), "apps")) == {C.SUBSCRIPTION_TARGET_OFFER_NOT_FOUND}
    unknown = evaluate(context(), "no-such-offer")
    assert codes(unknown) == {C.SUBSCRIPTION_TARGET_OFFER_NOT_FOUND} and unknown.target_offer is None


def test_retired_or_addon_matrix_target_answers_code_0():
    ctx = context(path_ids=("e4", "audio"))
    assert codes(evaluate(ctx, "e4")) == {C.OTHER}
    assert codes(evaluate(ctx, "audio")) == {C.OTHER}


def test_billing_cycle_defaults_to_the_source_cycle():
    monthly_only = OfferData(**{**E3.__dict__, "billing_cycles": frozenset({"monthly"})})
    ctx = context(offers={**OFFERS, "e3": monthly_only})
    assert evaluate(ctx, "e3").is_eligible
    annual_source = SubscriptionData(id="src", offer_id="basic", billing_cycle="annual")
    option = evaluate(context(offers={**OFFERS, "e3": monthly_only}, source=annual_source), "e3")
    assert codes(option) == {C.OFFER_DOES_NOT_SUPPORT_BILLING_CYCLE}
    assert "annual" in option.errors[0].additional_details


def test_concurrency_names_the_operation():
    ctx = context(open_operations=(OperationData(id="op-1", source_id="other", status="awaiting_credit_check"),))
    option = evaluate(ctx, "e3")
    assert codes(option) == {C.CONCURRENCY_CONFLICTS}
    assert (
        "op-1" in option.errors[0].additional_details and "awaiting_credit_check" in option.errors[0].additional_details
    )


def test_inactive_addons_do_not_block():
    ctx = context(others=(SubscriptionData(id="a", offer_id="audio", parent_id="src", status="suspended"),))
    assert evaluate(ctx, "e3").is_eligible


def test_added_families():
    assert added_families(BASIC.levels, STANDARD.levels) == {"office_apps": 2}
    assert added_families(BASIC.levels, E3.levels) == {"exchange": 3, "sharepoint": 3, "office_apps": 3}
    assert added_families(E3.levels, BASIC.levels) == {}


def test_conflict_when_target_already_held_in_any_holding_status():
    for status in ("active", "pending", "suspended"):
        held = SubscriptionData(
            id="held", offer_id="e3", status=status, channel="volume_licensing", channel_label="Volume licensing"
        )
        errors = rule_conflicting_service_types(context(others=(held,)), E3, "e3")
        assert [e.code for e in errors] == [C.CONFLICTING_SERVICE_TYPES]
        assert "held" in errors[0].additional_details and "Volume licensing" in errors[0].additional_details
    expired = SubscriptionData(id="old", offer_id="e3", status="expired")
    assert rule_conflicting_service_types(context(others=(expired,)), E3, "e3") == []


def test_conflict_on_an_added_family_at_the_target_level_or_higher():
    apps = SubscriptionData(id="apps-sub", offer_id="apps", channel="direct", channel_label="Direct · Credit card")
    errors = rule_conflicting_service_types(
        context(others=(apps,), family_names={"office_apps": "Office apps"}), STANDARD, "standard"
    )
    assert len(errors) == 1
    assert "apps-sub" in errors[0].additional_details and "Direct · Credit card" in errors[0].additional_details
    assert "Office apps" in errors[0].additional_details
    # Apps for business has office_apps level 2 < E3's 3: no conflict for E3.
    assert rule_conflicting_service_types(context(others=(apps,)), E3, "e3") == []


def test_no_conflict_for_families_the_source_already_has_or_inactive_holders():
    basic_elsewhere = SubscriptionData(id="b2", offer_id="basic", channel="csp", channel_label="CSP (Wingtip)")
    assert rule_conflicting_service_types(context(others=(basic_elsewhere,)), STANDARD, "standard") == []
    suspended_apps = SubscriptionData(id="apps-sub", offer_id="apps", status="suspended")
    assert rule_conflicting_service_types(context(others=(suspended_apps,)), STANDARD, "standard") == []


def test_own_addons_are_not_conflicts():
    addon = SubscriptionData(id="a", offer_id="audio", parent_id="src")
    e5 = OfferData(id="e5", name="E5", levels={**E3.levels, "audio_conferencing": 1})
    assert rule_conflicting_service_types(context(others=(addon,), offers={**OFFERS, "e5": e5}), e5, "e5") == []


def test_india_sources_never_get_global_offers_with_an_india_variant():
    targets = [STANDARD, STANDARD_IN, E3]
    assert [t.id for t in paths_for_market("IN", targets)] == ["standard-in", "e3"]
    assert [t.id for t in paths_for_market("global", targets)] == ["standard", "e3"]
