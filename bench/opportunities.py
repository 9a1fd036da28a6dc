"""Opportunities benchmark: a partner with 10,000 customers × 3 subscriptions (and one with 100).

    .venv/bin/python bench/opportunities.py [--customers N] [--small N] [--database PATH]

Sets Django up against a fresh temporary SQLite file (migrated), imports the book through ``importer``
(2 tenant users per customer, both assigned to the first subscription), then signs the partner's admin agent
in and measures the opportunities page's server time and queries: the first page and the CSV export of
everything, for the large book and for the small one. Targets: the same queries for both books, first page
under 1 s, export under 10 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ itself, also when a test loads this file
from _django import drop_database, fresh_database

SOURCES = ["m365-business-basic", "m365-business-standard", "m365-apps-for-business"]
FIRST_PAGE_SECONDS = 1.0
EXPORT_SECONDS = 10.0


def build_document(customers: int, *, tag: str) -> dict:
    """``customers`` × 3 subscriptions (Basic, Standard, Apps for business), 2 users assigned to the first."""
    from importlib import util

    spec = util.spec_from_file_location("bench_import", Path(__file__).resolve().parent / "import.py")
    module = util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    module.OFFERS[:] = SOURCES
    document = module.build_document(customers, subscriptions=3, users=2, tag=tag)
    for index, customer in enumerate(document["customers"]):
        customer["country"] = ("US", "DE", "FR", "GB")[index % 4]
        for position, sub in enumerate(customer["subscriptions"]):
            sub["quantity"] = 5 + (index + position) % 20
            if position:
                sub["assignments"] = []
    return document


def measure(client, url: str) -> tuple[float, int, int]:
    """(server seconds, queries, bytes) of one GET (a streamed answer is read to its end)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        elapsed = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, len(captured), len(body)


def run_book(tag: str, customers: int) -> dict[str, tuple[float, int, int]]:
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from importer.services import tenant_import
    from opportunities.selectors import clear_cache

    started = time.perf_counter()
    tenant_import(actor=None, document=build_document(customers, tag=tag))
    print(f"{tag:<6} {customers:,} customers × 3 subscriptions imported in {time.perf_counter() - started:.1f} s")
    client = Client()
    client.force_login(User.objects.get(username=f"{tag}-agent"))
    client.get("/")  # warm the session and the URL resolver
    results = {}
    for label, url in (
        ("first page", reverse("portal:opportunities")),
        ("CSV", reverse("portal:opportunities_export")),
    ):
        clear_cache()
        results[f"{label} cold"] = measure(client, url)
        results[f"{label} warm"] = measure(client, url)
    for label, (seconds, queries, size) in results.items():
        print(f"{tag:<6} {label:<16} {seconds * 1000:9.0f} ms  {queries:3d} queries  {size / 1024:10,.0f} KiB")
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=100)
    args = parser.parse_args()

    database = fresh_database("opportunities-bench")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    small = run_book("small", args.small)
    large = run_book("large", args.customers)
    print("ratios (large / small):")
    for label in large:
        print(
            f"  {label:<16} time × {large[label][0] / small[label][0]:6.1f}   queries {small[label][1]} → {large[label][1]}"
        )
    same = all(small[label][1] == large[label][1] for label in large)
    first = large["first page cold"][0] < FIRST_PAGE_SECONDS
    export = large["CSV cold"][0] < EXPORT_SECONDS
    print(f"target        equal query counts: {'OK' if same else 'FAILED'}")
    print(f"target        first page under {FIRST_PAGE_SECONDS:.0f} s (cold): {'OK' if first else 'FAILED'}")
    print(f"target        CSV export under {EXPORT_SECONDS:.0f} s (cold): {'OK' if export else 'FAILED'}")
    drop_database(database)
    return 0 if same and first and export else 1


if __name__ == "__main__":
    sys.exit(main())
