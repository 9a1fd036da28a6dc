"""Each error code triggered alone through the database, several at once, and the scoping of the selector."""

import pytest

from catalog.models import OfferPrice, UpgradePath
from core.errors import NotFound
from delegation.models import DapGrant, GdapRelationship
from tests import factories
from tests.builders import app_actor, make_subscription
from upgrades.eligibility import UpgradeErrorCode as C
from upgrades.models import UpgradeOperation
from upgrades.selectors import source_upgrade_errors, upgrade_option_for, upgrade_options_for

pytestmark = pytest.mark.django_db


def codes(option):
    return {error.code for error in option.errors}


def test_eligible_baseline(agent, source):
    option = upgrade_option_for(actor=agent, subscription=source, target_offer_id="o365-e3")
    assert option.is_eligible and option.errors == ()
    assert option.upgrade_type == "upgrade_with_license_transfer"
    assert option.target_offer.pk == "o365-e3" and option.quantity == 10


def test_code_0_matrix_row_to_a_retired_offer(agent, source):
    UpgradePath.objects.create(source_id="m365-business-basic", target_id="o365-e4", position=9)
    option = upgrade_option_for(actor=agent, subscription=source, target_offer_id="o365-e4")
    assert codes(option) == {C.OTHER}
    assert "retired" in option.errors[0].additional_details


def test_code_1_no_active_relationship(agent, source, customer):
    GdapRelationship.objects.filter(customer=customer).update(status="expired")
    option = upgrade_option_for(actor=agent, subscription=source, target_offer_id="o365-e3")
    assert codes(option) == {C.DELEGATED_ADMIN_PERMISSIONS_DISABLED}
    assert option.upgrade_type == "none"


def test_code_2_status_with_details(agent, source):
    source.status = "suspended"
    source.save()
    option = upgrade_option_for(actor=agent, subscription=source, target_offer_id="o365-e3")
    assert codes(option) == {C.SUBSCRIPTION_STATUS_NOT_ACTIVE}
    assert "suspended" in option.errors[0].additional_details


def test_code_3_target_held_elsewhere(agent, source, customer):
    held = make_subscription(customer, "o365-e3", channel="direct", payment_method="credit_card")
    option = upgrade_option_for(actor=agent, subscription=source, target_offer_id="o365-e3")
    assert codes(option) == {C.CONFLICTING_SERVICE_TYPES}
    assert str(held.pk) in option.errors[0].additional_details


def test_code_4_another_operation_of_the_customer(agent, source, customer, partner):
    other = make_subscription(customer, "m365-business-basic", partner=partner)
    UpgradeOperation.objects.create(
        source=other,
        target_offer_id="o365-e1",
        customer=customer,
        partner=partner,
        upgrade_type="upgrade_only",
        quantity=10,
        billing_cycle="monthly",
        status="awaiting_credit_check",
    )
    option = upgrade_option_for(actor=agent, subscription=source, target_offer_id="o365-e3")
    assert codes(option) == {C.CONCURRENCY_CONFLICTS}
    assert "awaiting_credit_check" in option.errors[0].additional_details


def test_code_4_ignores_finished_operations(agent, source, customer, partner):
    UpgradeOperation.objects.create(
        source=source,
        target_offer_id="o365-e1",
        customer=customer,
        partner=partner,
        upgrade_type="upgrade_only",
        quantity=10,
        billing_cycle="monthly",
        status="failed",
    )
    assert upgrade_option_for(actor=agent, subscription=source, target_offer_id="o365-e3").is_eligible


def test_code_5_application_token(partner, source):
    option = upgrade_option_for(actor=app_actor(partner), subscription=source, target_offer_id="o365-e3")
    assert codes(option) == {C.USER_CONTEXT_REQUIRED}


def test_code_6_active_addon(agent, source, customer, partner):
    addon = make_subscription(customer, "audio-conferencing", partner=partner, parent=source)
    # E5 contains Audio Conferencing: the source's own add-on is not a multichannel conflict.
    option = upgrade_option_for(actor=agent, subscription=source, target_offer_id="o365-e5")
    assert codes(option) == {C.SUBSCRIPTION_ADD_ONS_PRESENT}
    assert str(addon.pk) in option.errors[0].additional_details


def test_code_7_no_upgrade_path(agent, customer, partner):
    premium = make_subscription(customer, "m365-business-premium", partner=partner)
    assert upgrade_options_for(actor=agent, subscription=premium) == []
    assert {e.code for e in source_upgrade_errors(actor=agent, subscription=premium)} == {
        C.SUBSCRIPTION_DOES_NOT_HAVE_ANY_UPGRADE_PATHS
    }
    option = upgrade_option_for(actor=agent, subscription=premium, target_offer_id="m365-e5")
    assert codes(option) == {C.SUBSCRIPTION_DOES_NOT_HAVE_ANY_UPGRADE_PATHS}


def test_code_8_target_not_a_path(agent, source):
    assert codes(upgrade_option_for(actor=agent, subscription=source, target_offer_id="m365-e5")) == {
        C.SUBSCRIPTION_TARGET_OFFER_NOT_FOUND
    }
    unknown = upgrade_option_for(actor=agent, subscription=source, target_offer_id="no-such-offer")
    assert codes(unknown) == {C.SUBSCRIPTION_TARGET_OFFER_NOT_FOUND} and unknown.target_offer is None


def test_code_9_still_provisioning(agent, source):
    source.provisioning_state = "provisioning"
    source.save()
    assert codes(upgrade_option_for(actor=agent, subscription=source, target_offer_id="o365-e3")) == {
        C.SUBSCRIPTION_NOT_PROVISIONED
    }


def test_code_10_billing_cycle_not_offered(agent, source):
    OfferPrice.objects.filter(offer_id="o365-e3", billing_cycle="annual").delete()
    assert upgrade_option_for(
        actor=agent, subscription=source, target_offer_id="o365-e3", billing_cycle="monthly"
    ).is_eligible
    option = upgrade_option_for(actor=agent, subscription=source, target_offer_id="o365-e3", billing_cycle="annual")
    assert codes(option) == {C.OFFER_DOES_NOT_SUPPORT_BILLING_CYCLE}
    assert "annual" in option.errors[0].additional_details


def test_code_10_price_in_another_currency_does_not_count(agent, source):
    OfferPrice.objects.filter(offer_id="o365-e3", billing_cycle="annual").update(currency="EUR")
    option = upgrade_option_for(actor=agent, subscription=source, target_offer_id="o365-e3", billing_cycle="annual")
    assert codes(option) == {C.OFFER_DOES_NOT_SUPPORT_BILLING_CYCLE}


def test_several_codes_at_once(partner, source, customer):
    GdapRelationship.objects.filter(customer=customer).update(status="terminated")
    source.status, source.provisioning_state = "suspended", "provisioning"
    source.save()
    make_subscription(customer, "audio-conferencing", partner=partner, parent=source)
    make_subscription(customer, "o365-e3", channel="volume_licensing")
    OfferPrice.objects.filter(offer_id="o365-e3", billing_cycle="annual").delete()
    option = upgrade_option_for(
        actor=app_actor(partner), subscription=source, target_offer_id="o365-e3", billing_cycle="annual"
    )
    assert codes(option) == {
        C.DELEGATED_ADMIN_PERMISSIONS_DISABLED,
        C.SUBSCRIPTION_STATUS_NOT_ACTIVE,
        C.CONFLICTING_SERVICE_TYPES,
        C.USER_CONTEXT_REQUIRED,
        C.SUBSCRIPTION_ADD_ONS_PRESENT,
        C.SUBSCRIPTION_NOT_PROVISIONED,
        C.OFFER_DOES_NOT_SUPPORT_BILLING_CYCLE,
    }
    every = upgrade_options_for(actor=app_actor(partner), subscription=source)
    assert len(every) == 4 and all(o.upgrade_type == "none" and not o.is_eligible for o in every)


def test_dap_counts_as_an_active_relationship(agent, source, customer, partner):
    GdapRelationship.objects.filter(customer=customer).delete()
    DapGrant.objects.create(partner=partner, customer=customer, enabled=True)
    option = upgrade_option_for(actor=agent, subscription=source, target_offer_id="o365-e3")
    assert option.is_eligible and option.upgrade_type == "upgrade_only"  # agent is not in Admin Agents
    factories.SecurityGroupFactory(partner=partner, name="Admin Agents").members.add(agent)
    option = upgrade_option_for(actor=agent, subscription=source, target_offer_id="o365-e3")
    assert option.upgrade_type == "upgrade_with_license_transfer"


def test_other_partners_and_other_channels_are_not_found(agent, customer, other_partner):
    factories.RelationshipFactory(partner=other_partner, customer=customer)
    theirs = make_subscription(customer, "m365-business-basic", partner=other_partner)
    direct = make_subscription(customer, "m365-business-basic", channel="direct", payment_method="invoice")
    for subscription in (theirs, direct):
        with pytest.raises(NotFound):
            upgrade_options_for(actor=agent, subscription=subscription)
    with pytest.raises(NotFound):
        upgrade_options_for(actor=agent, subscription="not-a-uuid")


def test_superuser_acts_for_the_selling_partner(source):
    operator = factories.UserFactory(is_superuser=True, is_staff=True)
    options = upgrade_options_for(actor=operator, subscription=source.pk)
    assert [o.target_offer.pk for o in options] == ["m365-business-standard", "o365-e1", "o365-e3", "o365-e5"]
    assert all(o.upgrade_type == "upgrade_with_license_transfer" for o in options)


def test_billing_admin_may_not_see_upgrade_options(partner, source):
    from django.core.exceptions import PermissionDenied

    billing = factories.PartnerUserFactory(partner=partner, roles=["billing_admin"])
    with pytest.raises(PermissionDenied):
        upgrade_options_for(actor=billing, subscription=source)
