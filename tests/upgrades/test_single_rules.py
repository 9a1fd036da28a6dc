"""Each upgrade rule is written once: "sold by this partner" (``Subscription.sold_by`` / ``is_sold_by``, asked by
the scoping, the upgrade loader, the portal and the customer page's icons), the offer's quantity limits
(``Offer.quantity_problem``, asked by subscription changes, upgrades and the direct cart) and the affected-accounts
reader (``upgrades.steps.read_affected_accounts``, used by the license transfer and the preview)."""

import pytest

from catalog.models import Offer
from core.errors import InvalidInput
from subscriptions.models import LicenseAssignment, Subscription
from subscriptions.services import subscription_update
from tests import factories
from tests.builders import add_users, make_subscription
from upgrades.exceptions import InvalidUpgradeInput
from upgrades.policies import is_upgradable, upgradable_subscriptions
from upgrades.preview import upgrade_preview, upgrade_states_for
from upgrades.services import subscription_upgrade

pytestmark = pytest.mark.django_db
TRANSFER = "upgrade_with_license_transfer"


@pytest.fixture
def rows(customer, partner, other_partner):
    factories.RelationshipFactory(partner=other_partner, customer=customer)
    return {
        "ours": make_subscription(customer, partner=partner),
        "theirs": make_subscription(customer, partner=other_partner),
        "unmanaged": make_subscription(customer, partner=None, channel_partner_name="Somebody CSP"),
        "direct": make_subscription(customer, channel="direct", payment_method="credit_card"),
        "cancelled": make_subscription(customer, partner=partner, status="deleted"),
    }


def test_sold_by_is_one_predicate_for_rows_and_querysets(rows, partner, other_partner):
    for name, row in rows.items():
        in_query = Subscription.objects.filter(pk=row.pk).sold_by(partner).exists()
        assert row.is_sold_by(partner) is in_query, name
        assert row.is_sold_by(partner.pk) is in_query, name
        assert row.is_sold_by() is Subscription.objects.filter(pk=row.pk).sold_by().exists(), name
    assert {n for n, r in rows.items() if r.is_sold_by(partner)} == {"ours", "cancelled"}
    assert {n for n, r in rows.items() if r.is_sold_by(other_partner)} == {"theirs"}
    assert {n for n, r in rows.items() if r.is_sold_by()} == {"ours", "theirs", "cancelled"}


def test_upgradable_is_what_the_partner_sold_and_not_cancelled(rows, agent):
    assert set(upgradable_subscriptions(agent)) == {rows["ours"], rows["cancelled"]}  # the loader's scope
    assert {n for n, r in rows.items() if is_upgradable(r)} == {"ours", "theirs"}  # rows already in scope
    # The customer page's icons ask the same predicate: only the partner's own, live subscription gets one.
    assert set(upgrade_states_for(actor=agent, subscriptions=list(rows.values()))) == {rows["ours"].pk}


def test_offer_quantity_problem_is_the_one_limit_check():
    offer = Offer.objects.get(pk="o365-e3")
    offer.minimum_quantity, offer.maximum_quantity = 2, 50
    assert offer.quantity_problem(2) is None and offer.quantity_problem(50) is None
    assert offer.quantity_problem(1) == "must be between 2 and 50 for Office 365 E3."
    assert offer.quantity_problem(51) == "must be between 2 and 50 for Office 365 E3."


def test_upgrades_and_subscription_changes_ask_the_offer(agent, source):
    Offer.objects.filter(pk="o365-e3").update(maximum_quantity=12)
    with pytest.raises(InvalidUpgradeInput) as upgrade_refused:
        subscription_upgrade(actor=agent, subscription_id=source.pk, target_offer_id="o365-e3", quantity=13)
    assert upgrade_refused.value.field == "quantity"
    assert upgrade_refused.value.message == "must be between 1 and 12 for Office 365 E3."

    Offer.objects.filter(pk=source.offer_id).update(maximum_quantity=11)
    source = Subscription.objects.select_related("offer").get(pk=source.pk)
    with pytest.raises(InvalidInput) as change_refused:
        subscription_update(actor=agent, subscription=source, changes={"quantity": 12})
    assert change_refused.value.message == "must be between 1 and 11 for Microsoft 365 Business Basic."


def test_preview_and_upgrade_read_the_affected_accounts_alike(agent, source, customer):
    switched = add_users(source, 2, disabled=["EXCHANGE_S_STANDARD"], prefix="switched")
    add_users(source, 2, disabled=["SHAREPOINTWAC"], prefix="kept")
    elsewhere = make_subscription(customer, "o365-e1", channel="direct", payment_method="credit_card")
    LicenseAssignment.objects.create(user=switched[0], subscription=elsewhere)

    preview = upgrade_preview(actor=agent, subscription=source.pk, target_offer_id="o365-e3", upgrade_type=TRANSFER)
    result = subscription_upgrade(
        actor=agent, subscription_id=source.pk, target_offer_id="o365-e3", upgrade_type=TRANSFER
    )

    assert preview.affected_accounts == result.affected_accounts
    by_user = {a["userObjectId"]: [r["code"] for r in a["reasons"]] for a in result.affected_accounts}
    assert by_user == {
        str(switched[0].object_id): ["service_plans_switched_on", "same_service_in_other_subscription"],
        str(switched[1].object_id): ["service_plans_switched_on"],
    }
