"""``/metrics``: Prometheus text exposition, refused to strangers; sample values after real upgrades, batches
and GDAP relationships (hand-written expectations)."""

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests import factories
from tests.builders import (
    active_gdap,
    add_users,
    api_for,
    gdap_customer,
    item,
    make_upgradable,
    nce_subscription,
    run_batch,
    sub_url,
)
from upgrades.models import UpgradeOperation
from upgrades.tasks import run_upgrade_operation

pytestmark = pytest.mark.django_db

E3 = {"targetOffer": {"id": "o365-e3"}, "upgradeType": "upgrade_with_license_transfer"}
UPGRADE_VIEW = "api:subscription-upgrades"
ROOT = Path(__file__).resolve().parents[2]


def scrape(client, **extra) -> str:
    response = client.get("/metrics", **extra)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    return response.content.decode()


def samples(text: str, prefix: str = "portal_") -> dict[str, float]:
    """``{'name{label="v",...}': value}`` of the samples whose name starts with ``prefix`` (labels sorted)."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name.startswith(prefix):
                labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
                found[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return found


def test_strangers_get_a_404(client, settings):
    settings.METRICS_TOKEN = "scrape-token-0123456789"
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404
    wrong = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 404
    from_loopback_with_a_wrong_token = client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope")
    assert from_loopback_with_a_wrong_token.status_code == 404
    assert b"portal_" not in wrong.content


def test_the_token_or_an_allowed_network_lets_a_scraper_in(client, settings):
    settings.METRICS_TOKEN = "scrape-token-0123456789"
    token = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer scrape-token-0123456789")
    assert token.status_code == 200
    assert client.get("/metrics").status_code == 200  # the test client's 127.0.0.1: loopback is allowed
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8", "fd00::/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="fd00::5").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404  # loopback no longer listed


def test_without_a_token_setting_a_bearer_header_does_not_open_it(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_an_upgrade_shows_in_the_request_operation_and_status_metrics(
    client, api, upgradable, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(sub_url(upgradable.subscription, "/upgrades"), E3)
    assert response.status_code == 200, response.json()
    found = samples(scrape(client))
    assert found[f'portal_http_requests_total{{method="POST",status="200",view="{UPGRADE_VIEW}"}}'] == 1.0
    assert found[f'portal_http_request_duration_seconds_count{{method="POST",view="{UPGRADE_VIEW}"}}'] == 1.0
    assert found['portal_operations_total{kind="upgrade",outcome="succeeded"}'] == 1.0
    assert found['portal_operation_duration_seconds_count{kind="upgrade",outcome="succeeded"}'] == 1.0
    assert found['portal_licenses_moved_total{kind="upgrade"}'] == 3.0  # the three licensed users
    assert found['portal_upgrade_operations{status="succeeded"}'] == 1.0
    assert found['portal_upgrade_operations{status="failed"}'] == 0.0
    assert 'portal_operations_total{kind="upgrade",outcome="failed"}' not in found
    # the scrape itself is not counted yet (it is counted when it has answered)
    assert 'portal_http_requests_total{method="GET",status="200",view="ops:metrics"}' not in found
    again = samples(scrape(client))
    assert again['portal_http_requests_total{method="GET",status="200",view="ops:metrics"}'] == 1.0


def test_a_queued_upgrade_counts_its_task_and_a_failed_one_its_outcome(
    client, api, partner, sales_agent, upgradable, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ok = api.post(sub_url(upgradable.subscription, "/upgrades"), E3, headers={"Prefer": "respond-async"})
    assert ok.status_code == 202
    doomed = make_upgradable(partner=partner, agent=sales_agent, licensed=1)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        late = api.post(sub_url(doomed.subscription, "/upgrades"), E3, headers={"Prefer": "respond-async"})
    assert late.status_code == 202
    doomed.subscription.status = "suspended"  # no longer eligible when the task runs
    doomed.subscription.save(update_fields=["status"])
    with django_capture_on_commit_callbacks(execute=True):
        for callback in queued:
            callback()
    found = samples(scrape(client))
    assert found[f'portal_http_requests_total{{method="POST",status="202",view="{UPGRADE_VIEW}"}}'] == 2.0
    assert found['portal_operations_total{kind="upgrade",outcome="succeeded"}'] == 1.0
    assert found['portal_operations_total{kind="upgrade",outcome="failed"}'] == 1.0
    assert found['portal_licenses_moved_total{kind="upgrade"}'] == 3.0
    assert found['portal_celery_tasks_total{state="SUCCESS",task="upgrades.run_upgrade_operation"}'] == 2.0
    assert found['portal_celery_task_duration_seconds_count{task="upgrades.run_upgrade_operation"}'] == 2.0
    assert found['portal_upgrade_operations{status="succeeded"}'] == 1.0
    assert found['portal_upgrade_operations{status="failed"}'] == 1.0


def test_batch_items_and_gdap_relationships_by_status(
    client, api, partner, sales_agent, django_capture_on_commit_callbacks
):
    upgradables = [make_upgradable(partner=partner, agent=sales_agent) for _ in range(3)]
    items = [item(upgradables[0]), item(upgradables[1], target="m365-e5"), item(upgradables[2])]
    run_batch(api, {"items": items}, django_capture_on_commit_callbacks)
    for upgradable in upgradables[:2]:
        active_gdap(partner, upgradable.customer)
    factories.GdapRelationshipFactory(partner=partner, customer=upgradables[2].customer, status="terminated")
    found = samples(scrape(client))
    batch_items = {k: v for k, v in found.items() if k.startswith("portal_batch_items")}
    assert batch_items == {
        'portal_batch_items{status="cancelled"}': 0.0,
        'portal_batch_items{status="failed"}': 1.0,
        'portal_batch_items{status="pending"}': 0.0,
        'portal_batch_items{status="running"}': 0.0,
        'portal_batch_items{status="skipped"}': 0.0,
        'portal_batch_items{status="succeeded"}': 2.0,
    }
    assert found['portal_gdap_relationships{status="active"}'] == 2.0
    assert found['portal_gdap_relationships{status="terminated"}'] == 1.0
    assert found['portal_gdap_relationships{status="approvalPending"}'] == 0.0
    assert found['portal_operations_total{kind="upgrade",outcome="succeeded"}'] == 2.0
    assert found['portal_celery_tasks_total{state="SUCCESS",task="bulk.process_upgrade_batch_chunk"}'] == 1.0
    # the memory broker of the test settings is not Redis: no queue lengths
    assert not any(k.startswith("portal_celery_queue_length") for k in found)


def test_db_figures_cost_one_query_each_whatever_the_data(client, partner, sales_agent, django_assert_num_queries):
    for _ in range(3):
        upgradable = make_upgradable(partner=partner, agent=sales_agent)
        active_gdap(partner, upgradable.customer)
    with django_assert_num_queries(3):  # GDAP relationships, upgrade operations, batch items
        scrape(client)


def test_multiprocess_mode_adds_up_every_process(client, tmp_path, monkeypatch):
    """Two processes (say a gunicorn worker and a Celery worker) count into one directory; /metrics sums."""
    env = {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    count = "from ops.metrics import OPERATIONS, LICENSES_MOVED; OPERATIONS.labels('transition', 'succeeded').inc(); LICENSES_MOVED.labels('transition').inc(4)"
    for _ in range(2):
        subprocess.run([sys.executable, "-c", count], env=env, cwd=ROOT, check=True)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    found = samples(scrape(client))
    assert found['portal_operations_total{kind="transition",outcome="succeeded"}'] == 2.0
    assert found['portal_licenses_moved_total{kind="transition"}'] == 8.0
    assert found['portal_gdap_relationships{status="active"}'] == 0.0  # the database figures are still there


def test_a_transition_counts_its_outcome_and_licenses(client, partner, django_capture_on_commit_callbacks):
    agent = factories.PartnerUserFactory(partner=partner, username="agent", roles=["admin_agent"])
    source = nce_subscription(gdap_customer(partner=partner, agent=agent), "m365-business-basic", partner=partner)
    add_users(source, 3)
    body = {
        "fromCatalogItemId": "CFQ7TTC0LH18:0001:DZH318Z0BQ3Q",
        "toCatalogItemId": "CFQ7TTC0LF8R:0001:DZH318Z0BOE3",
        "quantity": 4,
        "termDuration": "P1Y",
        "billingCycle": "annual",
        "transitionType": "transition_with_license_transfer",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(user=agent).post(sub_url(source, "/transitions"), body)
    assert response.status_code == 200, response.content
    found = samples(scrape(client))
    assert found['portal_operations_total{kind="transition",outcome="succeeded"}'] == 1.0
    assert found['portal_operation_duration_seconds_count{kind="transition",outcome="succeeded"}'] == 1.0
    assert found['portal_licenses_moved_total{kind="transition"}'] == 3.0
    assert 'portal_operations_total{kind="upgrade",outcome="succeeded"}' not in found


def test_a_transition_that_rolls_back_counts_nothing(client, partner, django_capture_on_commit_callbacks):
    agent = factories.PartnerUserFactory(partner=partner, username="agent", roles=["admin_agent"])
    source = nce_subscription(gdap_customer(partner=partner, agent=agent), "m365-business-basic", partner=partner)
    source.status = "suspended"  # refused on the locked rows, inside the transaction
    source.save(update_fields=["status"])
    body = {"toCatalogItemId": "CFQ7TTC0LF8R:0001:DZH318Z0BOE3", "quantity": 4}
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(user=agent).post(sub_url(source, "/transitions"), body)
    assert response.status_code == 409, response.content
    found = samples(scrape(client))
    assert not any(k.startswith("portal_operations_total") for k in found)


def test_a_failing_task_counts_its_failure_by_exception_class(client):
    # run here through Celery's tracer and signals, the exception kept in the result as a worker does (eager
    # propagation would re-raise before Celery's failure handling)
    result = run_upgrade_operation.apply(args=[str(uuid.uuid4())], throw=False)
    assert result.failed() and isinstance(result.result, UpgradeOperation.DoesNotExist)
    found = samples(scrape(client))
    task = "upgrades.run_upgrade_operation"
    assert found[f'portal_celery_task_failures_total{{exception="DoesNotExist",task="{task}"}}'] == 1.0
    assert found[f'portal_celery_tasks_total{{state="FAILURE",task="{task}"}}'] == 1.0
    assert found[f'portal_celery_task_duration_seconds_count{{task="{task}"}}'] == 1.0
