"""Multichannel conflicts (code 3): the target, or a service it adds, held through another channel."""

import pytest

from tests import factories
from tests.builders import make_subscription
from upgrades.eligibility import UpgradeErrorCode as C
from upgrades.selectors import upgrade_option_for

pytestmark = pytest.mark.django_db

CHANNELS = [
    ({"channel": "direct", "payment_method": "credit_card"}, "Direct (Microsoft) · Credit card"),
    ({"channel": "volume_licensing"}, "Volume licensing"),
    ({"channel": "advisor"}, "Advisor"),
    ("other_partner", "CSP (Wingtip CSP)"),
    ("this_partner", "CSP (Contoso CSP)"),
]


def _hold(customer, offer_id, how, partner, other_partner, **extra):
    if how == "other_partner":
        return make_subscription(customer, offer_id, partner=other_partner, **extra)
    if how == "this_partner":
        return make_subscription(customer, offer_id, partner=partner, **extra)
    return make_subscription(customer, offer_id, **how, **extra)


@pytest.mark.parametrize("how,label", CHANNELS)
def test_target_already_held(how, label, agent, source, customer, partner, other_partner):
    held = _hold(customer, "o365-e3", how, partner, other_partner)
    option = upgrade_option_for(actor=agent, subscription=source, target_offer_id="o365-e3")
    assert {e.code for e in option.errors} == {C.CONFLICTING_SERVICE_TYPES}
    details = option.errors[0].additional_details
    assert str(held.pk) in details and label in details and "Office 365 E3" in details
    assert option.errors[0].error_name == "conflicting_service_types"


@pytest.mark.parametrize("how,label", CHANNELS)
def test_added_service_already_held(how, label, agent, source, customer, partner, other_partner):
    # Business Standard adds the Office apps (level 2) over Business Basic; Apps for business has them.
    held = _hold(customer, "m365-apps-for-business", how, partner, other_partner)
    option = upgrade_option_for(actor=agent, subscription=source, target_offer_id="m365-business-standard")
    assert {e.code for e in option.errors} == {C.CONFLICTING_SERVICE_TYPES}
    details = option.errors[0].additional_details
    assert str(held.pk) in details and label in details and "Office apps" in details
    # E3 adds Office apps at level 3: Apps for business (level 2) is no conflict there.
    assert upgrade_option_for(actor=agent, subscription=source, target_offer_id="o365-e3").is_eligible


def test_suspended_target_counts_but_suspended_service_holder_does_not(agent, source, customer):
    make_subscription(customer, "m365-apps-for-business", channel="advisor", status="suspended")
    assert upgrade_option_for(actor=agent, subscription=source, target_offer_id="m365-business-standard").is_eligible
    make_subscription(customer, "m365-business-standard", channel="advisor", status="suspended")
    option = upgrade_option_for(actor=agent, subscription=source, target_offer_id="m365-business-standard")
    assert {e.code for e in option.errors} == {C.CONFLICTING_SERVICE_TYPES}


def test_deleted_subscriptions_never_conflict(agent, source, customer):
    make_subscription(customer, "o365-e3", channel="volume_licensing", status="deleted")
    assert upgrade_option_for(actor=agent, subscription=source, target_offer_id="o365-e3").is_eligible


def test_each_conflict_is_listed(agent, source, customer, other_partner):
    make_subscription(customer, "o365-e5", channel="volume_licensing")
    make_subscription(customer, "o365-e5", partner=other_partner)
    option = upgrade_option_for(actor=agent, subscription=source, target_offer_id="o365-e5")
    assert [e.code for e in option.errors] == [C.CONFLICTING_SERVICE_TYPES] * 2


def test_add_on_of_another_subscription_is_a_conflict(agent, source, customer, partner):
    base = make_subscription(customer, "o365-e1", channel="direct", payment_method="invoice")
    make_subscription(customer, "audio-conferencing", channel="direct", payment_method="invoice", parent=base)
    option = upgrade_option_for(actor=agent, subscription=source, target_offer_id="o365-e5")
    assert {e.code for e in option.errors} == {C.CONFLICTING_SERVICE_TYPES}
    assert "Audio Conferencing" in option.errors[0].additional_details


def test_unmanaged_partner_is_named_by_its_channel_partner_name(agent, source, customer):
    held = factories.SubscriptionFactory(
        customer=customer, offer_id="o365-e3", partner=None, channel="csp", channel_partner_name="Adatum Reseller"
    )
    option = upgrade_option_for(actor=agent, subscription=source, target_offer_id="o365-e3")
    assert str(held.pk) in option.errors[0].additional_details
    assert "CSP (Adatum Reseller)" in option.errors[0].additional_details
