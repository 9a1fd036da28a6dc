"""What belongs to the customer is not the partner's to change (issue 8 item 1), and nothing of Wingtip shows to
Contoso on the customer they share."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType

from accounts.models import ApiToken
from audit.models import AuditRecord
from customers.models import Customer, CustomerAdminRole, ResellerRelationship, TenantUser
from subscriptions.models import LicenseAssignment
from tests.builders import admin_url, form_data, give_contoso_admin, login, page_text

pytestmark = pytest.mark.django_db


def assert_no_wingtip(world, response):
    text = page_text(response)
    for trace in world.wingtip_traces():
        assert trace not in text, trace


# --- customer admin roles ----------------------------------------------------------------------------------


def test_a_partner_admin_cannot_make_its_sales_agent_a_customer_global_admin(client, contoso_admin, world):
    sales = world.users["contoso-sales"]
    response = contoso_admin.post(
        admin_url(CustomerAdminRole, "add"),
        {"user": sales.pk, "customer": world.proseware.pk, "role": "global_administrator"},
    )
    assert response.status_code == 403
    assert not CustomerAdminRole.objects.exists()

    client.logout()
    _, raw = ApiToken.issue(user=sales)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    base = f"/v1/me/customers/{world.proseware.tenant_id}"
    listed = client.get(f"{base}/subscriptions", **auth)
    assert listed.status_code == 403
    assert str(world.subs["wingtip"].pk) not in listed.content.decode()
    moved = client.post(
        f"{base}/licenseMoves",
        {
            "sourceSubscriptionId": str(world.subs["contoso"].pk),
            "targetSubscriptionId": str(world.subs["wingtip"].pk),
            "userIds": [str(world.tenant_users["ana"].object_id)],
        },
        content_type="application/json",
        **auth,
    )
    assert moved.status_code == 403
    assert LicenseAssignment.objects.filter(subscription=world.subs["wingtip"]).count() == 1


def test_customer_admin_roles_are_view_only_for_a_partner_admin(contoso_admin, world):
    role = CustomerAdminRole.objects.create(
        user=world.users["operator"], customer=world.proseware, role="billing_administrator"
    )
    assert contoso_admin.get(admin_url(role, "change")).context["has_change_permission"] is False
    assert (
        contoso_admin.post(
            admin_url(role, "change"),
            {"user": role.user_id, "customer": world.proseware.pk, "role": "global_administrator"},
        ).status_code
        == 403
    )
    assert contoso_admin.post(admin_url(role, "delete"), {"post": "yes"}).status_code == 403
    role.refresh_from_db()
    assert role.role == "billing_administrator"


def test_an_operator_gives_a_customer_admin_role_with_one_audit_record(operator, world):
    before = AuditRecord.objects.count()
    response = operator.post(
        admin_url(CustomerAdminRole, "add"),
        {"user": world.users["contoso-sales"].pk, "customer": world.proseware.pk, "role": "user_administrator"},
    )
    assert response.status_code == 302
    assert CustomerAdminRole.objects.filter(user=world.users["contoso-sales"], role="user_administrator").exists()
    assert AuditRecord.objects.count() == before + 1
    record = AuditRecord.objects.latest("operation_date")
    assert (record.operation_type, record.customer_id) == ("update_customer_admin_roles", world.proseware.pk)


# --- the customer's identity ---------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["contoso-admin", "wingtip-admin"])
def test_neither_partner_can_change_the_shared_customers_identity(client, world, username):
    login(client, world.users[username])
    customer = world.proseware
    page = client.get(admin_url(customer, "change"))
    assert page.status_code == 200 and page.context["has_change_permission"] is False
    response = client.post(
        admin_url(customer, "change"),
        {
            "tenant_id": "00000000-0000-0000-0000-000000000001",
            "domain": "stolen.onmicrosoft.com",
            "company_name": "Stolen",
            "country": "US",
            "segment": "education",
        },
    )
    assert response.status_code == 403
    assert client.get(admin_url(Customer, "add")).status_code == 403
    assert client.post(admin_url(customer, "delete"), {"post": "yes"}).status_code == 403
    customer.refresh_from_db()
    assert (customer.domain, customer.country, customer.company_name, customer.segment) == (
        "proseware.onmicrosoft.com",
        "TW",
        "Proseware",
        "commercial",
    )
    assert Customer.objects.filter(pk=customer.pk, tenant_id=world.proseware.tenant_id).exists()


def test_an_operator_changes_a_customer_but_not_its_tenant_id(operator, world):
    customer = world.proseware
    page = operator.get(admin_url(customer, "change"))
    assert "tenant_id" not in page.context["adminform"].form.fields
    data = form_data(page) | {"country": "SE", "tenant_id": "00000000-0000-0000-0000-000000000001"}
    before = AuditRecord.objects.count()
    assert operator.post(admin_url(customer, "change"), data).status_code == 302
    customer.refresh_from_db()
    assert customer.country == "SE"
    assert str(customer.tenant_id) != "00000000-0000-0000-0000-000000000001"
    assert AuditRecord.objects.count() == before + 1
    record = AuditRecord.objects.latest("operation_date")
    assert record.operation_type == "update_customer"
    assert (record.resource_old_value["country"], record.resource_new_value["country"]) == ("TW", "SE")


def test_reseller_relationships_are_view_only_for_a_partner_admin(contoso_admin, world):
    own = ResellerRelationship.objects.get(partner=world.contoso, customer=world.proseware)
    assert contoso_admin.get(admin_url(ResellerRelationship, "add")).status_code == 403
    assert (
        contoso_admin.post(
            admin_url(own, "change"),
            {"partner": world.contoso.pk, "customer": world.proseware.pk, "relationship": "advisor"},
        ).status_code
        == 403
    )
    assert contoso_admin.post(admin_url(own, "delete"), {"post": "yes"}).status_code == 403
    own.refresh_from_db()
    assert own.relationship == "reseller"


# --- tenant users ------------------------------------------------------------------------------------------


def test_deleting_a_user_with_a_wingtip_license_is_refused_and_shows_nothing_of_wingtip(contoso_admin, world):
    give_contoso_admin(world, ["User Administrator"])
    ben = world.tenant_users["ben"]
    page = contoso_admin.get(admin_url(ben, "delete"))
    assert page.status_code == 200
    assert_no_wingtip(world, page)
    assert "licenses of subscriptions your partner did not sell" in page_text(page)
    ana_page = contoso_admin.get(admin_url(world.tenant_users["ana"], "delete"))
    assert "License: Microsoft 365 Business Basic" in page_text(ana_page)  # Contoso's own license is listed

    before = AuditRecord.objects.count()
    response = contoso_admin.post(admin_url(ben, "delete"), {"post": "yes"})
    assert "licenses of subscriptions your partner did not sell" in page_text(response)
    assert_no_wingtip(world, response)
    assert TenantUser.objects.filter(pk=ben.pk).exists()
    assert LicenseAssignment.objects.filter(pk=world.licenses["ben-wingtip"].pk).exists()
    assert LicenseAssignment.objects.filter(pk=world.licenses["ben-contoso"].pk).exists()
    assert AuditRecord.objects.count() == before


def test_a_partner_admin_with_user_administrator_deletes_a_user_with_only_its_licenses(contoso_admin, world):
    give_contoso_admin(world, ["User Administrator"])
    ana = world.tenant_users["ana"]
    before = AuditRecord.objects.count()
    response = contoso_admin.post(admin_url(ana, "delete"), {"post": "yes"})
    assert response.status_code == 302
    assert not TenantUser.objects.filter(pk=ana.pk).exists()
    assert not LicenseAssignment.objects.filter(pk=world.licenses["ana-contoso"].pk).exists()
    assert AuditRecord.objects.count() == before + 1
    record = AuditRecord.objects.latest("operation_date")
    assert (record.operation_type, record.partner_id) == ("delete_customer_user", world.contoso.pk)
    assert record.resource_old_value["userPrincipalName"] == "ana@proseware.onmicrosoft.com"


def test_without_a_delegated_user_role_tenant_users_cannot_be_changed(contoso_admin, world):
    give_contoso_admin(world, ["Directory Readers"])
    cara = world.tenant_users["cara"]
    before = AuditRecord.objects.count()
    page = contoso_admin.get(admin_url(cara, "change"))
    response = contoso_admin.post(admin_url(cara, "change"), form_data(page) | {"display_name": "Renamed"}, follow=True)
    assert "User Administrator or Global Administrator needed" in page_text(response)
    add_page = contoso_admin.get(admin_url(TenantUser, "add"))
    added = contoso_admin.post(
        admin_url(TenantUser, "add"),
        form_data(add_page) | {"customer": world.proseware.pk, "user_principal_name": "dan@proseware.onmicrosoft.com"},
        follow=True,
    )
    assert "User Administrator or Global Administrator needed" in page_text(added)
    deleted = contoso_admin.post(admin_url(cara, "delete"), {"post": "yes"}, follow=True)
    assert "User Administrator or Global Administrator needed" in page_text(deleted)
    cara.refresh_from_db()
    assert cara.display_name == "Cara"
    assert not TenantUser.objects.filter(user_principal_name="dan@proseware.onmicrosoft.com").exists()
    assert AuditRecord.objects.count() == before


def test_with_user_administrator_a_partner_admin_adds_and_changes_a_tenant_user(contoso_admin, world):
    give_contoso_admin(world, ["User Administrator"])
    before = AuditRecord.objects.count()
    add_page = contoso_admin.get(admin_url(TenantUser, "add"))
    response = contoso_admin.post(
        admin_url(TenantUser, "add"),
        form_data(add_page)
        | {
            "customer": world.proseware.pk,
            "user_principal_name": "dan@proseware.onmicrosoft.com",
            "display_name": "Dan",
            "email": "dan@proseware.example",
        },
    )
    assert response.status_code == 302
    dan = TenantUser.objects.get(user_principal_name="dan@proseware.onmicrosoft.com")
    assert (dan.customer_id, dan.display_name) == (world.proseware.pk, "Dan")
    assert AuditRecord.objects.count() == before + 1
    assert AuditRecord.objects.latest("operation_date").operation_type == "create_customer_user"

    cara = world.tenant_users["cara"]
    page = contoso_admin.get(admin_url(cara, "change"))
    assert set(page.context["adminform"].form.fields) == {"user_principal_name", "display_name", "email"}
    response = contoso_admin.post(admin_url(cara, "change"), form_data(page) | {"display_name": "Cara Lind"})
    assert response.status_code == 302
    cara.refresh_from_db()
    assert cara.display_name == "Cara Lind"
    assert AuditRecord.objects.count() == before + 2
    record = AuditRecord.objects.latest("operation_date")
    assert (
        record.operation_type,
        record.resource_old_value["displayName"],
        record.resource_new_value["displayName"],
    ) == ("update_customer_user", "Cara", "Cara Lind")


def test_dap_on_gives_the_admin_agents_user_rights(client, world):
    """Wingtip has DAP on Proseware: its Admin Agents hold Global Administrator there."""
    wingtip = login(client, world.users["wingtip-admin"])
    cara = world.tenant_users["cara"]
    page = wingtip.get(admin_url(cara, "change"))
    response = wingtip.post(admin_url(cara, "change"), form_data(page) | {"display_name": "Cara W"})
    assert response.status_code == 302
    cara.refresh_from_db()
    assert cara.display_name == "Cara W"


def test_an_operator_deletes_a_user_with_every_license_in_one_audit_record(operator, world):
    ben = world.tenant_users["ben"]
    page = operator.get(admin_url(ben, "delete"))
    assert str(world.subs["wingtip"].pk) in page_text(page)  # operators see everything
    before = AuditRecord.objects.count()
    assert operator.post(admin_url(ben, "delete"), {"post": "yes"}).status_code == 302
    assert not LicenseAssignment.objects.filter(user_id=ben.pk).exists()
    assert AuditRecord.objects.count() == before + 1


# --- no trace of Wingtip -------------------------------------------------------------------------------------


def test_changelists_show_nothing_of_wingtip(contoso_admin, world):
    from delegation.models import DapGrant, GdapRelationship
    from subscriptions.models import Subscription

    for model in (
        Customer,
        ResellerRelationship,
        TenantUser,
        LicenseAssignment,
        Subscription,
        DapGrant,
        GdapRelationship,
        CustomerAdminRole,
    ):
        response = contoso_admin.get(admin_url(model, "changelist"))
        assert response.status_code == 200, model
        assert_no_wingtip(world, response)
    subscriptions = contoso_admin.get(admin_url(Subscription, "changelist"))
    assert "Contoso CSP" in page_text(subscriptions)  # the partner filter lists Contoso alone
    relationships = contoso_admin.get(admin_url(ResellerRelationship, "changelist"))
    assert set(relationships.context["cl"].queryset.values_list("partner_id", flat=True)) == {world.contoso.pk}
    users = contoso_admin.get(admin_url(TenantUser, "changelist"))
    counts = {row.user_principal_name: row.licenses_shown for row in users.context["cl"].result_list}
    assert counts == {
        "ana@proseware.onmicrosoft.com": 1,
        "ben@proseware.onmicrosoft.com": 1,
        "cara@proseware.onmicrosoft.com": 0,
    }


def test_change_pages_of_the_shared_customer_show_nothing_of_wingtip(contoso_admin, world):
    for obj in (world.proseware, world.tenant_users["ben"], world.subs["contoso"], world.licenses["ben-contoso"]):
        response = contoso_admin.get(admin_url(obj, "change"))
        assert response.status_code == 200, obj
        assert_no_wingtip(world, response)
    customer_page = contoso_admin.get(admin_url(world.proseware, "change"))
    inline_rows = {
        inline.formset.model._meta.model_name: list(inline.formset.queryset)
        for inline in customer_page.context["inline_admin_formsets"]
    }
    assert [row.partner_id for row in inline_rows["resellerrelationship"]] == [world.contoso.pk]
    ben_page = contoso_admin.get(admin_url(world.tenant_users["ben"], "change"))
    licenses = ben_page.context["inline_admin_formsets"][0].formset.queryset
    assert [row.subscription_id for row in licenses] == [world.subs["contoso"].pk]


def test_wingtip_objects_answer_as_missing(contoso_admin, world):
    for obj in (world.subs["wingtip"], world.licenses["ben-wingtip"], world.dap["wingtip"], world.gdap["wingtip"]):
        for view in ("change", "delete", "history"):
            response = contoso_admin.get(admin_url(obj, view))
            assert response.status_code in (302, 403, 404), (obj, view)
            text = page_text(contoso_admin.get(admin_url(obj, view), follow=True))
            # Django's "does not exist" message repeats the id typed in the URL, nothing else of the object
            for trace in world.wingtip_traces()[1:]:
                assert trace not in text, (obj, view, trace)


@pytest.mark.parametrize(
    "app_label, model_name, field_name, term",
    [
        ("customers", "resellerrelationship", "partner", "csp"),
        ("customers", "resellerrelationship", "customer", "pro"),
        ("customers", "tenantuser", "customer", "pro"),
        ("delegation", "gdapaccessassignment", "relationship", "proseware"),
        ("delegation", "gdapaccessassignment", "group", "admin"),
        ("delegation", "gdaprelationship", "customer", "pro"),
    ],
)
def test_autocomplete_shows_nothing_of_wingtip(contoso_admin, world, app_label, model_name, field_name, term):
    response = contoso_admin.get(
        "/admin/autocomplete/",
        {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200
    assert_no_wingtip(world, response)
    assert response.json()["results"], "the search finds Contoso's own rows"
    if field_name == "group":
        assert {row["id"] for row in response.json()["results"]} == {str(world.groups["contoso-admin-agents"].pk)}


def test_raw_id_popups_show_nothing_of_wingtip(contoso_admin, world):
    from subscriptions.models import Subscription

    for model in (Subscription, TenantUser, LicenseAssignment):
        response = contoso_admin.get(admin_url(model, "changelist"), {"_popup": "1", "_to_field": "id"})
        assert response.status_code == 200, model
        assert_no_wingtip(world, response)
    popup = contoso_admin.get(admin_url(Subscription, "changelist"), {"_popup": "1", "_to_field": "id"})
    assert set(popup.context["cl"].queryset.values_list("pk", flat=True)) == {
        world.subs["contoso"].pk,
        world.subs["wideworld"].pk,
    }


def test_history_of_a_shared_users_shows_no_wingtip_entry(contoso_admin, world):
    ben = world.tenant_users["ben"]
    LogEntry.objects.create(
        user=world.users["wingtip-admin"],
        content_type=ContentType.objects.get_for_model(ben),
        object_id=str(ben.pk),
        object_repr=str(ben),
        action_flag=CHANGE,
        change_message="Changed by Wingtip CSP",
    )
    response = contoso_admin.get(admin_url(ben, "history"))
    assert response.status_code == 200
    assert "wingtip-admin" not in page_text(response)
    assert_no_wingtip(world, response)


def test_an_operator_adds_a_customer_with_one_create_record(operator, world):
    page = operator.get(admin_url(Customer, "add"))
    before = AuditRecord.objects.count()
    response = operator.post(
        admin_url(Customer, "add"),
        form_data(page)
        | {
            "tenant_id": "6f1c2e4a-0000-4000-8000-000000000042",
            "domain": "fourthcoffee.onmicrosoft.com",
            "company_name": "Fourth Coffee",
            "country": "SE",
            "segment": "commercial",
        },
    )
    assert response.status_code == 302
    created = Customer.objects.get(domain="fourthcoffee.onmicrosoft.com")
    assert str(created.tenant_id) == "6f1c2e4a-0000-4000-8000-000000000042"
    assert AuditRecord.objects.count() == before + 1
    record = AuditRecord.objects.latest("operation_date")
    assert (record.operation_type, record.customer_id) == ("create_customer", created.pk)
