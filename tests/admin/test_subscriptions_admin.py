"""Subscriptions and licenses in the admin go through the services (issue 8 item 1)."""

import pytest

from audit.models import AuditRecord
from subscriptions.models import LicenseAssignment, Subscription
from tests.builders import admin_url, form_data, give_contoso_admin, page_text

pytestmark = pytest.mark.django_db


def test_a_huge_quantity_is_refused_with_the_apis_limit(contoso_admin, world):
    sub = world.subs["contoso"]
    page = contoso_admin.get(admin_url(sub, "change"))
    before = AuditRecord.objects.count()
    response = contoso_admin.post(admin_url(sub, "change"), form_data(page) | {"quantity": "99999999999"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "quantity: must be between 1 and 300000 for Microsoft 365 Business Basic."
    ]
    assert "must be between 1 and 300000" in page_text(response)
    sub.refresh_from_db()
    assert sub.quantity == 7
    assert AuditRecord.objects.count() == before


def test_lifecycle_fields_are_not_form_fields(contoso_admin, operator, world):
    for client in (contoso_admin, operator):
        form = client.get(admin_url(world.subs["contoso"], "change")).context["adminform"].form
        assert set(form.fields) == {"friendly_name", "quantity", "auto_renew"}
    assert contoso_admin.get(admin_url(Subscription, "add")).status_code == 403
    assert contoso_admin.post(admin_url(world.subs["contoso"], "delete"), {"post": "yes"}).status_code == 403


def test_a_posted_status_channel_or_partner_changes_nothing(contoso_admin, world):
    sub = world.subs["contoso"]
    page = contoso_admin.get(admin_url(sub, "change"))
    before = AuditRecord.objects.count()
    response = contoso_admin.post(
        admin_url(sub, "change"),
        form_data(page) | {"quantity": "9", "status": "suspended", "channel": "direct", "partner": world.wingtip.pk},
    )
    assert response.status_code == 302
    sub.refresh_from_db()
    assert (sub.quantity, sub.status, sub.channel, sub.partner_id) == (9, "active", "csp", world.contoso.pk)
    assert AuditRecord.objects.count() == before + 1
    record = AuditRecord.objects.latest("operation_date")
    assert (record.operation_type, record.resource_old_value["quantity"], record.resource_new_value["quantity"]) == (
        "update_subscription",
        7,
        9,
    )


def test_suspend_and_reactivate_actions_call_the_service(contoso_admin, world):
    sub, wingtip_sub = world.subs["contoso"], world.subs["wingtip"]
    before = AuditRecord.objects.count()
    url = admin_url(Subscription, "changelist")
    contoso_admin.post(url, {"action": "suspend", "_selected_action": [str(sub.pk), str(wingtip_sub.pk)]})
    sub.refresh_from_db()
    wingtip_sub.refresh_from_db()
    assert (sub.status, wingtip_sub.status) == ("suspended", "active")
    assert sub.suspended_at is not None
    assert AuditRecord.objects.count() == before + 1
    contoso_admin.post(url, {"action": "reactivate", "_selected_action": [str(sub.pk)]})
    sub.refresh_from_db()
    assert sub.status == "active" and sub.suspended_at is None
    assert AuditRecord.objects.count() == before + 2
    assert list(AuditRecord.objects.order_by("operation_date").values_list("resource_new_value__status", flat=True))[
        -2:
    ] == ["suspended", "active"]


def test_the_license_inline_is_read_only(contoso_admin, world):
    page = contoso_admin.get(admin_url(world.subs["contoso"], "change"))
    inline = page.context["inline_admin_formsets"][0]
    assert inline.has_add_permission is False and inline.has_change_permission is False
    assert inline.has_delete_permission is False


# --- licenses ------------------------------------------------------------------------------------------------


def assign(client, world, user, subscription):
    page = client.get(admin_url(LicenseAssignment, "add"))
    return client.post(
        admin_url(LicenseAssignment, "add"),
        form_data(page) | {"user": user.pk, "subscription": subscription.pk, "disabled_service_plans": "[]"},
        follow=True,
    )


def test_with_license_administrator_a_partner_admin_assigns_and_removes_a_license(contoso_admin, world):
    give_contoso_admin(world, ["License Administrator"])
    cara = world.tenant_users["cara"]
    before = AuditRecord.objects.count()
    response = assign(contoso_admin, world, cara, world.subs["contoso"])
    assert response.redirect_chain and response.redirect_chain[0][1] == 302
    row = LicenseAssignment.objects.get(user=cara)
    assert row.subscription_id == world.subs["contoso"].pk
    assert AuditRecord.objects.count() == before + 1
    record = AuditRecord.objects.latest("operation_date")
    assert (record.operation_type, record.resource_new_value["userPrincipalName"]) == (
        "update_customer_user_licenses",
        "cara@proseware.onmicrosoft.com",
    )

    assert contoso_admin.post(admin_url(row, "delete"), {"post": "yes"}).status_code == 302
    assert not LicenseAssignment.objects.filter(user=cara).exists()
    assert AuditRecord.objects.count() == before + 2


def test_without_a_delegated_license_role_assigning_is_refused(contoso_admin, world):
    give_contoso_admin(world, ["Directory Readers"])
    before = AuditRecord.objects.count()
    response = assign(contoso_admin, world, world.tenant_users["cara"], world.subs["contoso"])
    assert "do not allow assigning licenses" in page_text(response)
    removed = contoso_admin.post(admin_url(world.licenses["ana-contoso"], "delete"), {"post": "yes"}, follow=True)
    assert "do not allow assigning licenses" in page_text(removed)
    assert LicenseAssignment.objects.filter(subscription=world.subs["contoso"]).count() == 2
    assert AuditRecord.objects.count() == before


def test_the_seat_limit_holds(contoso_admin, world):
    give_contoso_admin(world, ["License Administrator"])
    Subscription.objects.filter(pk=world.subs["contoso"].pk).update(quantity=2)  # ana and ben hold both seats
    response = assign(contoso_admin, world, world.tenant_users["cara"], world.subs["contoso"])
    assert "quantity: all 2 seats of this subscription are assigned" in page_text(response)
    assert not LicenseAssignment.objects.filter(user=world.tenant_users["cara"]).exists()


def test_a_wingtip_subscription_cannot_be_chosen(contoso_admin, world):
    give_contoso_admin(world, ["License Administrator"])
    response = assign(contoso_admin, world, world.tenant_users["cara"], world.subs["wingtip"])
    assert "subscription" in response.context["adminform"].form.errors
    assert LicenseAssignment.objects.filter(subscription=world.subs["wingtip"]).count() == 1


def test_a_partner_admin_cannot_change_an_assignment(contoso_admin, world):
    row = world.licenses["ana-contoso"]
    assert contoso_admin.get(admin_url(row, "change")).context["has_change_permission"] is False
    assert (
        contoso_admin.post(admin_url(row, "change"), {"disabled_service_plans": '["EXCHANGE_S_STANDARD"]'}).status_code
        == 403
    )
    row.refresh_from_db()
    assert row.disabled_service_plans == []
