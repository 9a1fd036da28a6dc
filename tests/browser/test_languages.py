"""The portal in 繁體中文 and Svenska in a real browser (issue 13): the footer switcher changes the language, the
upgrade wizard (targets, seats, review) and the admin center's E4 Upgrade tab come out in it, with a screenshot
of each page, and no English UI text is left on them (product, company and people's names aside).

"English UI text" = any msgid of the project's catalog whose translation in that language differs from it:
had a template or a reason stayed untranslated, its English msgid would be on the page."""

import re
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import polib
import pytest
from django.conf import settings
from playwright.sync_api import expect

from catalog.models import Offer
from tests import factories
from tests.builders import BROWSER_DB, add_users, e4_tenant, grant_gdap, sign_in

pytestmark = [pytest.mark.browser, BROWSER_DB]

LANGUAGES = {"zh-hant": ("繁體中文", "zh_Hant"), "sv": ("Svenska", "sv")}
# Names that stay as Microsoft (or the people in the test) write them, in every language.
KEPT = ("Partner Center", "Microsoft", "Office", "CSP", "GDAP", "DAP", "Django", "Fabrikam", "Contoso", "Ana Silva")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdrif]|%[sdrif]|\{\w*\}|<[^>]+>")


@cache
def english_texts(catalog: str) -> tuple[str, ...]:
    """The catalog's English texts that a translated page must not show: each msgid's literal pieces (split at
    placeholders and tags) of two words or more, or one word of five letters or more, whose translation differs."""
    po = polib.pofile(str(Path(settings.BASE_DIR) / "locale" / catalog / "LC_MESSAGES" / "django.po"))
    texts = set()
    for entry in po:
        translated = entry.msgstr or " ".join(entry.msgstr_plural.values())
        for msgid in filter(None, (entry.msgid, entry.msgid_plural)):
            for piece in PLACEHOLDER.split(msgid):
                piece = piece.strip(" .,:;()·›-–—\n")
                words = re.findall(r"[A-Za-z]+", piece)
                if not words or piece in translated or (len(words) == 1 and len(words[0]) < 5):
                    continue
                texts.add(piece)
    return tuple(sorted(texts, key=len, reverse=True))


def english_left(page, catalog: str) -> list[str]:
    text = page.locator("body").inner_text()
    for name in [*Offer.objects.values_list("name", flat=True), *KEPT]:
        text = text.replace(name, " ")
    return [
        piece for piece in english_texts(catalog) if re.search(rf"(?<![A-Za-z]){re.escape(piece)}(?![A-Za-z])", text)
    ]


def switch_to(page, language: str) -> None:
    page.locator("[data-language-switcher] select").select_option(language)
    page.locator("[data-language-switcher] button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", language)


@pytest.fixture
def fabrikam(partner):
    agent = factories.PartnerUserFactory(
        partner=partner, username="ana", first_name="Ana", last_name="Silva", roles=["sales_agent"]
    )
    customer = factories.CustomerFactory(company_name="Fabrikam Inc", domain="fabrikam.onmicrosoft.com")
    factories.RelationshipFactory(partner=partner, customer=customer)
    grant_gdap(partner=partner, customer=customer, user=agent)
    start = date.today().replace(day=1)
    basic = factories.SubscriptionFactory(
        customer=customer,
        partner=partner,
        offer_id="m365-business-basic",
        quantity=10,
        term_start_date=start,
        commitment_end_date=start + timedelta(days=364),
    )
    add_users(basic, 3)
    return customer, basic


@pytest.fixture
def fabrikam_ab(db):
    customer, e4, _users = e4_tenant(domain="fabrikamab.onmicrosoft.com")
    return customer, e4


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_the_upgrade_wizard_in_another_language(page, fabrikam, screenshot, language):
    customer, basic = fabrikam
    name, catalog = LANGUAGES[language]
    sign_in(page, "ana")
    switch_to(page, language)
    expect(page.locator("[data-language-switcher] option:checked")).to_have_text(name)

    page.goto(f"/customers/{customer.tenant_id}/subscriptions/{basic.pk}/upgrade/")
    expect(page.locator(".option[data-target='o365-e1']")).to_be_visible()
    screenshot(f"-{language}-1-targets")
    assert english_left(page, catalog) == []

    page.locator("label.option[data-target='o365-e1']").click()
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main form input[name=quantity]")).to_have_value("10")
    screenshot(f"-{language}-2-details")
    assert english_left(page, catalog) == []

    page.locator("main form button[type=submit]").click()
    expect(page.locator("[data-review='target']")).to_have_text("Office 365 E1")
    screenshot(f"-{language}-3-review")
    assert english_left(page, catalog) == []


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_the_e4_upgrade_tab_in_another_language(page, fabrikam_ab, screenshot, language):
    customer, e4 = fabrikam_ab
    _name, catalog = LANGUAGES[language]
    sign_in(page, "greta")
    switch_to(page, language)
    page.goto(f"/admin-center/{customer.tenant_id}/subscriptions/{e4.pk}/upgrade/")
    expect(page.locator("#upgrades li[data-target='o365-e5']")).to_be_visible()
    screenshot(f"-{language}-e4-upgrade-tab")
    assert english_left(page, catalog) == []
