"""Every "why can't I upgrade" reason on the Upgrade tab, alone and together (from the database)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from direct.models import DirectOrder, HighVolumeCondition
from tests.builders import assign, direct_subscription
from upgrades import pipeline


def tab_codes(client, customer, subscription):
    response = client.get(
        reverse("direct:upgrade", kwargs={"tenant_id": customer.tenant_id, "subscription_id": subscription.pk})
    )
    assert response.status_code == 200
    content = response.content.decode()
    section = content.split('id="plan-changes"')[0]
    return {chunk.split('"')[0] for chunk in section.split('data-code="')[1:]}


@pytest.fixture
def e3_with_upgrade(customer):
    """A non-retired product with derived upgrade options (the E5s), so prepaid and add-ons are reasons."""
    return direct_subscription(customer, "o365-e3")


def make(case, customer, e4, e3):
    """Set up one reason; return the subscription whose tab shows it."""
    if case == "license_conflict":
        assign(e4, 11)
    elif case == "subscription_not_ready":
        e4.provisioning_state = "provisioning"
        e4.save()
    elif case == "service_health_incident":
        customer.service_health_incident = True
        customer.save()
    elif case == "upgrade_in_progress":
        other = direct_subscription(customer, "m365-e3")
        operation = pipeline.operation_create(
            source=other,
            target_offer_id="m365-e5",
            customer=customer,
            flow="direct",
            upgrade_type="upgrade_with_license_transfer",
            quantity=1,
            billing_cycle="monthly",
        )
        pipeline.operation_transition(operation, to_status="awaiting_credit_check")
    elif case == "duplicate_subscriptions":
        direct_subscription(customer)
    elif case == "segment_not_supported":
        customer.segment = "nonprofit"
        customer.save()
    elif case == "high_volume":
        HighVolumeCondition.objects.create(note="Black Friday")
    elif case == "unpaid_balance":
        e4.unpaid_balance = Decimal("99.00")
        e4.save()
    elif case == "prepaid_plan":
        e3.prepaid = True
        e3.save()
        return e3
    elif case == "add_on_present":
        direct_subscription(customer, "audio-conferencing", parent=e3)
        return e3
    elif case == "no_supported_upgrade":
        return direct_subscription(customer, "m365-e5")  # no plan of the catalog keeps all its services
    return e4


CASES = [
    "license_conflict",
    "subscription_not_ready",
    "service_health_incident",
    "upgrade_in_progress",
    "duplicate_subscriptions",
    "segment_not_supported",
    "high_volume",
    "unpaid_balance",
    "prepaid_plan",
    "add_on_present",
    "no_supported_upgrade",
]


@pytest.mark.parametrize("case", CASES)
def test_each_reason_alone(admin_client, customer, e4, e3_with_upgrade, case):
    subscription = make(case, customer, e4, e3_with_upgrade)
    assert tab_codes(admin_client, customer, subscription) == {case}


def test_clean_e4_has_no_reason(admin_client, customer, e4):
    assert tab_codes(admin_client, customer, e4) == set()


def test_several_reasons_together(admin_client, customer, e4, e3_with_upgrade):
    for case in (
        "license_conflict",
        "service_health_incident",
        "duplicate_subscriptions",
        "high_volume",
        "unpaid_balance",
        "segment_not_supported",
    ):
        make(case, customer, e4, e3_with_upgrade)
    assert tab_codes(admin_client, customer, e4) == {
        "license_conflict",
        "service_health_incident",
        "duplicate_subscriptions",
        "high_volume",
        "unpaid_balance",
        "segment_not_supported",
    }


def test_e4_add_ons_and_prepaid_do_not_block(admin_client, customer, e4):
    direct_subscription(customer, "audio-conferencing", parent=e4)
    e4.prepaid = True
    e4.save()
    assert tab_codes(admin_client, customer, e4) == set()


@pytest.mark.parametrize(
    "channel, code, text",
    [
        ("csp", "bought_through_partner", b"Contact your partner"),
        ("volume_licensing", "bought_through_volume_licensing", b"Microsoft account representative"),
    ],
)
def test_e4_bought_otherwise_says_whom_to_contact(admin_client, customer, channel, code, text):
    e4 = direct_subscription(customer, channel=channel, payment_method="", channel_partner_name="Contoso CSP")
    assert tab_codes(admin_client, customer, e4) == {code}
    page = admin_client.get(
        reverse("direct:upgrade", kwargs={"tenant_id": customer.tenant_id, "subscription_id": e4.pk})
    )
    assert text in page.content


def test_blocked_checkout_lists_every_reason_and_places_nothing(admin_client, customer, e4):
    customer.service_health_incident = True
    customer.save()
    HighVolumeCondition.objects.create()
    response = admin_client.post(
        reverse(
            "direct:checkout",
            kwargs={"tenant_id": customer.tenant_id, "subscription_id": e4.pk, "target_offer_id": "o365-e5"},
        ),
        {"quantity": 10, "billing_cycle": "monthly", "payment_method": "credit_card"},
    )
    assert response.status_code == 409
    assert b'data-code="service_health_incident"' in response.content and b'data-code="high_volume"' in response.content
    assert not DirectOrder.objects.exists()
