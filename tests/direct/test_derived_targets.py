"""The Upgrade tab derived for EVERY direct offer of the catalog (domain.md §6), from the loaded catalog.

The expected table is written by hand from catalog/data/catalog.json (service families and levels, the
``dataRelated`` flags, and ``includes``: Exchange Online (Plan 2) includes Exchange Online Archiving): an upgrade keeps every family at the same or a higher level; a plan change drops or
lowers a family but keeps every data-related one (Exchange, Exchange Online Archiving, SharePoint/OneDrive,
Teams, extra storage); a target losing a data-related family is not listed. E4 is retired (never a target); an
India plan gets the India variants instead of the global Business Basic / Standard / Apps for business.
"""

import json
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.models import ApiToken
from catalog.models import Offer
from direct import selectors
from subscriptions.models import Subscription
from tests.builders import direct_subscription

OFFICE = "Office apps"
VOICE = "Voice / conferencing (Skype Plan 3, then Phone System)"
AUDIO = "Audio Conferencing"
AIP = "Azure Information Protection"
INTUNE = "Microsoft Intune"

E5S = {"o365-e5", "m365-e5", "m365-e5-no-audio"}
E3S = {"o365-e3", "m365-e3"}

# source: (upgrades, {plan change: what it drops or lowers})
TABLE = {
    "m365-business-basic": (
        {"m365-business-standard", "m365-business-premium", "o365-e1", *E3S, *E5S},
        {},
    ),
    "m365-business-basic-in": (
        {"m365-business-standard-in", "m365-business-premium", "o365-e1", *E3S, *E5S},
        {},
    ),
    "m365-business-standard": (
        {"m365-business-premium", *E3S, *E5S},
        {"m365-business-basic": [OFFICE], "o365-e1": [OFFICE]},
    ),
    "m365-business-standard-in": (
        {"m365-business-premium", *E3S, *E5S},
        {"m365-business-basic-in": [OFFICE], "o365-e1": [OFFICE]},
    ),
    # Exchange Online Archiving (data-related) comes with Exchange Online (Plan 2): the E3s and E5s keep it;
    # Office 365 E3 / E5 lack Intune and AIP P1; Business Basic / Standard, E1 lose the archive (not listed)
    "m365-business-premium": (
        {"m365-e3", "m365-e5", "m365-e5-no-audio"},
        {"o365-e3": [AIP, INTUNE], "o365-e5": [AIP, INTUNE]},
    ),
    "m365-apps-for-business": (
        {"m365-business-standard", "m365-business-premium", "m365-apps-for-enterprise", *E3S, *E5S},
        {"m365-business-basic": [OFFICE], "o365-e1": [OFFICE]},
    ),
    "m365-apps-for-business-in": (
        {"m365-business-standard-in", "m365-business-premium", "m365-apps-for-enterprise", *E3S, *E5S},
        {"m365-business-basic-in": [OFFICE], "o365-e1": [OFFICE]},
    ),
    "m365-apps-for-enterprise": (
        {*E3S, *E5S},
        {
            "m365-business-basic": [OFFICE],
            "m365-business-standard": [OFFICE],
            "m365-business-premium": [OFFICE],
            "m365-apps-for-business": [OFFICE],
            "o365-e1": [OFFICE],
        },
    ),
    "o365-e1": (
        {"m365-business-basic", "m365-business-standard", "m365-business-premium", *E3S, *E5S},
        {},
    ),
    "o365-e3": ({"m365-e3", *E5S}, {}),
    "o365-e4": (set(E5S), {"o365-e3": [VOICE], "m365-e3": [VOICE]}),
    "o365-e5": (
        {"m365-e5"},
        {"o365-e3": [AUDIO, VOICE], "m365-e3": [AUDIO, VOICE], "m365-e5-no-audio": [AUDIO]},
    ),
    "m365-e3": ({"m365-e5", "m365-e5-no-audio"}, {"o365-e3": [AIP, INTUNE], "o365-e5": [AIP, INTUNE]}),
    "m365-e5": (
        set(),
        {
            "o365-e3": [AUDIO, AIP, INTUNE, VOICE],
            "o365-e5": [AIP, INTUNE],
            "m365-e3": [AUDIO, VOICE],
            "m365-e5-no-audio": [AUDIO],
        },
    ),
    "m365-e5-no-audio": (
        {"m365-e5"},
        {"o365-e3": [AIP, INTUNE, VOICE], "o365-e5": [AIP, INTUNE], "m365-e3": [VOICE]},
    ),
}


@pytest.fixture
def api_client(client, admin):
    _, raw = ApiToken.issue(user=admin)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client


CATALOG = json.loads((Path(__file__).resolve().parents[2] / "catalog" / "data" / "catalog.json").read_text())


def test_the_table_covers_every_direct_offer_of_the_catalog():
    assert set(TABLE) == {o["id"] for o in CATALOG["offers"]}
    assert len(TABLE) == 15


@pytest.mark.parametrize("offer_id", sorted(TABLE))
def test_derived_targets_plan_changes_and_reasons(customer, offer_id):
    upgrades, changes = TABLE[offer_id]
    tab = selectors.upgrade_tab_for(direct_subscription(customer, offer_id))

    assert {v.target.id for v in tab.upgrades} == upgrades
    assert all(v.kind == "upgrade" and v.reasons == () and v.is_eligible for v in tab.upgrades)

    assert {v.target.id: list(v.lost_services) for v in tab.plan_changes} == changes
    for verdict in tab.plan_changes:
        assert [r.code for r in verdict.reasons] == ["fewer_services"]
        assert ", ".join(changes[verdict.target.id]) in str(verdict.reasons[0].message)

    assert tab.can_upgrade is bool(upgrades)
    assert [r.code for r in tab.reasons] == ([] if upgrades else ["no_supported_upgrade"])


def test_e4_comes_out_as_the_catalogs_published_options_in_their_order(customer):
    tab = selectors.upgrade_tab_for(direct_subscription(customer, "o365-e4"))
    assert [v.target.id for v in tab.upgrades] == ["o365-e5", "m365-e5", "m365-e5-no-audio"]
    assert [v.target.id for v in tab.plan_changes] == ["o365-e3", "m365-e3"]
    published = CATALOG["e4DirectOptions"]
    assert (published["upgrade"], published["change"]) == (
        ["o365-e5", "m365-e5", "m365-e5-no-audio"],
        ["o365-e3", "m365-e3"],
    )


def test_an_add_on_subscription_has_no_upgrade_of_its_own(customer):
    e4 = direct_subscription(customer, "o365-e4")
    audio = direct_subscription(customer, "audio-conferencing", parent=e4)
    tab = selectors.upgrade_tab_for(audio)
    assert (tab.upgrades, tab.plan_changes) == ((), ())
    assert [r.code for r in tab.reasons] == ["no_supported_upgrade"]


def test_targets_cost_a_fixed_number_of_queries(customer, django_assert_num_queries):
    subscription = direct_subscription(customer, "m365-business-standard")
    # base offers, their plans (with families), the plans those include (with families), the display order
    with django_assert_num_queries(4):
        assert len(selectors.direct_targets(subscription.offer_id)) == 8
    extra = Offer.objects.create(id="m365-e5-extra", name="Microsoft 365 E5 (extra)", sku_part_number="X")
    extra.service_plans.set(Offer.objects.get(id="m365-e5").service_plans.all())
    with django_assert_num_queries(4):
        assert len(selectors.direct_targets(subscription.offer_id)) == 9


# --- Business Standard bought directly: the page, /v1/me and an upgrade end to end -----------------------------


def test_business_standard_page_lists_premium_e3_and_e5(admin_client, customer):
    standard = direct_subscription(customer, "m365-business-standard")
    page = admin_client.get(
        reverse("direct:upgrade", kwargs={"tenant_id": customer.tenant_id, "subscription_id": standard.pk})
    )
    assert page.status_code == 200
    upgrades, changes = page.content.decode().split('id="plan-changes"')
    for target in ("m365-business-premium", "o365-e3", "m365-e3", "o365-e5", "m365-e5", "m365-e5-no-audio"):
        assert f'data-target="{target}"' in upgrades
    assert 'data-code="no_supported_upgrade"' not in upgrades
    assert 'data-target="m365-business-basic"' in changes and 'data-target="o365-e1"' in changes
    assert "Office apps" in changes
    assert 'data-target="m365-apps-for-enterprise"' not in page.content.decode()


def test_business_standard_options_over_me_api(api_client, customer):
    standard = direct_subscription(customer, "m365-business-standard")
    body = api_client.get(f"/v1/me/customers/{customer.tenant_id}/subscriptions/{standard.pk}/upgradeOptions").json()
    assert body["canUpgrade"] is True and body["reasons"] == []
    assert {o["targetOffer"]["id"] for o in body["upgrades"]} == {
        "m365-business-premium",
        "o365-e3",
        "m365-e3",
        "o365-e5",
        "m365-e5",
        "m365-e5-no-audio",
    }
    assert {o["targetOffer"]["id"]: o["lostServices"] for o in body["planChanges"]} == {
        "m365-business-basic": ["Office apps"],
        "o365-e1": ["Office apps"],
    }


def test_business_standard_upgrades_to_premium_end_to_end(admin_client, customer, django_capture_on_commit_callbacks):
    standard = direct_subscription(customer, "m365-business-standard", quantity=4)
    url = reverse(
        "direct:checkout",
        kwargs={
            "tenant_id": customer.tenant_id,
            "subscription_id": standard.pk,
            "target_offer_id": "m365-business-premium",
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"quantity": 4, "billing_cycle": "monthly", "payment_method": "credit_card"})
    assert response.status_code == 302
    standard.refresh_from_db()
    assert standard.status == "deleted"
    new = Subscription.objects.get(customer=customer, offer_id="m365-business-premium")
    assert (new.quantity, new.channel, new.status) == (4, "direct", "active")
