"""Every admin change, action and inline row of the partner-side apps writes audit records (issue 8 item 1);
the catalog, direct orders, high-volume switch and idempotency records follow the policy table."""

from datetime import UTC, datetime

import pytest
from django import forms
from django.contrib import admin
from django_otp.plugins.otp_totp.models import TOTPDevice

from api.models import IdempotencyRecord
from audit.models import AuditRecord
from catalog.models import Offer, OfferPrice
from direct import services as direct_services
from direct.e4_models import RetiredCspSubscription
from direct.models import DirectOrder, HighVolumeCondition, Payment
from tests import factories
from tests.builders import admin_url, change_page_post_data, direct_subscription
from webhooks.models import Attempt, Delivery, Event, Registration

pytestmark = pytest.mark.django_db

APPS = {"partners", "accounts", "catalog", "bulk", "direct", "upgrades", "audit", "api", "webhooks"}
FRIDAY = datetime(2026, 1, 2, 10, 0, tzinfo=UTC)


def registered():
    return [
        (model, model_admin) for model, model_admin in admin.site._registry.items() if model._meta.app_label in APPS
    ]


def sample(model, world):
    """One existing object of ``model`` (the world and the reference catalog hold one of each)."""
    if model is HighVolumeCondition and not HighVolumeCondition.objects.exists():
        HighVolumeCondition.objects.create(active=False)
    if model is DirectOrder and not DirectOrder.objects.exists():
        place_invoice_order()
    if model is Payment and not Payment.objects.exists():
        paid = direct_subscription(factories.CustomerFactory())
        Payment.objects.create(
            customer=paid.customer,
            subscription=paid,
            amount="5.00",
            currency="USD",
            payment_method="credit_card",
            backend="direct.payments.RecordingPaymentBackend",
            reference="SIM-0",
        )
    if model is RetiredCspSubscription and not RetiredCspSubscription.objects.exists():
        direct_subscription(world.shared, channel="csp", partner=world.own.partner, payment_method="")
    if model in (Registration, Event, Delivery, Attempt) and not Attempt.objects.exists():
        registration = Registration.objects.create(
            partner=world.own.partner,
            url="https://hooks.example.com/",
            events=["test-created"],
            secret="never-shown-secret-value",
        )
        event = Event.objects.create(
            name="test-created", partner=world.own.partner, resource_uri="/x", resource_name="t"
        )
        delivery = Delivery.objects.create(
            event=event, registration=registration, partner=world.own.partner, url=registration.url
        )
        Attempt.objects.create(delivery=delivery, number=1, response_code=200)
    if model is IdempotencyRecord and not IdempotencyRecord.objects.exists():
        IdempotencyRecord.objects.create(key="k-0", actor="user:1", method="POST", path="/v1/x", body_hash="0" * 64)
    return model._default_manager.order_by("pk").first()


def change_one_field(form, data) -> str | None:
    """Change one editable text, number or boolean field of ``data`` (returns its name)."""
    for name, field in form.fields.items():
        key = form[name].html_name
        if field.disabled or name in ("username", "code", "id", "email", "tenant_id", "mpn_id", "sku_id"):
            continue
        if isinstance(field, forms.BooleanField):
            if key in data:
                data.pop(key)
            else:
                data[key] = "on"
            return name
        if (
            isinstance(field, forms.CharField)
            and not isinstance(field, (forms.SlugField, forms.URLField, forms.UUIDField, forms.EmailField))
            and not getattr(field, "choices", None)
        ):
            value = (data.get(key) or "") + "x"
            if field.max_length is not None and len(value) > field.max_length:
                continue
            data[key] = value
            return name
    return None


def test_every_change_with_change_permission_writes_exactly_one_audit_record(operator_client, world):
    checked = []
    for model, _model_admin in registered():
        obj = sample(model, world)
        page = operator_client.get(admin_url(obj, "change"))
        assert page.status_code == 200, model._meta.label
        if not page.context["has_change_permission"]:
            continue
        form = page.context["adminform"].form
        data = change_page_post_data(page)
        changed = change_one_field(form, data)
        before = AuditRecord.objects.count()
        response = operator_client.post(admin_url(obj, "change"), data)
        assert response.status_code == 302, (
            model._meta.label,
            getattr(response, "context", None) and response.context["adminform"].form.errors,
        )
        assert AuditRecord.objects.count() == before + 1, model._meta.label
        checked.append((model._meta.label, changed))
    labels = {label for label, _ in checked}
    assert {
        "partners.Partner",
        "partners.SecurityGroup",
        "accounts.User",
        "catalog.Offer",
        "catalog.OfferPrice",
        "catalog.ServiceFamily",
        "catalog.ServicePlan",
        "catalog.UpgradePath",
        "catalog.DirectOption",
        "direct.HighVolumeCondition",
    } <= labels, labels


def waiting_cases(world) -> dict:
    from bulk.models import UpgradeBatch
    from upgrades.models import UpgradeOperation

    side = world.own
    batches = [
        UpgradeBatch.objects.create(
            partner=side.partner, created_by_user=side.agent, total_items=0, status="awaiting_approval"
        )
        for _ in range(2)
    ]
    operations = [
        UpgradeOperation.objects.create(
            source=factories.SubscriptionFactory(customer=world.shared, partner=side.partner),
            target_offer_id="o365-e5",
            customer=world.shared,
            partner=side.partner,
            actor_user=side.agent,
            upgrade_type="upgrade_only",
            quantity=3,
            billing_cycle="monthly",
            status="awaiting_approval",
            approval_required=["seats"],
        )
        for _ in range(2)
    ]

    def status(obj):
        return lambda: type(obj).objects.get(pk=obj.pk).status

    reason = {"post": "yes", "reason": "Over the budget."}
    return {
        "approve_batches": (batches[0], lambda: status(batches[0])() == "queued"),
        "reject_batches": (batches[1], lambda: status(batches[1])() == "rejected", reason),
        "approve_operations": (operations[0], lambda: status(operations[0])() == "pending"),
        "reject_operations": (operations[1], lambda: status(operations[1])() == "rejected", reason),
    }


def test_every_action_writes_an_audit_record_per_changed_object(operator_client, world):
    order = place_invoice_order()
    declined = place_invoice_order()
    enrolled = world.own.agent
    TOTPDevice.objects.create(user=enrolled, name="phone", confirmed=True)
    csp_e4 = direct_subscription(world.shared, channel="csp", partner=world.own.partner, payment_method="")
    cases = {  # action → (changelist model, selected object, check it changed)
        "reset_mfa": (enrolled, lambda: not TOTPDevice.objects.filter(user=enrolled).exists()),
        "deactivate_users": (
            world.own.agent,
            lambda: not type(world.own.agent).objects.get(pk=world.own.agent.pk).is_active,
        ),
        "reactivate_users": (
            world.own.agent,
            lambda: type(world.own.agent).objects.get(pk=world.own.agent.pk).is_active,
        ),
        "revoke": (
            world.own.app_token,
            lambda: type(world.own.app_token).objects.get(pk=world.own.app_token.pk).revoked,
        ),
        "cancel_batches": (
            world.own.batch,
            lambda: type(world.own.batch).objects.get(pk=world.own.batch.pk).status == "cancelled",
        ),
        "approve_credit_check": (order, lambda: DirectOrder.objects.get(pk=order.pk).credit_check == "approved"),
        # four-eyes approval (issue 11): jobs of the sales agent awaiting approval; a rejection carries its reason
        **waiting_cases(world),
        "decline_credit_check": (declined, lambda: DirectOrder.objects.get(pk=declined.pk).credit_check == "declined"),
        # issue 14: the partner's E4 replaced (the offer asked on the intermediate page)
        "replace_e4": (
            csp_e4,
            lambda: type(csp_e4).objects.get(pk=csp_e4.pk).status == "suspended",
            {"post": "yes", "target_offer": "m365-e5"},
        ),
    }
    seen = set()
    for model, model_admin in registered():
        for name in model_admin.actions or ():
            if name == "delete_selected":
                continue
            obj, changed, *extra = cases[name]
            before = AuditRecord.objects.count()
            response = operator_client.post(
                admin_url(model), {"action": name, "_selected_action": [obj.pk], **(extra[0] if extra else {})}
            )
            assert response.status_code == 302, name
            assert changed(), name
            assert AuditRecord.objects.count() >= before + 1, name
            seen.add(name)
    assert seen == set(cases)


def place_invoice_order():
    customer = factories.CustomerFactory(country="SE")
    customer_admin = factories.UserFactory()
    factories.CustomerAdminRoleFactory(user=customer_admin, customer=customer, role="global_administrator")
    e4 = direct_subscription(customer)
    return direct_services.direct_upgrade_place(
        actor=customer_admin,
        customer=customer,
        subscription_id=e4.pk,
        target_offer_id="o365-e5",
        quantity=20,
        billing_cycle="monthly",
        payment_method="invoice",
        now=FRIDAY,
    )


def test_operator_catalog_inline_rows_are_audited_one_record_each(operator_client, world):
    offer = Offer.objects.get(pk="o365-e3")
    page = operator_client.get(admin_url(offer, "change"))
    data = change_page_post_data(page)
    prices = [key for key, value in data.items() if key.startswith("prices-") and key.endswith("-unit_price")]
    assert len(prices) >= 2
    data[prices[0]] = "99.00"
    data[prices[1]] = "98.00"
    before = AuditRecord.objects.count()
    response = operator_client.post(admin_url(offer, "change"), data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors,
        [f.errors for i in response.context["inline_admin_formsets"] for f in i.formset.forms],
        [i.formset.non_form_errors() for i in response.context["inline_admin_formsets"]],
    )
    records = AuditRecord.objects.order_by("operation_date")[before:]
    assert sorted(r.resource_type for r in records) == ["catalog.Offer", "catalog.OfferPrice", "catalog.OfferPrice"]
    assert {r.operation_type for r in records} == {"update_catalog"}
    assert (
        sorted(str(p) for p in OfferPrice.objects.filter(offer=offer).values_list("unit_price", flat=True)).count(
            "99.00"
        )
        == 1
    )


def test_pga_views_the_catalog_and_nothing_changes(pga_client, world):
    offer = Offer.objects.get(pk="o365-e3")
    price = offer.prices.order_by("pk").first()
    assert pga_client.get(admin_url(offer, "change")).status_code == 200
    before = AuditRecord.objects.count()
    assert pga_client.post(admin_url(offer, "change"), {"name": "Hacked"}).status_code == 403
    assert pga_client.post(admin_url(price, "change"), {"unit_price": "0.01"}).status_code == 403
    assert pga_client.post(
        admin_url(OfferPrice),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": price.pk,
            "form-0-unit_price": "0.01",
            "_save": "Save",
        },
    ).status_code in (200, 403)
    price_after = OfferPrice.objects.get(pk=price.pk)
    assert price_after.unit_price == price.unit_price
    assert Offer.objects.get(pk="o365-e3").name == "Office 365 E3"
    assert AuditRecord.objects.count() == before


def test_pga_has_no_access_to_direct_orders_switch_and_idempotency(pga_client, world):
    for model in (DirectOrder, HighVolumeCondition, Payment, IdempotencyRecord):
        assert pga_client.get(admin_url(model)).status_code == 403, model
    assert all(app["app_label"] not in ("direct", "api") for app in pga_client.get("/admin/").context["app_list"])


def test_operator_direct_and_idempotency_are_view_only(operator_client, world):
    order = place_invoice_order()
    page = operator_client.get(admin_url(order, "change"))
    assert page.status_code == 200 and page.context["has_change_permission"] is False
    assert operator_client.post(admin_url(order, "delete"), {"post": "yes"}).status_code == 403
    assert operator_client.get(admin_url(HighVolumeCondition, "add")).status_code == 403
    record = IdempotencyRecord.objects.create(
        key="k-1", actor="user:1", method="POST", path="/v1/x", body_hash="0" * 64
    )
    page = operator_client.get(admin_url(record, "change"))
    assert page.status_code == 200 and page.context["has_change_permission"] is False
    assert operator_client.post(admin_url(record, "delete"), {"post": "yes"}).status_code == 403


def test_webhooks_are_operator_view_only(operator_client, world):
    """Webhooks (issue 15): operators look (the secret is never shown); nobody changes them in the admin."""
    for model in (Registration, Event, Delivery, Attempt):
        obj = sample(model, world)
        page = operator_client.get(admin_url(obj, "change"))
        assert page.status_code == 200 and page.context["has_change_permission"] is False, model
        assert operator_client.post(admin_url(obj, "delete"), {"post": "yes"}).status_code == 403, model
        assert operator_client.get(admin_url(model, "add")).status_code == 403, model
    registration = Registration.objects.get()
    assert registration.secret not in operator_client.get(admin_url(registration, "change")).content.decode()


def test_webhooks_are_hidden_from_pgas(pga_client, world):
    """Partner global admins manage their webhook on their settings page, never in the admin."""
    for model in (Registration, Event, Delivery, Attempt):
        sample(model, world)
        assert pga_client.get(admin_url(model)).status_code == 403, model
    assert all(app["app_label"] != "webhooks" for app in pga_client.get("/admin/").context["app_list"])
