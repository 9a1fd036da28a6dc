"""``subscription_upgrade``: the whole upgrade in one transaction (domain.md §5)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from audit.models import AuditRecord
from catalog.models import Offer
from core.errors import Forbidden, InvalidInput, NotFound
from core.models import WorkflowTransition
from customers.models import TenantUser
from subscriptions.models import LicenseAssignment, Subscription
from tests import factories
from tests.builders import add_users, app_actor, grant_gdap, make_subscription
from upgrades import steps
from upgrades.eligibility import UpgradeErrorCode as C
from upgrades.exceptions import UpgradeNotEligible
from upgrades.models import BillingEntry, UpgradeOperation
from upgrades.services import subscription_upgrade

pytestmark = pytest.mark.django_db
TODAY = date(2025, 3, 11)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture
def monthly(customer, partner):
    return make_subscription(
        customer,
        "m365-business-basic",
        partner=partner,
        quantity=10,
        term_start_date=date(2025, 3, 1),
        commitment_end_date=date(2026, 2, 28),
    )


def upgrade(agent, source, target="o365-e3", **kwargs):
    return subscription_upgrade(actor=agent, subscription_id=source.pk, target_offer_id=target, **kwargs)


def test_upgrade_with_license_transfer(agent, monthly, customer, partner):
    kept = add_users(monthly, 2, disabled=["SHAREPOINTWAC"], prefix="kept")
    switched = add_users(monthly, 1, disabled=["EXCHANGE_S_STANDARD"], prefix="switched")
    plain = add_users(monthly, 2, prefix="plain")

    result = upgrade(agent, monthly, correlation_id="corr-1")

    target = Subscription.objects.get(pk=result.target_subscription_id)
    assert (target.offer_id, target.quantity, target.billing_cycle, target.status) == (
        "o365-e3",
        10,
        "monthly",
        "active",
    )
    assert (target.channel, target.partner, target.customer) == ("csp", partner, customer)
    assert target.term_start_date == TODAY and target.commitment_end_date == date(2026, 2, 28)
    monthly.refresh_from_db()
    assert monthly.status == "deleted" and monthly.auto_renew is False

    assert not LicenseAssignment.objects.filter(subscription=monthly).exists()
    moved = {a.user_id: a.disabled_service_plans for a in LicenseAssignment.objects.filter(subscription=target)}
    assert moved == {**{u.pk: ["SHAREPOINTWAC"] for u in kept}, switched[0].pk: [], **{u.pk: [] for u in plain}}
    assert result.licenses_moved == 5 and result.license_errors == []
    assert result.upgrade_type == "upgrade_with_license_transfer" and result.upgrade_errors == ()
    assert [(a["userObjectId"], a["reasons"][0]["servicePlans"]) for a in result.affected_accounts] == [
        (str(switched[0].object_id), ["EXCHANGE_S_STANDARD"])
    ]

    # Billing: 21 of 31 days of March remain.
    entries = {e.kind: e for e in BillingEntry.objects.filter(operation_id=result.operation_id)}
    assert entries["credit"].amount == Decimal("-40.65") and entries["credit"].currency == "USD"
    assert entries["credit"].subscription_id == monthly.pk
    assert entries["charge"].amount == Decimal("155.81") and entries["charge"].subscription_id == target.pk
    assert (entries["charge"].period_start, entries["charge"].period_end) == (TODAY, date(2025, 3, 31))
    assert result.billing["net"] == {"USD": "115.16"}

    operation = UpgradeOperation.objects.get(pk=result.operation_id)
    assert (operation.status, operation.target_id, operation.quantity) == ("succeeded", target.pk, 10)
    assert operation.actor_user == agent and operation.actor_upn == agent.email
    assert operation.result["targetSubscriptionId"] == str(target.pk) and operation.completed is not None
    history = list(operation.history.values_list("from_status", "to_status"))
    assert history == [("", "pending"), ("pending", "in_progress"), ("in_progress", "succeeded")]

    records = {r.operation_type: r for r in AuditRecord.objects.filter(customer=customer)}
    assert set(records) == {"upgrade_subscription", "update_customer_user_licenses"}
    assert records["upgrade_subscription"].resource_old_value["subscriptionId"] == str(monthly.pk)
    assert records["upgrade_subscription"].resource_new_value["subscriptionId"] == str(target.pk)
    assert records["update_customer_user_licenses"].resource_new_value["licensesMoved"] == 5
    assert all(r.original_correlation_id == "corr-1" and r.partner == partner for r in records.values())
    assert records["upgrade_subscription"].user_principal_name == agent.email


def test_users_holding_the_same_service_elsewhere_are_affected(agent, monthly, customer):
    users = add_users(monthly, 3)
    e1 = make_subscription(customer, "o365-e1", channel="direct", payment_method="credit_card")
    LicenseAssignment.objects.create(user=users[0], subscription=e1)
    result = upgrade(agent, monthly)
    assert len(result.affected_accounts) == 1
    reason = result.affected_accounts[0]["reasons"][0]
    assert result.affected_accounts[0]["userObjectId"] == str(users[0].object_id)
    assert reason["code"] == "same_service_in_other_subscription" and reason["subscriptionId"] == str(e1.pk)
    assert {"exchange", "sharepoint", "teams"} <= set(reason["families"])


def test_transfer_step_reports_users_already_licensed_in_the_target(monthly, customer, partner):
    users = add_users(monthly, 3)
    target = make_subscription(customer, "o365-e3", partner=partner)
    LicenseAssignment.objects.create(user=users[1], subscription=target)
    families = dict(Offer.objects.get(pk="o365-e3").service_plans.values_list("code", "family_id"))
    outcome = steps.transfer_licenses(source=monthly, target=target, target_plan_families=families)
    assert outcome.moved == 2
    assert [e["userObjectId"] for e in outcome.license_errors] == [str(users[1].object_id)]
    assert outcome.license_errors[0]["errors"][0]["code"] == "user_already_licensed"
    assert LicenseAssignment.objects.filter(subscription=monthly).get().user == users[1]


def test_transfer_step_moves_a_given_set_of_users(monthly, customer, partner):
    users = add_users(monthly, 4)
    target = make_subscription(customer, "o365-e3", partner=partner)
    outcome = steps.transfer_licenses(
        source=monthly, target=target, target_plan_families={}, user_ids=[users[0].pk, users[2].pk]
    )
    assert outcome.moved == 2
    assert set(LicenseAssignment.objects.filter(subscription=target).values_list("user_id", flat=True)) == {
        users[0].pk,
        users[2].pk,
    }


def test_upgrade_only_leaves_assignments_on_the_old_subscription(agent, monthly, customer):
    add_users(monthly, 4)
    result = upgrade(agent, monthly, upgrade_type="upgrade_only")
    assert result.upgrade_type == "upgrade_only" and result.licenses_moved == 0
    assert LicenseAssignment.objects.filter(subscription=monthly).count() == 4
    assert not LicenseAssignment.objects.filter(subscription_id=result.target_subscription_id).exists()
    assert list(AuditRecord.objects.filter(customer=customer).values_list("operation_type", flat=True)) == [
        "upgrade_subscription"
    ]


def test_reader_roles_default_to_upgrade_only_and_cannot_ask_for_transfer(partner, customer, monthly):
    reader = factories.PartnerUserFactory(partner=partner, roles=["sales_agent"])
    grant_gdap(partner=partner, customer=customer, user=reader, roles=["Directory Readers"])
    with pytest.raises(Forbidden) as error:
        upgrade(reader, monthly, upgrade_type="upgrade_with_license_transfer")
    assert error.value.field == "upgradeType"
    assert upgrade(reader, monthly).upgrade_type == "upgrade_only"


def test_annual_billing_is_prorated_over_the_term_year(agent, customer, partner):
    annual = make_subscription(
        customer,
        "m365-business-basic",
        partner=partner,
        quantity=10,
        billing_cycle="annual",
        term_start_date=date(2024, 6, 15),
        commitment_end_date=date(2025, 6, 14),
    )
    result = upgrade(agent, annual, target="m365-business-standard")
    entries = {e.kind: e for e in BillingEntry.objects.filter(operation_id=result.operation_id)}
    # 96 of 365 days remain: 72.00 × 10 × 96/365 and 150.00 × 10 × 96/365.
    assert entries["credit"].amount == Decimal("-189.37")
    assert entries["charge"].amount == Decimal("394.52")
    assert entries["charge"].period_end == date(2025, 6, 14)
    assert Subscription.objects.get(pk=result.target_subscription_id).billing_cycle == "annual"


def test_requested_billing_cycle_and_quantity(agent, monthly):
    result = upgrade(agent, monthly, quantity=12, billing_cycle="annual")
    target = Subscription.objects.get(pk=result.target_subscription_id)
    assert (target.quantity, target.billing_cycle) == (12, "annual")
    charge = BillingEntry.objects.get(operation_id=result.operation_id, kind="charge")
    assert charge.amount == Decimal("190.55")  # 276.00 × 12 × 21/365


def test_india_upgrade_books_each_offer_in_its_currency(agent, india_customer, partner):
    source = make_subscription(
        india_customer, "m365-business-basic-in", partner=partner, quantity=10, term_start_date=date(2025, 3, 1)
    )
    result = upgrade(agent, source)
    assert result.billing["credit"] == {**result.billing["credit"], "amount": "-982.26", "currency": "INR"}
    assert result.billing["charge"]["amount"] == "155.81" and result.billing["charge"]["currency"] == "USD"
    assert result.billing["net"] == {"INR": "-982.26", "USD": "155.81"}


@pytest.mark.parametrize(
    "quantity,reason",
    [
        (9, "lower"),
        (-1, "negative"),
        ("12", "whole number"),
        (10.5, "whole number"),
        (True, "whole number"),
        (300_001, "must be between 1 and 300000"),  # the offer's limits (Offer.quantity_problem)
    ],
)
def test_bad_quantity(quantity, reason, agent, monthly):
    with pytest.raises(InvalidInput) as error:
        upgrade(agent, monthly, quantity=quantity)
    assert error.value.field == "quantity" and reason in error.value.message
    assert not UpgradeOperation.objects.exists()


def test_quantity_above_the_offer_maximum(agent, monthly):
    Offer.objects.filter(pk="o365-e3").update(maximum_quantity=50)
    with pytest.raises(InvalidInput) as error:
        upgrade(agent, monthly, quantity=51)
    assert error.value.field == "quantity"
    assert upgrade(agent, monthly, quantity=50).target_subscription_id


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"upgrade_type": "upgrade_everything"}, "upgradeType"),
        ({"upgrade_type": 7}, "upgradeType"),
        ({"billing_cycle": "weekly"}, "billingCycle"),
        ({"target": ""}, "targetOfferId"),
    ],
)
def test_bad_input_names_the_field(kwargs, field, agent, monthly):
    with pytest.raises(InvalidInput) as error:
        upgrade(agent, monthly, **kwargs)
    assert error.value.field == field


def test_integer_upgrade_types_are_accepted(agent, monthly):
    add_users(monthly, 2)
    assert upgrade(agent, monthly, upgrade_type=2).licenses_moved == 2


def test_unknown_target_is_code_8(agent, monthly):
    with pytest.raises(UpgradeNotEligible) as error:
        upgrade(agent, monthly, target="no-such-offer")
    assert error.value.codes == {C.SUBSCRIPTION_TARGET_OFFER_NOT_FOUND}
    assert error.value.result.target_subscription_id is None
    assert error.value.error_name == "subscription_target_offer_not_found" and error.value.code == 8


def test_not_eligible_raises_every_reason_and_writes_nothing(partner, monthly, customer):
    monthly.provisioning_state = "provisioning"
    monthly.save()
    make_subscription(customer, "audio-conferencing", partner=partner, parent=monthly)
    with pytest.raises(UpgradeNotEligible) as error:
        subscription_upgrade(actor=app_actor(partner), subscription_id=monthly.pk, target_offer_id="o365-e3")
    assert error.value.codes == {
        C.USER_CONTEXT_REQUIRED,
        C.SUBSCRIPTION_ADD_ONS_PRESENT,
        C.SUBSCRIPTION_NOT_PROVISIONED,
    }
    assert [d["code"] for d in error.value.data] == [5, 6, 9]
    assert not UpgradeOperation.objects.exists() and not AuditRecord.objects.filter(customer=customer).exists()


def test_second_upgrade_of_the_same_subscription_is_refused(agent, monthly):
    upgrade(agent, monthly)
    with pytest.raises(UpgradeNotEligible) as error:
        upgrade(agent, monthly, target="o365-e5")
    assert C.SUBSCRIPTION_STATUS_NOT_ACTIVE in error.value.codes


def test_another_partners_subscription_is_not_found(agent, customer, other_partner):
    theirs = make_subscription(customer, "m365-business-basic", partner=other_partner)
    with pytest.raises(NotFound):
        upgrade(agent, theirs)


def test_billing_admin_cannot_upgrade(partner, monthly):
    with pytest.raises(PermissionDenied):
        upgrade(factories.PartnerUserFactory(partner=partner, roles=["billing_admin"]), monthly)


def test_error_halfway_through_the_transfer_leaves_everything_as_before(agent, monthly, customer, monkeypatch):
    users = add_users(monthly, 6, disabled=["EXCHANGE_S_STANDARD"])
    before = {
        "subscriptions": list(Subscription.objects.order_by("pk").values()),
        "assignments": list(LicenseAssignment.objects.order_by("pk").values()),
        "users": TenantUser.objects.count(),
    }

    def half_transfer(*, source, target, **kwargs):
        LicenseAssignment.objects.filter(subscription_id=source.pk).update(subscription_id=target.pk)
        raise RuntimeError("storage went away")

    monkeypatch.setattr(steps, "transfer_licenses", half_transfer)
    with pytest.raises(RuntimeError):
        upgrade(agent, monthly)
    assert list(Subscription.objects.order_by("pk").values()) == before["subscriptions"]
    assert list(LicenseAssignment.objects.order_by("pk").values()) == before["assignments"]
    assert TenantUser.objects.count() == before["users"] == len(users)
    assert not UpgradeOperation.objects.exists() and not WorkflowTransition.objects.exists()
    assert not BillingEntry.objects.exists() and not AuditRecord.objects.filter(customer=customer).exists()
