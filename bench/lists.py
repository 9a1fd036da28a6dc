"""List paging benchmark: the first and the last page of every portal list cost the same.

    .venv/bin/python bench/lists.py [--customers N] [--runs R]

At 10,000 customers × 3 subscriptions (imported through ``importer``, one upgrade operation per customer
bulk-created), prints for each list page the server time of its first and its last page (median of R runs,
through the Django test client signed in as a sales agent), their query counts and the last/first ratio. Target:
the same queries and a ratio of at most 2. PostgreSQL when ``DATABASE_URL`` is set (a scratch database: the
data is added to it), else a fresh temporary SQLite file.
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ itself, also when a test loads this file
from _django import drop_database, fresh_database

TARGET_RATIO = 2.0
TAG = "lists"
# (label, URL name). The opportunities page (another part of issue 10) joins the list when its URL exists.
PAGES = [("customer list", "portal:customer_list"), ("upgrades list", "portal:upgrade_list")]
OPTIONAL_PAGES = [("opportunities", "portal:opportunities")]  # /opportunities/, included only if it resolves


def setup_database() -> str | None:
    """The configured PostgreSQL (``DATABASE_URL``), migrated; else a fresh SQLite file (returned to drop)."""
    if os.environ.get("DATABASE_URL"):
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnercenter.settings")
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        print(f"database      {os.environ['DATABASE_URL'].split('@')[-1]} (DATABASE_URL)")
        return None
    return fresh_database("lists-bench")


def build(customers: int) -> None:
    """Import ``customers`` × 3 subscriptions and a sales agent; one finished upgrade per customer."""
    build_document = importlib.import_module("import").build_document  # bench/import.py

    from importer.services import tenant_import
    from subscriptions.models import Subscription
    from upgrades.models import UpgradeOperation

    started = time.perf_counter()
    document = build_document(customers, subscriptions=3, users=0, tag=TAG)
    document["partners"][0]["users"].append(
        {"username": f"{TAG}-sales", "email": f"sales@{TAG}.example", "roles": ["sales_agent"], "groups": []}
    )
    tenant_import(actor=None, document=document)
    sources = Subscription.objects.filter(offer_id="m365-business-basic").values_list("pk", "customer_id", "partner_id")
    UpgradeOperation.objects.bulk_create(
        [
            UpgradeOperation(
                source_id=pk,
                customer_id=customer_id,
                partner_id=partner_id,
                target_offer_id="o365-e3",
                upgrade_type="upgrade_with_license_transfer",
                quantity=0,
                billing_cycle="monthly",
                status="succeeded",
            )
            for pk, customer_id, partner_id in sources
        ],
        batch_size=2000,
    )
    print(
        f"data          {customers:,} customers, {Subscription.objects.count():,} subscriptions, "
        f"{UpgradeOperation.objects.count():,} upgrade operations (built in {time.perf_counter() - started:.1f} s)"
    )


def pages() -> list[tuple[str, str]]:
    from django.urls import NoReverseMatch, reverse

    found = list(PAGES)
    for label, name in OPTIONAL_PAGES:
        try:
            reverse(name)
        except NoReverseMatch:
            print(f"skipped       {label} ({name} does not resolve in this tree)")
        else:
            found.append((label, name))
    return found


def measure(client, url: str, runs: int) -> tuple[float, int, int]:
    """Median server time (ms), query count and page count of ``url``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries, num_pages = [], 0, 1
    for _run in range(runs + 1):  # the first run warms the caches up and is not counted
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code)
        times.append(elapsed)
        queries = len(captured)
        page_obj = (response.context or {}).get("page_obj") if response.context is not None else None
        num_pages = page_obj.paginator.num_pages if page_obj is not None else 1
    return statistics.median(times[1:]), queries, num_pages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    database = setup_database()
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from accounts.models import User

    setup_test_environment()  # response.context and the "testserver" host
    build(args.customers)
    client = Client()
    client.force_login(User.objects.get(username=f"{TAG}-sales"))

    ok = True
    print(f"{'page':<15} {'first ms':>9} {'q':>3} {'last ms':>9} {'q':>3} {'pages':>6} {'last/first':>10}")
    for label, name in pages():
        url = reverse(name)
        first_ms, first_q, num_pages = measure(client, url, args.runs)
        last_ms, last_q, _pages = measure(client, f"{url}?page={num_pages}", args.runs)
        ratio = last_ms / first_ms
        good = first_q == last_q and ratio <= TARGET_RATIO
        ok = ok and good
        print(
            f"{label:<15} {first_ms:9.1f} {first_q:3d} {last_ms:9.1f} {last_q:3d} {num_pages:6d} {ratio:10.2f}"
            f"  {'OK' if good else 'FAILED'}"
        )
    print(
        f"target        same queries on the last page, last/first at most {TARGET_RATIO:g}: {'OK' if ok else 'FAILED'}"
    )
    if database:
        drop_database(database)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
