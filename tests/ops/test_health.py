"""``/healthz`` and ``/readyz``: unauthenticated, tiny JSON, 503 when a check fails, never a secret."""

import pytest
from django.db import connection, connections
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import OperationalError

pytestmark = pytest.mark.django_db

EAGER = {"status": "skipped", "mode": "eager"}


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_readyz_in_the_development_configuration_reports_eager_celery(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": {"status": "ok"},
            "migrations": {"status": "ok", "unapplied": 0},
            "broker": EAGER,
            "workers": EAGER,
        },
    }


def test_an_unapplied_migration_makes_readyz_503(client):
    MigrationRecorder(connection).record_unapplied("audit", "0002_more_operation_types")
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["migrations"] == {"status": "fail", "unapplied": 1}
    assert body["checks"]["database"] == {"status": "ok"}


def test_a_positive_migration_check_is_remembered(client, django_assert_num_queries):
    assert client.get("/readyz").status_code == 200
    with django_assert_num_queries(1):  # SELECT 1 only: the migration graph is not loaded again
        assert client.get("/readyz").status_code == 200


def test_database_down_is_503_naming_no_host(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError('connection to server at "db-7.internal" (10.0.0.7), port 5432 failed: password x')

    monkeypatch.setattr(connections["default"], "cursor", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == {"status": "fail", "error": "OperationalError"}
    assert checks["migrations"] == {"status": "skipped"}
    assert b"db-7" not in response.content and b"10.0.0.7" not in response.content


def test_unreachable_broker_is_503_without_its_url(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://portal:s3cret-pass@127.0.0.1:1/0"  # nothing listens on port 1
    settings.READYZ_BROKER_TIMEOUT = 0.5
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["broker"]["status"] == "fail" and set(checks["broker"]) == {"status", "error"}
    assert checks["workers"] == {"status": "skipped"}
    assert b"s3cret" not in response.content and b"127.0.0.1" not in response.content


def test_a_broker_without_workers_is_503(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # the in-memory broker of the test settings: reachable, no worker
    settings.READYZ_WORKER_TIMEOUT = 0.2
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["broker"] == {"status": "ok"}
    assert checks["workers"] == {"status": "fail", "answering": 0}


def test_probes_answer_get_only(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405
