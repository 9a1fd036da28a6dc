"""Transition benchmark: a partial new commerce transition with license transfer, 4,000 of 10,000 users.

    .venv/bin/python bench/transition.py [--users N] [--moved M]

Sets Django up against a fresh temporary SQLite file (migrated), builds (with ``bench/upgrade.py``'s ``build``) a
customer with a license-writing GDAP assignment and a Business Basic subscription of N users, made a new commerce
P1Y subscription billed annually, then times ``commerce.services.subscription_transition`` of M seats to Office
365 E3 with license transfer (no users named: the M assigned last move). It prints the time, the query count —
which must equal that of the same transition of 40 of 100 users (set-based: statements do not depend on the
number of users) — and the ratio to ONE raw SQL ``UPDATE`` moving the same M rows of another such subscription.
Targets: the counts equal, under 2 s, under 10 × the baseline.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ itself, also when a test loads this file
from _django import drop_database, fresh_database
from upgrade import build

TARGET_SECONDS = 2.0
TARGET_RATIO = 10.0
E3_ITEM = "CFQ7TTC0LF8R:0001:DZH318Z0BOE3"


def new_commerce(source) -> None:
    """Make the benchmark's source a new commerce P1Y subscription billed annually, mid-term."""
    from subscriptions.models import Subscription

    today = date.today()
    Subscription.objects.filter(pk=source.pk).update(
        commerce="new",
        term_duration="P1Y",
        billing_cycle="annual",
        term_start_date=today.replace(day=1),
        commitment_end_date=date(today.year + 1, today.month, 1).replace(day=1),
        scheduled_next_term_instructions={"quantity": 1},
    )


def run(actor, source, moved: int):
    """The transition of ``moved`` seats with license transfer; answers (Transition, seconds, query count)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from commerce.services import subscription_transition

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        row = subscription_transition(
            actor=actor,
            subscription_id=source.pk,
            to_catalog_item_id=E3_ITEM,
            quantity=moved,
            transition_type="transition_with_license_transfer",
        )
        elapsed = time.perf_counter() - started
    return row, elapsed, len(queries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--moved", type=int, default=4_000)
    args = parser.parse_args()

    database = fresh_database("transition-bench")
    import uuid

    from django.db import connection, transaction

    from accounts.models import User
    from partners.models import Partner, PartnerRoleAssignment
    from subscriptions.models import LicenseAssignment, Subscription

    partner = Partner.objects.create(code="bench-csp", name="Bench CSP", tenant_id=uuid.uuid4())
    agent = User.objects.create(username="bench-agent", email="agent@bench.example", partner=partner)
    PartnerRoleAssignment.objects.create(user=agent, role="admin_agent")
    started = time.perf_counter()
    _, source = build(args.users, "transitioned", partner, agent)
    _, baseline_source = build(args.users, "baseline", partner, agent)
    _, warm_up = build(100, "warmup", partner, agent)
    _, small = build(100, "small", partner, agent)
    for subscription in (source, baseline_source, warm_up, small):
        new_commerce(subscription)
    print(
        f"data          2 × {args.users:,} + 2 × 100 users with licenses (built in {time.perf_counter() - started:.1f} s)"
    )

    agent = User.objects.get(pk=agent.pk)
    run(agent, warm_up, 40)  # once-per-process reads (caches) are not the transition's
    _, _, small_queries = run(agent, small, 40)
    row, elapsed, queries = run(agent, source, args.moved)
    moved = LicenseAssignment.objects.filter(subscription_id=row.target_id).count()
    kept = LicenseAssignment.objects.filter(subscription_id=source.pk).count()
    assert moved == args.moved == row.licenses_moved and kept == args.users - args.moved, (moved, kept)

    target = Subscription.objects.create(
        customer=baseline_source.customer, offer_id="o365-e3", quantity=args.moved, channel="csp", partner=partner
    )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE subscriptions_licenseassignment SET subscription_id = %s WHERE id IN ("
            "SELECT id FROM subscriptions_licenseassignment WHERE subscription_id = %s "
            "ORDER BY assigned DESC, id DESC LIMIT %s)",
            [target.pk.hex, baseline_source.pk.hex, args.moved],
        )
        baseline_rows = cursor.rowcount
    baseline = time.perf_counter() - started
    assert baseline_rows == args.moved, baseline_rows

    ratio = elapsed / baseline if baseline else float("inf")
    print(
        f"transition    {elapsed:6.3f} s  {moved / elapsed:10,.0f} licenses/s  {queries} queries "
        f"(40 of 100 users: {small_queries}); billing {row.billing['credit']['amount']} / "
        f"{row.billing['charge']['amount']} {row.billing['charge']['currency']}"
    )
    print(f"raw UPDATE    {baseline:6.3f} s  {baseline_rows / baseline:10,.0f} licenses/s")
    print(f"ratio         {ratio:6.2f} × the raw UPDATE")
    ok = queries == small_queries and elapsed < TARGET_SECONDS and ratio < TARGET_RATIO
    print(
        f"target        {queries} == {small_queries} queries, under {TARGET_SECONDS:g} s and under "
        f"{TARGET_RATIO:g} ×: {'OK' if ok else 'FAILED'}"
    )
    drop_database(database)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
