"""Five failed sign-ins lock the account (django-axes): the page says so, and the right password no longer works."""

import pytest
from axes.models import AccessAttempt
from playwright.sync_api import expect

from tests import factories
from tests.builders import BROWSER_DB, PASSWORD, sign_in

pytestmark = [pytest.mark.browser, BROWSER_DB]


def test_five_failed_sign_ins_lock_the_account(page, partner, screenshot, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    factories.PartnerUserFactory(partner=partner, username="mallory-target", roles=["sales_agent"])

    for _attempt in range(4):
        sign_in(page, "mallory-target", "not-the-password")
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username and password")

    sign_in(page, "mallory-target", "not-the-password")
    expect(page.get_by_role("heading", name="Sign-in is locked for a while")).to_be_visible()  # the portal's page
    expect(page.get_by_role("heading", name="Sign in")).to_have_count(0)

    sign_in(page, "mallory-target", PASSWORD)  # even the right password is refused now
    expect(page.get_by_role("heading", name="Sign-in is locked for a while")).to_be_visible()
    assert AccessAttempt.objects.get(username="mallory-target").failures_since_start >= 5
    screenshot()
