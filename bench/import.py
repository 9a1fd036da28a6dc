"""Tenant import benchmark: 1,000 customers × 5 subscriptions × 20 users (100,000 license assignments).

    .venv/bin/python bench/import.py [--customers N]

Sets Django up against a fresh temporary SQLite file (migrated), builds the document in memory, imports it
through ``importer`` and prints the time and rows per second; then imports it again to show that a
second run changes nothing. The target is under 60 s for the first import on a 2-core machine.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ itself, also when a test loads this file
from _django import drop_database, fresh_database

NS = uuid.UUID("3f1c7d2e-8a4b-4c5d-9e6f-0a1b2c3d4e5f")
OFFERS = ["m365-business-basic", "m365-business-standard", "m365-apps-for-business", "o365-e3", "o365-e5"]
TARGET_SECONDS = 60


def guid(*parts) -> str:
    return str(uuid.uuid5(NS, "/".join(str(p) for p in parts)))


def build_document(customers: int, subscriptions: int = 5, users: int = 20, *, tag: str = "bench") -> dict:
    """``customers`` × ``subscriptions`` × ``users``; ``tag`` keeps the ids of two documents apart."""
    code = f"{tag}-csp"
    partner = {
        "id": code,
        "name": f"{tag.title()} CSP",
        "mpnId": "7654321",
        "tenantId": guid(tag, "partner"),
        "groups": ["Admin Agents", "Helpdesk Agents"],
        "users": [
            {
                "username": f"{tag}-agent",
                "email": f"agent@{tag}.example",
                "roles": ["admin_agent"],
                "groups": ["Admin Agents"],
            }
        ],
    }
    docs = []
    for c in range(customers):
        domain = f"{tag}{c:05d}.onmicrosoft.com"
        tenant_users = [
            {
                "id": guid(tag, "user", c, u),
                "userPrincipalName": f"user{u:02d}@{domain}",
                "displayName": f"User {u:02d}",
            }
            for u in range(users)
        ]
        subs = [
            {
                "id": guid(tag, "sub", c, s),
                "offer": OFFERS[s % len(OFFERS)],
                "quantity": users,
                "channel": {"type": "csp", "partner": code},
                "billingCycle": "monthly",
                "termStartDate": "2026-01-01",
                "commitmentEndDate": "2026-12-31",
                "assignments": [{"user": user["userPrincipalName"]} for user in tenant_users],
            }
            for s in range(subscriptions)
        ]
        docs.append(
            {
                "tenantId": guid(tag, "tenant", c),
                "companyName": f"{tag.title()} Customer {c:05d}",
                "domain": domain,
                "country": "US",
                "resellers": [code],
                "dap": [code],
                "users": tenant_users,
                "subscriptions": subs,
            }
        )
    return {"partners": [partner], "customers": docs}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1000)
    args = parser.parse_args()

    database = fresh_database("import-bench")
    from importer.services import tenant_import

    document = build_document(args.customers)
    subs = sum(len(c["subscriptions"]) for c in document["customers"])
    assignments = sum(len(s["assignments"]) for c in document["customers"] for s in c["subscriptions"])
    users = sum(len(c["users"]) for c in document["customers"])
    print(
        f"document      {args.customers:,} customers, {subs:,} subscriptions, {users:,} tenant users, "
        f"{assignments:,} license assignments"
    )

    results = []
    for label in ("first import", "second import"):
        started = time.perf_counter()
        summary = tenant_import(actor=None, document=document)
        elapsed = time.perf_counter() - started
        rows = summary.created + summary.updated + summary.unchanged
        results.append(elapsed)
        print(
            f"{label:<13} {elapsed:6.2f} s  {rows / elapsed:10,.0f} rows/s  "
            f"(created {summary.created:,}, updated {summary.updated:,}, unchanged {summary.unchanged:,})"
        )
    ok = results[0] < TARGET_SECONDS
    print(f"target        first import under {TARGET_SECONDS} s: {'OK' if ok else 'FAILED'}")
    drop_database(database)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
