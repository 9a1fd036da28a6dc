"""manage.py seed_demo: runs, is idempotent, and covers every case the demo must show."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from catalog.models import Offer
from customers.models import Customer, CustomerAdminRole, CustomerAdminRoleName
from delegation.models import DapGrant, GdapRelationship
from partners.models import Partner, PartnerRole, PartnerRoleAssignment
from portal.demo import DEMO_LOGINS, build_demo_document
from subscriptions.models import LicenseAssignment, Subscription

pytestmark = pytest.mark.django_db

SOURCE_OFFERS = {
    "m365-business-basic",
    "m365-business-standard",
    "m365-apps-for-business",
    "m365-business-basic-in",
    "m365-business-standard-in",
    "m365-apps-for-business-in",
}


@pytest.fixture
def seeded():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_prints_url_and_logins_and_is_idempotent(seeded):
    assert "http://127.0.0.1:8000" in seeded
    for login in DEMO_LOGINS:
        assert login.username in seeded and login.password in seeded
    counts = {
        m.__name__: m.objects.count()
        for m in (User, Customer, Subscription, LicenseAssignment, GdapRelationship, DapGrant)
    }
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "0 created, 0 updated" in out.getvalue()
    assert counts == {
        m.__name__: m.objects.count()
        for m in (User, Customer, Subscription, LicenseAssignment, GdapRelationship, DapGrant)
    }


def test_every_login_works_and_its_password_passes_the_validators(seeded):
    for login in DEMO_LOGINS:
        user = User.objects.get(username=login.username)
        assert user.check_password(login.password)
        validate_password(login.password, user=user)
    assert User.objects.get(username="operator").is_superuser


def test_partners_roles_and_admin_roles(seeded):
    assert {"contoso-csp", "wingtip-csp"} <= set(Partner.objects.values_list("code", flat=True))
    assert set(PartnerRoleAssignment.objects.values_list("role", flat=True)) == set(PartnerRole.values)
    assert set(CustomerAdminRole.objects.values_list("role", flat=True)) == set(CustomerAdminRoleName.values)


def test_customers_countries_and_india_variants(seeded):
    assert Customer.objects.count() >= 40
    assert {"US", "SE", "TW", "IN"} <= set(Customer.objects.values_list("country", flat=True))
    offers = set(Offer.objects.values_list("id", flat=True))
    for sub in Subscription.objects.filter(customer__country="IN").select_related("offer"):
        assert sub.offer.market == "IN" or f"{sub.offer_id}-in" not in offers, sub
    assert Subscription.objects.filter(customer__country="IN").exclude(offer__market="IN").count() == 0
    assert SOURCE_OFFERS <= set(Subscription.objects.values_list("offer_id", flat=True))


def test_direct_e4_cases(seeded):
    e4 = Subscription.objects.filter(offer_id="o365-e4", channel="direct")
    assert {"credit_card", "invoice"} <= set(e4.values_list("payment_method", flat=True))
    assert e4.filter(prepaid=True).exists()
    addons = Subscription.objects.filter(parent__in=e4)
    assert {"audio-conferencing", "extra-file-storage"} <= set(addons.values_list("offer_id", flat=True))
    assert any(sub.assignments.count() > sub.quantity for sub in e4)
    assert Subscription.objects.filter(offer_id="o365-e4", channel="csp").exists()  # "contact your partner"
    assert CustomerAdminRole.objects.filter(customer__subscriptions__in=e4).exists()


def test_multichannel_cases(seeded):
    csp_customers = set(
        Subscription.objects.filter(channel="csp", partner__isnull=False).values_list("customer_id", flat=True)
    )
    direct_customers = set(Subscription.objects.filter(channel="direct").values_list("customer_id", flat=True))
    vl_customers = set(Subscription.objects.filter(channel="volume_licensing").values_list("customer_id", flat=True))
    assert csp_customers & direct_customers
    assert csp_customers & vl_customers
    two_partners = [
        c
        for c in Customer.objects.all()
        if Subscription.objects.filter(customer=c, channel="csp", partner__isnull=False)
        .values("partner")
        .distinct()
        .count()
        >= 2
    ]
    assert two_partners
    assert Subscription.objects.filter(channel="csp", partner__isnull=True).exclude(channel_partner_name="").exists()


def test_delegated_admin_cases(seeded):
    now = timezone.now()
    assert DapGrant.objects.filter(enabled=True).exists() and DapGrant.objects.filter(enabled=False).exists()
    gdap = list(GdapRelationship.objects.all())
    assert any(g.is_active_at(now) and g.end_date_time > now + timedelta(days=30) for g in gdap)
    assert any(g.is_active_at(now) and g.end_date_time <= now + timedelta(days=30) for g in gdap)
    assert any(g.status == "expired" and g.end_date_time < now for g in gdap)
    assert all(len(g.display_name) <= 50 for g in gdap)
    no_delegation = Customer.objects.exclude(dap_grants__enabled=True).exclude(gdap_relationships__status="active")
    assert no_delegation.filter(subscriptions__channel="csp").exists()


def test_export_writes_the_document(tmp_path):
    target = tmp_path / "demo.json"
    call_command("seed_demo", "--export", str(target), stdout=StringIO())
    assert json.loads(target.read_text()) == build_demo_document()
    assert Customer.objects.count() == 0


def test_document_is_deterministic():
    assert build_demo_document() == build_demo_document()


def test_new_commerce_cases(seeded):
    today = timezone.localdate()
    now = timezone.now()
    nce = Subscription.objects.filter(commerce="new", channel="csp")
    assert nce.count() == 5
    assert {"contoso-csp", "wingtip-csp"} == set(nce.values_list("partner__code", flat=True))
    assert Subscription.objects.filter(commerce="legacy").count() == Subscription.objects.count() - 5
    assert {"P1M", "P1Y", "P3Y"} == set(nce.values_list("term_duration", flat=True))

    mid_term = nce.get(offer_id="m365-business-premium")
    assert mid_term.cancellation_allowed_until < now and mid_term.refundable_quantity == 0
    assert mid_term.term_start_date < today < mid_term.commitment_end_date - timedelta(days=30)

    in_window = nce.get(offer_id="m365-business-standard")
    assert in_window.cancellation_allowed_until > now
    assert (in_window.quantity, in_window.refundable_quantity) == (15, 15)

    renewing = nce.get(offer_id="m365-apps-for-business-in")
    assert (renewing.term_duration, renewing.billing_cycle) == ("P3Y", "annual")
    assert today < renewing.commitment_end_date <= today + timedelta(days=30)
    assert renewing.scheduled_next_term_instructions == {
        "product": {
            "productId": "CFQ7TTC0LDPB",
            "skuId": "0001",
            "availabilityId": "DZH318Z0BPIN",
            "billingCycle": "monthly",
            "termDuration": "P1Y",
        },
        "quantity": 10,
    }

    scheduled = nce.get(offer_id="m365-business-standard-in")
    assert scheduled.partner.code == "wingtip-csp" and scheduled.auto_renew
    assert today < scheduled.commitment_end_date <= today + timedelta(days=30)  # on Wingtip's renewals page
    assert scheduled.scheduled_next_term_instructions == {
        "product": {
            "productId": "CFQ7TTC0LH18",
            "skuId": "0001",
            "availabilityId": "DZH318Z0BQIN",
            "billingCycle": "monthly",
            "termDuration": "P1Y",
        },
        "quantity": 6,
    }

    trial = nce.get(is_trial=True)
    assert (trial.offer_id, trial.term_duration, trial.auto_renew, trial.quantity) == ("m365-e5", "P1M", False, 25)
    assert (
        nce.exclude(pk__in=[scheduled.pk, renewing.pk]).filter(scheduled_next_term_instructions__isnull=False).count()
        == 0
    )


def test_tailspin_prepaid_e4_shows_the_forfeit_warning_when_billed_monthly(seeded, client):
    """The demo's prepaid E4 (tailspin-admin): a monthly upgrade is worth less than the year's prepaid value left."""
    from django.urls import reverse

    e4 = Subscription.objects.get(offer_id="o365-e4", customer__company_name="Tailspin Toys", parent=None)
    client.force_login(User.objects.get(username="tailspin-admin"))
    kwargs = {"tenant_id": e4.customer.tenant_id, "subscription_id": e4.pk, "target_offer_id": "o365-e5"}
    monthly = client.get(reverse("direct:checkout", kwargs=kwargs), {"billing_cycle": "monthly"})
    assert monthly.status_code == 200
    assert "data-forfeit-warning" in monthly.content.decode()
    assert monthly.context["quote"].forfeited > 0
    annual = client.get(reverse("direct:checkout", kwargs=kwargs), {"billing_cycle": "annual"})
    assert "data-forfeit-warning" not in annual.content.decode() and annual.context["quote"].forfeited == 0
