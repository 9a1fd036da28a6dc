"""A sales agent's bulk upgrade in a real browser (issue 11): filter the opportunities, select 20 rows, dry run,
submit the eligible items (above the partner's threshold of 10 items: the batch waits), approve it as a second
user (an admin agent, in a browser context of their own), watch the progress bar reach 100% without a reload,
download the results CSV.

The chunks are not run on commit here (``bulk.services.enqueue`` only records them): the test runs them itself,
a few positions at a time, while the page polls the progress fragment (htmx), so the bar is seen moving.
"""

import csv
import io

import pytest
from playwright.sync_api import expect

from bulk.models import UpgradeBatch
from bulk.processing import upgrade_batch_chunk_process
from tests import factories
from tests.builders import BROWSER_DB, RESULTS_CSV_HEADER, make_upgradable, sign_in

pytestmark = [pytest.mark.browser, BROWSER_DB]

SELECTED = 20


@pytest.fixture
def book(partner):
    """Contoso's agent ``ana``: 22 Business Basic subscriptions of "Bulk" customers, 2 of "Other" customers; a
    batch of more than 10 items waits for approval, which ``ben`` (admin agent) may give."""
    partner.approval_items = 10
    partner.save(update_fields=["approval_items"])
    factories.PartnerUserFactory(partner=partner, username="ben", roles=["admin_agent"])
    agent = factories.PartnerUserFactory(partner=partner, username="ana", roles=["sales_agent"])
    subscriptions = []
    for number in range(22):
        customer = factories.CustomerFactory(company_name=f"Bulk {number:02d}", domain=f"bulk{number:02d}.example")
        subscriptions.append(make_upgradable(partner=partner, agent=agent, customer=customer, licensed=1).subscription)
    for number in range(2):
        customer = factories.CustomerFactory(company_name=f"Other {number}", domain=f"other{number}.example")
        make_upgradable(partner=partner, agent=agent, customer=customer, licensed=1)
    return subscriptions


@pytest.fixture
def chunks(monkeypatch):
    """The chunks the batches would have enqueued, kept for the test to run."""
    queued = []
    monkeypatch.setattr("bulk.services.enqueue", lambda name, *args: queued.append(args))
    return queued


def run_positions(batch, first, last):
    upgrade_batch_chunk_process(batch_id=batch.pk, first_position=first, last_position=last)


def approve_as_second_user(browser, live_server, batch) -> None:
    """``ben`` approves the waiting batch from the Approvals page, in a browser context (cookies) of his own."""
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(15_000)
    try:
        other = context.new_page()
        sign_in(other, "ben")
        other.goto("/approvals/")
        job = other.locator(f"[data-waiting='batch'][data-job='{batch.pk}']")
        expect(job.locator("[data-approval='measures']")).to_have_text("items")
        job.get_by_role("button", name="Approve").click()
        expect(other.locator(f"[data-job='{batch.pk}']")).to_have_count(0)  # no longer waiting
    finally:
        context.close()


def test_filter_select_dry_run_submit_approve_watch_progress_and_download(
    page, browser, live_server, book, chunks, screenshot
):
    sign_in(page, "ana")
    page.goto("/opportunities/")
    page.get_by_label("Search", exact=True).fill("Bulk")
    page.get_by_role("button", name="Apply").click()
    rows = page.locator("table[data-opportunities] > tbody > tr[data-subscription]")
    expect(rows).to_have_count(22)
    boxes = page.locator("input[data-select-row]")
    for index in range(SELECTED):
        boxes.nth(index).check()
    page.get_by_label("Upgrade to", exact=True).select_option("o365-e3")
    page.get_by_role("button", name="Dry run").click()

    # The review (the dry run's page): 0% until its chunk runs, then every item will succeed.
    expect(page.get_by_role("heading", name="Dry run", level=1)).to_be_visible()
    dry_run = UpgradeBatch.objects.get(dry_run=True)
    assert dry_run.total_items == SELECTED
    expect(page.locator("[data-percent]")).to_have_text("0%")
    run_positions(dry_run, 0, SELECTED)
    expect(page.locator("[data-percent]")).to_have_text("100%")
    expect(page.locator("[data-count='succeeded']")).to_have_text("20")
    screenshot("dry-run")
    page.get_by_role("button", name="Submit the 20 eligible items as a batch").click()

    expect(page.get_by_role("heading", name="Upgrade batch", level=1)).to_be_visible()
    batch = UpgradeBatch.objects.get(dry_run=False)
    page.evaluate("window.__samePage = true")  # gone if the page reloads or navigates
    url = page.url
    # 20 items > the threshold of 10: the batch waits, nothing is enqueued, ana cannot approve her own
    expect(page.locator("[data-batch-status]")).to_have_text("Waiting for approval")
    expect(page.locator("[data-approval='refusal']")).to_be_visible()
    expect(page.locator("[data-percent]")).to_have_text("0%")
    assert [args for args in chunks if args[0] == str(batch.pk)] == []
    screenshot("waiting")

    approve_as_second_user(browser, live_server, batch)
    # the approval enqueued the batch's one chunk (run below, 5 positions at a time)
    assert [args for args in chunks if args[0] == str(batch.pk)] == [(str(batch.pk), 0, SELECTED)]
    expect(page.locator("[data-batch-status]")).to_have_text("Queued")  # ana's page, polling, sees it
    seen = []
    for first in range(0, SELECTED, 5):
        run_positions(batch, first, first + 5)
        percent = f"{(first + 5) * 100 // SELECTED}%"
        expect(page.locator("[data-percent]")).to_have_text(percent)
        seen.append(page.locator("#batch-progress-bar").get_attribute("value"))
    assert seen == ["25", "50", "75", "100"]
    expect(page.locator("[data-batch-status]")).to_have_text("Succeeded")
    expect(page.locator("[data-batch-live]")).not_to_have_attribute("hx-trigger", "every 1s")  # polling stopped
    assert page.url == url and page.evaluate("window.__samePage") is True
    screenshot("batch")

    with page.expect_download() as download_info:
        page.locator("a[data-results-csv]").click()
    lines = list(csv.reader(io.StringIO(download_info.value.path().read_text(encoding="utf-8"))))
    assert lines[0] == RESULTS_CSV_HEADER
    assert len(lines) == 1 + SELECTED
    assert [line[0] for line in lines[1:]] == [str(n) for n in range(SELECTED)]
    assert {(line[3], line[6], line[8]) for line in lines[1:]} == {("o365-e3", "succeeded", "")}
