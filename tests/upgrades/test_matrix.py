"""The whole CSP matrix (domain.md §5), table-driven: every source × every offer of the catalog."""

import pytest

from catalog.models import Offer
from tests.builders import make_subscription
from upgrades.eligibility import UpgradeErrorCode as C
from upgrades.selectors import upgrade_option_for, upgrade_options_for

# domain.md §5, with footnote 1 (India) and the extension row of the India Business Standard.
EXPECTED = {
    "m365-apps-for-business": ["m365-business-premium", "m365-apps-for-enterprise", "o365-e3", "o365-e5"],
    "m365-business-standard": ["o365-e3", "o365-e5"],
    "m365-business-basic": ["m365-business-standard", "o365-e1", "o365-e3", "o365-e5"],
    "m365-apps-for-business-in": ["m365-business-standard-in", "m365-apps-for-enterprise", "o365-e3", "o365-e5"],
    "m365-business-basic-in": ["m365-business-standard-in", "o365-e1", "o365-e3", "o365-e5"],
    "m365-business-standard-in": ["o365-e3", "o365-e5"],
}
CATALOG = [
    "m365-business-basic",
    "m365-business-basic-in",
    "m365-business-standard",
    "m365-business-standard-in",
    "m365-business-premium",
    "m365-apps-for-business",
    "m365-apps-for-business-in",
    "m365-apps-for-enterprise",
    "o365-e1",
    "o365-e3",
    "o365-e4",
    "o365-e5",
    "m365-e3",
    "m365-e5",
    "m365-e5-no-audio",
    "audio-conferencing",
    "phone-system",
    "extra-file-storage",
    "exchange-online-archiving",
]


@pytest.mark.django_db
def test_catalog_list_is_complete():
    assert set(Offer.objects.values_list("pk", flat=True)) == set(CATALOG)


@pytest.mark.django_db
@pytest.mark.parametrize("source_offer", CATALOG)
def test_matrix(source_offer, agent, partner, customer, india_customer):
    owner = india_customer if source_offer.endswith("-in") else customer
    source = make_subscription(owner, source_offer, partner=partner)
    expected = EXPECTED.get(source_offer, [])
    options = upgrade_options_for(actor=agent, subscription=source)
    assert [o.target_offer.pk for o in options] == expected
    assert all(o.is_eligible for o in options)
    for target in CATALOG:
        option = upgrade_option_for(actor=agent, subscription=source, target_offer_id=target)
        found = {e.code for e in option.errors}
        if target in expected:
            assert option.is_eligible, (source_offer, target, option.errors)
        elif not expected:
            assert found == {C.SUBSCRIPTION_DOES_NOT_HAVE_ANY_UPGRADE_PATHS}, (source_offer, target)
        else:
            assert found == {C.SUBSCRIPTION_TARGET_OFFER_NOT_FOUND}, (source_offer, target, option.errors)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "source_offer", ["m365-apps-for-business-in", "m365-business-basic-in", "m365-business-standard-in"]
)
def test_india_source_is_never_offered_the_global_business_standard(source_offer, agent, partner, india_customer):
    source = make_subscription(india_customer, source_offer, partner=partner)
    assert "m365-business-standard" not in [
        o.target_offer.pk for o in upgrade_options_for(actor=agent, subscription=source)
    ]
    option = upgrade_option_for(actor=agent, subscription=source, target_offer_id="m365-business-standard")
    assert {e.code for e in option.errors} == {C.SUBSCRIPTION_TARGET_OFFER_NOT_FOUND}


@pytest.mark.django_db
def test_an_edited_matrix_row_to_the_global_business_standard_is_still_filtered_for_india(
    agent, partner, india_customer
):
    from catalog.models import UpgradePath

    UpgradePath.objects.create(source_id="m365-business-basic-in", target_id="m365-business-standard", position=9)
    source = make_subscription(india_customer, "m365-business-basic-in", partner=partner)
    assert [o.target_offer.pk for o in upgrade_options_for(actor=agent, subscription=source)] == EXPECTED[
        "m365-business-basic-in"
    ]
