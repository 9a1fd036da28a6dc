"""``manage.py audit_export``: export audit records past a cutoff to JSON Lines or CSV, delete only what was
written; the daily retention sweep only when ``AUDIT_RETENTION_DAYS`` is set."""

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditRecord
from audit.retention import audit_records_export
from audit.services import audit_record_create
from audit.tasks import retention_sweep
from partners.models import Partner

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def record(when: dt.datetime, resource_type: str = "subscription", partner: Partner | None = None) -> AuditRecord:
    row = audit_record_create(
        actor=None,
        operation_type="update_subscription",
        resource_type=resource_type,
        partner=partner,
        old={"quantity": 1},
        new={"quantity": 2, "note": "Växjö"},
        correlation_id="corr-1",
    )
    AuditRecord.objects.filter(pk=row.pk).update(operation_date=when)
    row.refresh_from_db()
    return row


@pytest.fixture
def three(partner):
    return [
        record(dt.datetime(2026, 1, 1, 9, tzinfo=UTC), "a", partner),
        record(dt.datetime(2026, 1, 31, 23, 59, tzinfo=UTC), "b"),
        record(dt.datetime(2026, 2, 1, 0, 0, tzinfo=UTC), "c"),
    ]


def test_jsonl_export_then_delete_removes_exactly_the_written_records(three, tmp_path, partner):
    out = tmp_path / "audit.jsonl"
    call_command("audit_export", before="2026-02-01", format="jsonl", output=str(out), delete=True)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == [str(three[0].pk), str(three[1].pk)]
    assert rows[0] == {
        "id": str(three[0].pk),
        "operation_date": "2026-01-01T09:00:00Z",
        "operation_type": "update_subscription",
        "operation_status": "succeeded",
        "resource_type": "a",
        "partner_id": partner.pk,
        "customer_id": None,
        "customer_name": "",
        "user_principal_name": "system",
        "application_id": "",
        "original_correlation_id": "corr-1",
        "resource_old_value": {"quantity": 1},
        "resource_new_value": {"quantity": 2, "note": "Växjö"},
    }
    remaining = AuditRecord.objects.order_by("operation_date")
    assert [r.resource_type for r in remaining] == ["c", "audit_record"]
    purge = remaining.get(resource_type="audit_record")
    assert purge.operation_type == "delete_record"
    assert purge.resource_new_value == {"before": "2026-02-01T00:00:00+00:00", "deleted": 2, "export": "audit.jsonl"}


def test_csv_export_without_delete_keeps_everything(three, tmp_path):
    out = tmp_path / "audit.csv"
    call_command("audit_export", before="2026-02-01", format="csv", output=str(out))
    with out.open(encoding="utf-8", newline="") as stream:
        table = list(csv.reader(stream))
    assert table[0][:5] == ["id", "operation_date", "operation_type", "operation_status", "resource_type"]
    assert [row[4] for row in table[1:]] == ["a", "b"]
    assert table[2][1] == "2026-01-31T23:59:00+00:00"
    assert json.loads(table[1][-1]) == {"quantity": 2, "note": "Växjö"}
    assert AuditRecord.objects.count() == 3


def test_stdout_export_when_no_file_is_given(three, capsys):
    out = io.StringIO()
    call_command("audit_export", before="2026-01-15", stdout=out, stderr=io.StringIO())
    assert [json.loads(line)["resource_type"] for line in out.getvalue().splitlines()] == ["a"]


def test_delete_without_an_export_file_is_refused(three):
    with pytest.raises(CommandError, match="--delete needs --output"):
        call_command("audit_export", before="2026-02-01", delete=True)
    assert AuditRecord.objects.count() == 3


def test_an_existing_file_is_never_overwritten_and_nothing_is_deleted(three, tmp_path):
    out = tmp_path / "audit.jsonl"
    out.write_text("keep me\n", encoding="utf-8")
    with pytest.raises(CommandError, match="exists"):
        call_command("audit_export", before="2026-02-01", output=str(out), delete=True)
    assert out.read_text(encoding="utf-8") == "keep me\n"
    assert AuditRecord.objects.count() == 3


def test_bad_arguments_name_the_option(three, settings):
    with pytest.raises(CommandError, match="--before"):
        call_command("audit_export", before="31.01.2026")
    with pytest.raises(CommandError, match="--older-than-days"):
        call_command("audit_export", older_than_days=-1)
    settings.AUDIT_RETENTION_DAYS = None
    with pytest.raises(CommandError, match="AUDIT_RETENTION_DAYS"):
        call_command("audit_export")


def test_without_a_cutoff_the_retention_setting_applies(three, settings, tmp_path, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: dt.datetime(2026, 3, 2, 0, 0, tzinfo=UTC))
    settings.AUDIT_RETENTION_DAYS = 30  # cutoff 2026-01-31 00:00
    out = tmp_path / "retention.jsonl"
    call_command("audit_export", output=str(out), delete=True, stderr=io.StringIO())
    assert [json.loads(line)["resource_type"] for line in out.read_text(encoding="utf-8").splitlines()] == ["a"]
    assert sorted(AuditRecord.objects.values_list("resource_type", flat=True)) == ["audit_record", "b", "c"]


def test_older_than_days(three, tmp_path, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: dt.datetime(2026, 2, 11, 0, 0, tzinfo=UTC))
    out = tmp_path / "older.jsonl"
    call_command("audit_export", older_than_days=10, output=str(out), stderr=io.StringIO())  # before 2026-02-01
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2


def test_chunks_walk_equal_dates_and_cost_flat_queries(tmp_path, django_assert_num_queries):
    same = dt.datetime(2025, 6, 1, 12, tzinfo=UTC)
    rows = [record(same, f"r{i}") for i in range(5)]
    with (tmp_path / "chunks.jsonl").open("x", encoding="utf-8") as stream:
        # per chunk of 2 (3 chunks): its SELECT, then its DELETE in its own transaction (a savepoint inside the
        # test's: SAVEPOINT, DELETE, RELEASE); then the empty SELECT that ends the walk and the run's audit record
        with django_assert_num_queries(3 * 4 + 1 + 1):
            run = audit_records_export(
                cutoff=dt.datetime(2026, 1, 1, tzinfo=UTC), stream=stream, fmt="jsonl", delete=True, chunk_size=2
            )
    assert (run.exported, run.deleted) == (5, 5)
    written = [json.loads(line)["id"] for line in (tmp_path / "chunks.jsonl").read_text().splitlines()]
    assert sorted(written) == sorted(str(r.pk) for r in rows)
    assert list(AuditRecord.objects.values_list("resource_type", flat=True)) == ["audit_record"]


def test_the_sweep_runs_only_with_a_retention_setting(three, settings, tmp_path, monkeypatch):
    settings.AUDIT_EXPORT_DIR = str(tmp_path / "exports")
    settings.AUDIT_RETENTION_DAYS = None
    assert retention_sweep() is None
    assert AuditRecord.objects.count() == 3
    monkeypatch.setattr("django.utils.timezone.now", lambda: dt.datetime(2026, 3, 3, 0, 0, tzinfo=UTC))
    settings.AUDIT_RETENTION_DAYS = 30  # cutoff 2026-02-01 00:00: "c" stays
    outcome = retention_sweep()
    assert outcome == {"file": "audit-20260201-20260303T000000.jsonl", "exported": 2, "deleted": 2}
    exported = (tmp_path / "exports" / outcome["file"]).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["resource_type"] for line in exported] == ["a", "b"]
    assert sorted(AuditRecord.objects.values_list("resource_type", flat=True)) == ["audit_record", "c"]
