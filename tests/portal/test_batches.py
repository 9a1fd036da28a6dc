"""The bulk-upgrade pages (issue 11 parts 1 and 3): a selection of opportunities → a dry run (the review) →
a batch (eager Celery), the live progress fragment, cancel, retry of the failed items, the results CSV, the
notification, 404 for another partner's batch on every path, flat query counts."""

import csv
import io
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bulk.models import UpgradeBatch, UpgradeBatchItem
from bulk.notices import batch_finished_notify
from bulk.services import BatchItemSpec, upgrade_batch_create
from notifications.models import Notification
from subscriptions.models import Subscription
from tests import factories
from tests.builders import RESULTS_CSV_HEADER, make_upgradable

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(sales_agent):
    client = Client()
    client.force_login(sales_agent)
    return client


@pytest.fixture
def upgradables(partner, sales_agent):
    return [make_upgradable(partner=partner, agent=sales_agent, licensed=2) for _ in range(3)]


def spec(upgradable, target="o365-e3"):
    return BatchItemSpec(
        customer_tenant_id=upgradable.customer.tenant_id,
        subscription_id=upgradable.subscription.pk,
        target_offer_id=target,
    )


def run(callbacks, function, *args, **kwargs):
    """Call ``function`` and run what it leaves for the commit (the batch's chunks: eager Celery)."""
    with callbacks(execute=True):
        return function(*args, **kwargs)


def test_selection_dry_run_then_submit_upgrades_the_eligible_items(
    agent_client, upgradables, django_capture_on_commit_callbacks
):
    ids = [str(u.subscription.pk) for u in upgradables[:2]]
    page = agent_client.get(reverse("portal:opportunities"))
    assert page.status_code == 200
    html = page.content.decode()
    for upgradable in upgradables:
        assert f'name="subscription" value="{upgradable.subscription.pk}"' in html
    response = run(
        django_capture_on_commit_callbacks,
        agent_client.post,
        reverse("portal:batch_selection"),
        {"filter": "", "subscription": ids, "target": "o365-e3", "upgrade_type": "", "quantity": ""},
    )
    assert response.status_code == 302
    dry_run = UpgradeBatch.objects.get()
    assert response["Location"] == reverse("portal:batch_detail", kwargs={"batch_id": dry_run.pk})
    assert dry_run.dry_run and dry_run.status == "succeeded" and dry_run.total_items == 2
    assert sorted(str(s) for s in dry_run.items.values_list("subscription_id", flat=True)) == sorted(ids)
    review = agent_client.get(response["Location"])
    assert review.status_code == 200
    text = review.content.decode()
    assert "Submit the 2 eligible items as a batch" in text
    assert text.count("Will succeed</span>") == 2
    assert Subscription.objects.filter(offer_id="o365-e3").count() == 0  # a dry run changes nothing

    submitted = run(
        django_capture_on_commit_callbacks,
        agent_client.post,
        reverse("portal:batch_submit", kwargs={"batch_id": dry_run.pk}),
        {"items": "eligible"},
    )
    batch = UpgradeBatch.objects.exclude(pk=dry_run.pk).get()
    assert submitted["Location"] == reverse("portal:batch_detail", kwargs={"batch_id": batch.pk})
    assert (batch.dry_run, batch.status, batch.total_items) == (False, "succeeded", 2)
    assert Subscription.objects.filter(offer_id="o365-e3", status="active").count() == 2
    # one notification per finished batch, for its creator, linking to the batch page
    note = Notification.objects.get(key=f"batch-finished:{batch.pk}")
    assert note.user.username == "ana" and note.level == "success"
    assert note.link == f"/batches/{batch.pk}/"
    assert note.message == "Your batch of 2 upgrades finished (Succeeded): 2 succeeded, 0 failed."
    assert Notification.objects.filter(key=f"batch-finished:{dry_run.pk}").count() == 1
    assert batch_finished_notify(batch_id=batch.pk).pk == note.pk  # idempotent
    assert Notification.objects.filter(key__startswith="batch-finished:").count() == 2


def test_every_row_the_filter_matches_with_each_rows_best_target(
    agent_client, upgradables, partner, sales_agent, django_capture_on_commit_callbacks
):
    other = factories.CustomerFactory(company_name="Zeta Other", domain="zeta.example")
    make_upgradable(partner=partner, agent=sales_agent, customer=other)
    names = [u.customer.domain for u in upgradables]
    response = run(
        django_capture_on_commit_callbacks,
        agent_client.post,
        reverse("portal:batch_selection"),
        {"filter": f"search={names[0]}", "all_matching": "on", "target": ""},
    )
    assert response.status_code == 302
    batch = UpgradeBatch.objects.get()
    item = batch.items.get()
    assert item.subscription_id == upgradables[0].subscription.pk
    assert item.target_offer_id  # the row's best target
    assert batch.total_items == 1


def test_selection_without_rows_or_with_a_bad_quantity_answers_400_beside_the_field(agent_client, upgradables):
    url = reverse("portal:batch_selection")
    response = agent_client.post(url, {"filter": "", "target": ""})
    assert response.status_code == 400
    assert "Select at least one row, or every row the filter matches." in response.content.decode()
    response = agent_client.post(
        url, {"filter": "", "subscription": [str(upgradables[0].subscription.pk)], "quantity": "0"}
    )
    assert response.status_code == 400
    assert 'data-error-for="quantity">Ensure this value is greater than or equal to 1.' in response.content.decode()
    response = agent_client.post(url, {"filter": "", "subscription": [str(uuid.uuid4())]})
    assert response.status_code == 400
    response = agent_client.post(url, {"filter": "market=XX", "all_matching": "on"})
    assert response.status_code == 400
    assert "The filter of the selection is not valid" in response.content.decode()
    assert UpgradeBatch.objects.count() == 0


def test_progress_fragment_polls_while_open_and_stops_when_final(agent_client, sales_agent, upgradables):
    batch = upgrade_batch_create(actor=sales_agent, items=[spec(u) for u in upgradables])  # not run: no commit
    url = reverse("portal:batch_progress", kwargs={"batch_id": batch.pk})
    fragment = agent_client.get(url)
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert html.startswith('<section id="batch-live"')
    assert f'hx-get="{url}"' in html and 'hx-trigger="every 1s"' in html
    assert 'value="0"' in html and "0 of 3 items done" in html
    UpgradeBatchItem.objects.filter(batch=batch, position=0).update(status="succeeded")
    assert "1 of 3 items done" in agent_client.get(url).content.decode()
    assert "data-percent>33%<" in agent_client.get(url).content.decode()
    UpgradeBatchItem.objects.filter(batch=batch).update(status="failed")
    UpgradeBatch.objects.filter(pk=batch.pk).update(status="failed")
    final = agent_client.get(url).content.decode()
    assert "hx-trigger" not in final and "data-percent>100%<" in final
    assert "Retry the 3 failed items" in final
    page = agent_client.get(reverse("portal:batch_detail", kwargs={"batch_id": batch.pk})).content.decode()
    assert "vendor/htmx/htmx.min.js" in page


def test_cancel_cancels_the_items_not_started(agent_client, sales_agent, upgradables):
    batch = upgrade_batch_create(actor=sales_agent, items=[spec(u) for u in upgradables])
    response = agent_client.post(reverse("portal:batch_cancel", kwargs={"batch_id": batch.pk}))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == "cancelled"
    assert sorted(batch.items.values_list("status", flat=True)) == ["cancelled"] * 3
    again = agent_client.post(reverse("portal:batch_cancel", kwargs={"batch_id": batch.pk}), follow=True)
    assert again.status_code == 200


def test_retry_failed_creates_a_new_batch_of_only_the_failed_items(
    agent_client, sales_agent, upgradables, django_capture_on_commit_callbacks
):
    items = [spec(upgradables[0]), spec(upgradables[1], target="m365-e5"), spec(upgradables[2], target="m365-e5")]
    batch = run(django_capture_on_commit_callbacks, upgrade_batch_create, actor=sales_agent, items=items)
    batch.refresh_from_db()
    assert batch.status == "partially_succeeded"
    detail = agent_client.get(reverse("portal:batch_detail", kwargs={"batch_id": batch.pk})).content.decode()
    assert "Retry the 2 failed items" in detail
    assert 'data-reason="' in detail  # every reason code is shown
    response = run(
        django_capture_on_commit_callbacks,
        agent_client.post,
        reverse("portal:batch_retry", kwargs={"batch_id": batch.pk}),
    )
    retry = UpgradeBatch.objects.exclude(pk=batch.pk).get()
    assert response["Location"] == reverse("portal:batch_detail", kwargs={"batch_id": retry.pk})
    assert list(retry.items.values_list("position", "subscription_id", "target_offer_id")) == [
        (0, upgradables[1].subscription.pk, "m365-e5"),
        (1, upgradables[2].subscription.pk, "m365-e5"),
    ]
    assert retry.dry_run is False
    # an open batch has nothing to retry yet: the page says why, nothing is created
    open_batch = upgrade_batch_create(actor=sales_agent, items=[spec(upgradables[0])])
    refused = agent_client.post(reverse("portal:batch_retry", kwargs={"batch_id": open_batch.pk}), follow=True)
    assert "The batch is still running: wait until it has finished." in refused.content.decode()
    assert UpgradeBatch.objects.count() == 3


def test_results_csv(agent_client, sales_agent, upgradables, django_capture_on_commit_callbacks):
    items = [spec(upgradables[0]), spec(upgradables[1], target="m365-e5")]
    batch = run(django_capture_on_commit_callbacks, upgrade_batch_create, actor=sales_agent, items=items)
    target = Subscription.objects.get(offer_id="o365-e3")
    response = agent_client.get(reverse("portal:batch_results_csv", kwargs={"batch_id": batch.pk}))
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="batch-{batch.pk}-results.csv"'
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    u0, u1 = upgradables[0], upgradables[1]
    assert lines[0] == RESULTS_CSV_HEADER
    assert lines[1] == [
        "0",
        str(u0.customer.tenant_id),
        str(u0.subscription.pk),
        "o365-e3",
        "",
        "",
        "succeeded",
        str(target.pk),
        "",
    ]
    assert lines[2][:8] == ["1", str(u1.customer.tenant_id), str(u1.subscription.pk), "m365-e5", "", "", "failed", ""]
    assert lines[2][8] == (
        "subscription_target_offer_not_found: The requested target offer is not an upgrade path of this subscription."
    )
    assert len(lines) == 3


def test_another_partners_batch_is_404_on_every_path(agent_client, other_partner, upgradables):
    stranger = factories.PartnerUserFactory(partner=other_partner, username="zed", roles=["sales_agent"])
    theirs = make_upgradable(partner=other_partner, agent=stranger)
    batch = upgrade_batch_create(actor=stranger, items=[spec(theirs)])
    for name in ("batch_detail", "batch_progress", "batch_results_csv"):
        assert agent_client.get(reverse(f"portal:{name}", kwargs={"batch_id": batch.pk})).status_code == 404, name
    for name in ("batch_cancel", "batch_retry", "batch_submit"):
        assert agent_client.post(reverse(f"portal:{name}", kwargs={"batch_id": batch.pk})).status_code == 404, name
    batch.refresh_from_db()
    assert batch.status == "queued" and UpgradeBatch.objects.count() == 1
    assert str(batch.pk) not in agent_client.get(reverse("portal:batch_list")).content.decode()


def test_batch_list_status_filter_and_empty_state(agent_client, sales_agent, upgradables):
    empty = agent_client.get(reverse("portal:batch_list"))
    assert empty.status_code == 200 and "No batches yet" in empty.content.decode()
    queued = upgrade_batch_create(actor=sales_agent, items=[spec(upgradables[0])])
    dry = upgrade_batch_create(actor=sales_agent, items=[spec(upgradables[1])], dry_run=True)
    listing = agent_client.get(reverse("portal:batch_list")).content.decode()
    assert f'data-batch="{queued.pk}"' in listing and f'data-batch="{dry.pk}"' in listing
    assert "Dry run" in listing and "Queued" in listing
    filtered = agent_client.get(reverse("portal:batch_list") + "?status=cancelled").content.decode()
    assert "No batch has this status" in filtered
    assert agent_client.get(reverse("portal:batch_list") + "?status=nope").status_code == 400


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_query_counts_are_flat_as_batches_and_items_grow(agent_client, sales_agent, upgradables):
    specs = [spec(u) for u in upgradables]
    first = upgrade_batch_create(actor=sales_agent, items=specs[:1])
    list_one = _queries(agent_client, reverse("portal:batch_list"))
    page_one = _queries(agent_client, reverse("portal:batch_detail", kwargs={"batch_id": first.pk}))
    fragment_one = _queries(agent_client, reverse("portal:batch_progress", kwargs={"batch_id": first.pk}))
    for _ in range(5):
        upgrade_batch_create(actor=sales_agent, items=specs, dry_run=True)
    big = upgrade_batch_create(actor=sales_agent, items=specs * 20, dry_run=True)
    assert _queries(agent_client, reverse("portal:batch_list")) == list_one
    assert _queries(agent_client, reverse("portal:batch_detail", kwargs={"batch_id": big.pk})) == page_one
    assert _queries(agent_client, reverse("portal:batch_progress", kwargs={"batch_id": big.pk})) == fragment_one


def test_customer_list_links_to_its_opportunities(agent_client, upgradables):
    html = agent_client.get(reverse("portal:customer_list")).content.decode()
    domain = upgradables[0].customer.domain
    assert f'href="/opportunities/?search={domain}"' in html


def test_submit_every_item_of_a_dry_run_and_refusals(
    agent_client, sales_agent, upgradables, django_capture_on_commit_callbacks
):
    items = [spec(upgradables[0]), spec(upgradables[1], target="m365-e5")]
    dry_run = run(
        django_capture_on_commit_callbacks, upgrade_batch_create, actor=sales_agent, items=items, dry_run=True
    )
    dry_run.refresh_from_db()
    assert dry_run.status == "partially_succeeded"
    review = agent_client.get(reverse("portal:batch_detail", kwargs={"batch_id": dry_run.pk})).content.decode()
    assert review.count("Will succeed</span>") == 1 and review.count("Will fail</span>") == 1
    assert 'data-reason="subscription_target_offer_not_found"' in review
    agent_client.post(reverse("portal:batch_submit", kwargs={"batch_id": dry_run.pk}), {"items": "all"})
    real = UpgradeBatch.objects.get(dry_run=False)
    assert list(real.items.values_list("target_offer_id", flat=True)) == ["o365-e3", "m365-e5"]
    # a real batch is not a dry run: nothing to submit, the page says so
    refused = agent_client.post(reverse("portal:batch_submit", kwargs={"batch_id": real.pk}), follow=True)
    assert "Only a dry run can be submitted as a batch." in refused.content.decode()
    assert UpgradeBatch.objects.count() == 2


def test_a_batch_of_an_application_or_still_open_notifies_nobody(partner, sales_agent):
    open_batch = UpgradeBatch.objects.create(partner=partner, created_by_user=sales_agent, status="running")
    assert batch_finished_notify(batch_id=open_batch.pk) is None
    batch = UpgradeBatch.objects.create(partner=partner, created_by_application_id="robot", status="succeeded")
    assert batch_finished_notify(batch_id=batch.pk) is None
    assert not Notification.objects.filter(key__startswith="batch-finished:").exists()
