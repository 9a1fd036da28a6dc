"""The customer page, the upgrade wizard's reasons and the admin center's Upgrade tab in each language (issue 13):
the texts below are written by hand from the catalogs (tests/i18n/test_catalogs.py checks the catalogs)."""

import pytest
from django.urls import reverse

from tests import factories
from tests.builders import e4_tenant, login, make_upgradable

pytestmark = pytest.mark.django_db

CUSTOMER_PAGE = {
    "en": ("Company profile", "Delegated admin"),
    "zh-TW": ("公司設定檔", "委派的系統管理員"),
    "sv-SE": ("Företagsprofil", "Delegerad administration"),
}
WIZARD_REASONS = {
    "en": ("Not eligible", "The customer already holds the target offer."),
    "zh-TW": ("不符合資格", "客戶已擁有目標供應項目。"),
    "sv-SE": ("Inte berättigad", "Kunden har redan målerbjudandet."),
}
UPGRADE_TAB = {
    "en": ("These plans keep every service you have today.", "Plan changes", "drops or lowers:"),
    "zh-TW": ("這些方案會保留您目前擁有的所有服務。", "方案變更", "移除或降低："),
    "sv-SE": ("De här abonnemangen behåller alla tjänster du har i dag.", "Abonnemangsbyten", "tar bort eller sänker:"),
}


@pytest.fixture
def upgradable(partner, sales_agent, client):
    upgradable = make_upgradable(partner=partner, agent=sales_agent)
    factories.SubscriptionFactory(
        customer=upgradable.customer,
        offer_id="o365-e3",
        channel="direct",
        partner=None,
        channel_partner_name="",
        payment_method="invoice",
    )
    login(client, sales_agent)
    return upgradable


@pytest.mark.parametrize("accept", sorted(CUSTOMER_PAGE))
def test_the_customer_page(client, upgradable, accept):
    url = reverse("portal:customer_detail", kwargs={"tenant_id": upgradable.customer.tenant_id})
    text = client.get(url, HTTP_ACCEPT_LANGUAGE=accept).content.decode()
    for expected in CUSTOMER_PAGE[accept]:
        assert expected in text


@pytest.mark.parametrize("accept", sorted(WIZARD_REASONS))
def test_the_upgrade_wizards_reasons(client, upgradable, accept):
    url = reverse(
        "portal:upgrade_targets",
        kwargs={"tenant_id": upgradable.customer.tenant_id, "subscription_id": upgradable.subscription.pk},
    )
    text = client.get(url, HTTP_ACCEPT_LANGUAGE=accept).content.decode()
    for expected in WIZARD_REASONS[accept]:
        assert expected in text
    assert "3 · conflicting_service_types" in text  # codes and error names never change


@pytest.mark.parametrize("accept", sorted(UPGRADE_TAB))
def test_the_admin_centers_upgrade_tab(client, accept):
    customer, e4, _users = e4_tenant()
    login(client, customer.admin_roles.get().user)
    url = reverse("direct:upgrade", kwargs={"tenant_id": customer.tenant_id, "subscription_id": e4.pk})
    text = client.get(url, HTTP_ACCEPT_LANGUAGE=accept).content.decode()
    for expected in UPGRADE_TAB[accept]:
        assert expected in text
