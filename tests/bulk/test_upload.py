"""The CSV upload of batch items (issue 11 part 1): every bad row reported by line and column, nothing created
until the file is clean; a clean file becomes a dry run (the review page)."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from bulk.models import UpgradeBatch
from bulk.upload import UploadError, batch_items_from_csv
from tests import factories
from tests.builders import make_upgradable

pytestmark = pytest.mark.django_db

HEADER = "customerId,subscriptionId,targetOfferId,quantity,upgradeType"
UNKNOWN = uuid.UUID("00000000-0000-4000-8000-0000000000aa")


@pytest.fixture
def agent_client(sales_agent):
    client = Client()
    client.force_login(sales_agent)
    return client


@pytest.fixture
def own(partner, sales_agent):
    return [make_upgradable(partner=partner, agent=sales_agent) for _ in range(2)]


@pytest.fixture
def theirs(other_partner):
    stranger = factories.PartnerUserFactory(partner=other_partner, username="zed", roles=["sales_agent"])
    return make_upgradable(partner=other_partner, agent=stranger)


def upload(client, text: str | bytes):
    data = text.encode() if isinstance(text, str) else text
    return client.post(reverse("portal:batch_upload"), {"file": SimpleUploadedFile("items.csv", data, "text/csv")})


def test_bad_rows_are_each_reported_by_line_and_column_and_nothing_is_created(agent_client, own, theirs):
    a, b = own
    lines = [
        HEADER,
        f"{a.customer.tenant_id},{a.subscription.pk},o365-e3,,upgrade_only",  # 2: fine
        f"{a.customer.tenant_id},{UNKNOWN},o365-e3,,",  # 3: unknown subscription
        f"{theirs.customer.tenant_id},{theirs.subscription.pk},o365-e3,,",  # 4: another partner's: like unknown
        f"{b.customer.tenant_id},{b.subscription.pk},o365-e3,zero,",  # 5: bad quantity
        f"{b.customer.tenant_id},{b.subscription.pk},no-such-offer,5,",  # 6: unknown target (and duplicate of 5)
        f"{a.customer.tenant_id},{a.subscription.pk},o365-e3,,",  # 7: duplicate of line 2
        f"not-a-guid,{b.subscription.pk},o365-e3,-3,sideways",  # 8: bad GUID, quantity, type; duplicate of 5
    ]
    before = UpgradeBatch.objects.count()
    response = upload(agent_client, "\n".join(lines) + "\n")
    assert response.status_code == 400
    errors = [(e.line, e.column, e.message) for e in response.context["errors"]]
    assert errors == [
        (3, "subscriptionId", f"Subscription {UNKNOWN} was not found."),
        (4, "customerId", f"Customer {theirs.customer.tenant_id} was not found."),
        (4, "subscriptionId", f"Subscription {theirs.subscription.pk} was not found."),
        (5, "quantity", "must be a whole number."),
        (6, "subscriptionId", "Duplicate row: line 5 already upgrades this subscription."),
        (6, "targetOfferId", "Offer no-such-offer is not in the catalog."),
        (7, "subscriptionId", "Duplicate row: line 2 already upgrades this subscription."),
        (8, "customerId", "not a GUID."),
        (8, "subscriptionId", "Duplicate row: line 5 already upgrades this subscription."),
        (8, "quantity", "must be between 1 and 2147483647."),
        (
            8,
            "upgradeType",
            "Must be one of none, upgrade_only, upgrade_with_license_transfer or the integers 0, 1, 2; got 'sideways'.",
        ),
    ]
    html = response.content.decode()
    assert "11 problems in the file: nothing was created" in html
    assert '<tr data-line="4" data-column="subscriptionId">' in html
    assert UpgradeBatch.objects.count() == before  # nothing created


def test_another_partners_subscription_reads_exactly_like_an_unknown_one(sales_agent, own, theirs):
    for customer, subscription in (
        (theirs.customer.tenant_id, theirs.subscription.pk),
        (uuid.UUID("00000000-0000-4000-8000-0000000000bb"), UNKNOWN),
    ):
        _specs, errors = batch_items_from_csv(sales_agent, f"{HEADER}\n{customer},{subscription},o365-e3,,\n".encode())
        assert errors == [
            UploadError(2, "customerId", f"Customer {customer} was not found."),
            UploadError(2, "subscriptionId", f"Subscription {subscription} was not found."),
        ]


def test_file_level_problems(sales_agent, own):
    a = own[0]
    row = f"{a.customer.tenant_id},{a.subscription.pk},o365-e3,,"
    cases = {
        b"": [(1, "", "The file is empty: the first line must be the header " + HEADER + ".")],
        b"subscriptionId,customerId\n": [(1, "", "The header must be exactly " + HEADER + ".")],
        (HEADER + "\n").encode(): [(1, "", "The file has a header but no item.")],
        (HEADER + "\n" + row + "\n\xff\xfe,x\n").encode("latin-1"): [
            (3, "", "The file is not UTF-8 text (byte 145).")
        ],  # 61 + 84
        (HEADER + "\n" + row + ",extra\n").encode(): [(2, "", "Expected 5 columns, got 6.")],
        (HEADER + "\n" + f"{own[1].customer.tenant_id},{a.subscription.pk},o365-e3,,\n").encode(): [
            (
                2,
                "subscriptionId",
                f"Subscription {a.subscription.pk} is not a subscription of customer {own[1].customer.tenant_id}.",
            )
        ],
        (HEADER + "\n" + f"{a.customer.tenant_id},{a.subscription.pk},o365-e3,400000,\n").encode(): [
            (2, "quantity", "must be between 1 and 300000 for Office 365 E3.")
        ],
    }
    for data, expected in cases.items():
        _specs, errors = batch_items_from_csv(sales_agent, data)
        assert [(e.line, e.column, e.message) for e in errors] == expected, data[:60]


def test_too_many_rows(sales_agent, own, monkeypatch):
    monkeypatch.setattr("bulk.upload.MAX_BATCH_ITEMS", 2)
    a, b = own
    rows = [f"{u.customer.tenant_id},{u.subscription.pk},o365-e3,," for u in (a, b, a)]
    _specs, errors = batch_items_from_csv(sales_agent, ("\n".join([HEADER, *rows]) + "\n").encode())
    assert errors == [UploadError(4, "", "Too many rows: a batch holds at most 2 items.")]


def test_a_clean_file_becomes_a_dry_run(agent_client, own, django_capture_on_commit_callbacks):
    a, b = own
    text = "\ufeff" + "\r\n".join(
        [
            HEADER,
            f"{a.customer.tenant_id},{a.subscription.pk},o365-e3,12,upgrade_with_license_transfer",
            "",
            f"{b.customer.tenant_id},{b.subscription.pk},o365-e3,,",
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(agent_client, text)
    batch = UpgradeBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:batch_detail", kwargs={"batch_id": batch.pk})
    assert batch.dry_run and batch.status == "succeeded"
    assert list(batch.items.values_list("subscription_id", "quantity", "upgrade_type", "status")) == [
        (a.subscription.pk, 12, "upgrade_with_license_transfer", "succeeded"),
        (b.subscription.pk, None, "", "succeeded"),
    ]


def test_the_upload_page(agent_client):
    page = agent_client.get(reverse("portal:batch_upload"))
    assert page.status_code == 200
    assert HEADER in page.content.decode()
    assert agent_client.post(reverse("portal:batch_upload"), {}).status_code == 400
