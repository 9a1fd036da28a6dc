"""On the default SQLite database (a real file, as `scripts/run.sh` uses), 50 concurrent PATCHes of one
subscription all succeed: IMMEDIATE transactions and a busy timeout instead of "database is locked" (issue 8).

The suite's own SQLite database is in memory (shared cache, table locks without a busy timeout), so the check
runs in a subprocess with ``DATABASE_URL`` pointing at a temporary file.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import json, threading
import django
django.setup()
from django.core.management import call_command
from django.db import connection, connections
call_command("migrate", verbosity=0)
from rest_framework.test import APIClient
from accounts.models import ApiToken
from audit.models import AuditRecord
from subscriptions.models import Subscription
from tests import factories

partner = factories.PartnerFactory()
agent = factories.PartnerUserFactory(partner=partner, roles=["sales_agent"])
customer = factories.CustomerFactory()
factories.RelationshipFactory(partner=partner, customer=customer)
factories.DapGrantFactory(partner=partner, customer=customer)
subscription = factories.SubscriptionFactory(customer=customer, partner=partner, quantity=10)
_token, raw = ApiToken.issue(user=agent)
url = f"/v1/customers/{customer.tenant_id}/subscriptions/{subscription.pk}"
connections.close_all()
statuses, start = [], threading.Barrier(50)

def patch(quantity):
    client = APIClient(raise_request_exception=False)
    start.wait()
    response = client.patch(url, {"quantity": quantity}, format="json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    statuses.append(response.status_code)
    connections.close_all()

threads = [threading.Thread(target=patch, args=(11 + n,)) for n in range(50)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({"statuses": sorted(statuses), "quantity": Subscription.objects.get(pk=subscription.pk).quantity,
                  "audits": AuditRecord.objects.filter(operation_type="update_subscription").count(),
                  "journal": connection.cursor().execute("PRAGMA journal_mode").fetchone()[0]}))
"""


def test_fifty_concurrent_patches_on_file_sqlite_all_succeed(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "partnercenter.settings_test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'concurrency.sqlite3'}",
    }
    env.pop("CELERY_BROKER_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["statuses"] == [200] * 50, done.stderr[-3000:]
    assert result["audits"] == 50  # every PATCH set a different quantity: 50 real changes, each audited
    assert 11 <= result["quantity"] <= 60
    assert result["journal"] == "wal"
