"""The manual path: buy, check it is ready, move any number of users in one action, cancel; CSP E4 by hand."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.errors import Forbidden, InvalidInput
from customers.models import TenantUser
from direct import partner_e4, services
from direct.models import DirectOrder
from subscriptions.models import LicenseAssignment, Subscription
from tests import factories
from tests.builders import direct_subscription


def bulk_users(subscription, count, *, disabled=()):
    users = TenantUser.objects.bulk_create(
        [
            TenantUser(customer=subscription.customer, user_principal_name=f"u{subscription.pk.hex[:6]}{i}@fabrikam.se")
            for i in range(count)
        ]
    )
    LicenseAssignment.objects.bulk_create(
        [LicenseAssignment(user=u, subscription=subscription, disabled_service_plans=list(disabled)) for u in users]
    )
    return users


def moved_queries(admin, customer, count):
    source = direct_subscription(customer, "o365-e3", quantity=count)
    target = direct_subscription(customer, "m365-e3", quantity=count)
    users = bulk_users(source, count, disabled=["TEAMS1"])
    admin = type(admin).objects.get(pk=admin.pk)  # a fresh actor: no cached roles
    with CaptureQueriesContext(connection) as ctx:
        result = services.licenses_move(
            actor=admin,
            customer=customer,
            source_id=source.pk,
            target_id=target.pk,
            user_ids=[u.object_id for u in users],
        )
    assert result.moved == count
    assert target.assignments.count() == count and not source.assignments.exists()
    assert not target.assignments.exclude(disabled_service_plans=[]).exists()
    return len(ctx.captured_queries)


def test_moving_5000_selected_users_costs_a_fixed_number_of_queries(admin, customer):
    small = moved_queries(admin, customer, 20)
    large = moved_queries(admin, customer, 5000)
    assert small == large <= 12


def test_move_some_users_and_all_users(admin, customer):
    source = direct_subscription(customer, "o365-e3")
    target = direct_subscription(customer, "m365-e3", quantity=10)
    users = bulk_users(source, 6)
    result = services.licenses_move(
        actor=admin,
        customer=customer,
        source_id=source.pk,
        target_id=target.pk,
        user_ids=[str(users[0].object_id), str(users[1].object_id)],
    )
    assert result.moved == 2 and source.assignments.count() == 4
    result = services.licenses_move(
        actor=admin, customer=customer, source_id=source.pk, target_id=target.pk, all_users=True
    )
    assert result.moved == 4 and target.assignments.count() == 6


def test_move_refuses_without_enough_licenses_or_unready_target(admin, customer):
    source = direct_subscription(customer, "o365-e3")
    target = direct_subscription(customer, "m365-e3", quantity=2)
    bulk_users(source, 3)
    with pytest.raises(InvalidInput) as exc:
        services.licenses_move(actor=admin, customer=customer, source_id=source.pk, target_id=target.pk, all_users=True)
    assert exc.value.field == "target_id" and "free licenses" in exc.value.message
    target.quantity, target.provisioning_state = 10, "provisioning"
    target.save()
    with pytest.raises(InvalidInput, match="isn't ready"):
        services.licenses_move(actor=admin, customer=customer, source_id=source.pk, target_id=target.pk, all_users=True)
    with pytest.raises(InvalidInput) as exc:
        services.licenses_move(
            actor=admin, customer=customer, source_id=source.pk, target_id=target.pk, user_ids=["not-a-guid"]
        )
    assert exc.value.field == "user_ids"
    assert source.assignments.count() == 3


def test_user_already_in_target_keeps_that_license(admin, customer):
    source = direct_subscription(customer, "o365-e3")
    target = direct_subscription(customer, "m365-e3")
    users = bulk_users(source, 2)
    LicenseAssignment.objects.create(user=users[0], subscription=target)
    result = services.licenses_move(
        actor=admin, customer=customer, source_id=source.pk, target_id=target.pk, all_users=True
    )
    assert (result.moved, result.already_in_target) == (1, 1)
    assert target.assignments.count() == 2 and not source.assignments.exists()


def test_roles_for_moves(customer):
    billing_admin = factories.UserFactory()
    factories.CustomerAdminRoleFactory(user=billing_admin, customer=customer, role="billing_administrator")
    user_admin = factories.UserFactory()
    factories.CustomerAdminRoleFactory(user=user_admin, customer=customer, role="user_administrator")
    source = direct_subscription(customer, "o365-e3")
    target = direct_subscription(customer, "m365-e3")
    bulk_users(source, 2)
    with pytest.raises(Forbidden):
        services.licenses_move(
            actor=billing_admin, customer=customer, source_id=source.pk, target_id=target.pk, all_users=True
        )
    assert (
        services.licenses_move(
            actor=user_admin, customer=customer, source_id=source.pk, target_id=target.pk, all_users=True
        ).moved
        == 2
    )


def test_manual_plan_change_e4_to_e3_through_the_pages(admin_client, customer, e4, django_capture_on_commit_callbacks):
    bulk_users(e4, 4)
    tenant = {"tenant_id": customer.tenant_id}
    with django_capture_on_commit_callbacks(execute=True):
        bought = admin_client.post(
            reverse("direct:purchase", kwargs=tenant),
            {"offer_id": "o365-e3", "quantity": 10, "billing_cycle": "monthly", "payment_method": "credit_card"},
        )
    assert bought.status_code == 302
    e3 = DirectOrder.objects.get().target_subscription
    assert (e3.status, e3.provisioning_state, e3.quantity) == ("active", "provisioned", 10)
    moved = admin_client.post(
        reverse("direct:licenses_move", kwargs=tenant), {"source_id": e4.pk, "target_id": e3.pk, "all_users": "on"}
    )
    assert moved.status_code == 302 and e3.assignments.count() == 4
    cancelled = admin_client.post(
        reverse("direct:cancel", kwargs={**tenant, "subscription_id": e4.pk}), {"confirm": "yes"}
    )
    assert cancelled.status_code == 302
    assert Subscription.objects.get(pk=e4.pk).status == "deleted"


def test_cancel_refused_while_users_hold_licenses(admin, customer, e4):
    bulk_users(e4, 1)
    with pytest.raises(InvalidInput, match="Move the 1 users"):
        services.subscription_cancel(actor=admin, customer=customer, subscription_id=e4.pk)


def test_partner_replaces_a_csp_e4_and_it_is_deprovisioned_after_120_days(customer):
    agent = factories.PartnerUserFactory(roles=["admin_agent"])
    factories.RelationshipFactory(partner=agent.partner, customer=customer)
    e4 = direct_subscription(customer, channel="csp", partner=agent.partner, payment_method="")
    bulk_users(e4, 3, disabled=["MCOVOICECONF"])
    result = partner_e4.csp_e4_replace(actor=agent, subscription_id=e4.pk, target_offer_id="m365-e5")
    e4.refresh_from_db()
    assert e4.status == "suspended" and e4.suspended_at is not None
    assert result.target.channel == "csp" and result.target.partner_id == agent.partner_id
    assert result.target.assignments.count() == 3 and result.licenses_moved == 3

    assert partner_e4.suspended_e4_deprovision(now=e4.suspended_at + timedelta(days=119)) == 0
    assert partner_e4.suspended_e4_deprovision(now=e4.suspended_at + timedelta(days=120)) == 1
    e4.refresh_from_db()
    assert e4.status == "deleted"


def test_other_partner_can_not_replace(customer):
    owner = factories.PartnerUserFactory(roles=["admin_agent"])
    other = factories.PartnerUserFactory(roles=["admin_agent"])
    factories.RelationshipFactory(partner=other.partner, customer=customer)
    e4 = direct_subscription(customer, channel="csp", partner=owner.partner, payment_method="")
    from core.errors import NotFound

    with pytest.raises(NotFound):
        partner_e4.csp_e4_replace(actor=other, subscription_id=e4.pk, target_offer_id="m365-e5")
    assert Subscription.objects.get(pk=e4.pk).status == "active"
