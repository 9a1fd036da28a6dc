"""Upgrade benchmark: one CSP upgrade with license transfer of a 10,000-user subscription.

    .venv/bin/python bench/upgrade.py [--users N]

Sets Django up against a fresh temporary SQLite file (migrated), creates a partner agent with a license-writing
GDAP assignment, a customer and a Business Basic subscription with N users (bulk inserts), then times
``upgrades.services.subscription_upgrade`` (eligibility re-check, target, license transfer, cancel, billing,
audit, status history). The baseline moves the same number of rows of another subscription with ONE raw
``UPDATE`` statement. Targets: under 2 s, and under 10 × the baseline.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ itself, also when a test loads this file
from _django import business_basic_fields, drop_database, fresh_database

TARGET_SECONDS = 2.0
TARGET_RATIO = 10.0


def build(users: int, tag: str, partner, agent):
    from customers.models import Customer, ResellerRelationship, TenantUser
    from delegation.models import GdapAccessAssignment, GdapRelationship
    from partners.models import SecurityGroup
    from subscriptions.models import LicenseAssignment, Subscription

    customer = Customer.objects.create(
        tenant_id=uuid.uuid4(), domain=f"{tag}.onmicrosoft.com", company_name=f"{tag.title()} Ltd", country="US"
    )
    ResellerRelationship.objects.create(partner=partner, customer=customer)
    from django.utils import timezone

    relationship = GdapRelationship.objects.create(
        partner=partner,
        customer=customer,
        display_name=f"GDAP {tag}",
        status="active",
        unified_roles=["Directory Writers", "License Administrator"],
        activated_date_time=timezone.now(),
        end_date_time=timezone.now() + timedelta(days=700),
    )
    group = SecurityGroup.objects.create(partner=partner, name=f"Upgraders {tag}")
    group.members.add(agent)
    GdapAccessAssignment.objects.create(
        relationship=relationship, group=group, status="active", unified_roles=["License Administrator"]
    )
    source = Subscription.objects.create(**business_basic_fields(customer=customer, partner=partner, seats=users))
    tenant_users = TenantUser.objects.bulk_create(
        [
            TenantUser(
                customer=customer,
                object_id=uuid.uuid4(),
                user_principal_name=f"user{i:05d}@{tag}.example",
                display_name=f"User {i:05d}",
            )
            for i in range(users)
        ],
        batch_size=2000,
    )
    LicenseAssignment.objects.bulk_create(
        [
            LicenseAssignment(
                user=user, subscription=source, disabled_service_plans=["EXCHANGE_S_STANDARD"] if i % 10 == 0 else []
            )
            for i, user in enumerate(tenant_users)
        ],
        batch_size=2000,
    )
    return customer, source


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    args = parser.parse_args()

    database = fresh_database("upgrade-bench")
    from django.db import connection, transaction

    from accounts.models import User
    from partners.models import Partner, PartnerRoleAssignment
    from subscriptions.models import LicenseAssignment, Subscription
    from upgrades.services import subscription_upgrade

    partner = Partner.objects.create(code="bench-csp", name="Bench CSP", tenant_id=uuid.uuid4())
    agent = User.objects.create(username="bench-agent", email="agent@bench.example", partner=partner)
    PartnerRoleAssignment.objects.create(user=agent, role="admin_agent")
    started = time.perf_counter()
    _, source = build(args.users, "upgraded", partner, agent)
    _, baseline_source = build(args.users, "baseline", partner, agent)
    print(f"data          2 × {args.users:,} users with licenses (built in {time.perf_counter() - started:.1f} s)")

    agent = User.objects.get(pk=agent.pk)
    started = time.perf_counter()
    result = subscription_upgrade(
        actor=agent, subscription_id=source.pk, target_offer_id="o365-e3", upgrade_type="upgrade_with_license_transfer"
    )
    elapsed = time.perf_counter() - started
    moved = LicenseAssignment.objects.filter(subscription_id=str(result.target_subscription_id)).count()
    assert moved == args.users == result.licenses_moved, (moved, result.licenses_moved)

    target = Subscription.objects.create(
        customer=baseline_source.customer, offer_id="o365-e3", quantity=args.users, channel="csp", partner=partner
    )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE subscriptions_licenseassignment SET subscription_id = %s WHERE subscription_id = %s",
            [target.pk.hex, baseline_source.pk.hex],
        )
        baseline_rows = cursor.rowcount
    baseline = time.perf_counter() - started
    assert baseline_rows == args.users, baseline_rows

    ratio = elapsed / baseline if baseline else float("inf")
    print(
        f"upgrade       {elapsed:6.3f} s  {moved / elapsed:10,.0f} licenses/s  "
        f"({len(result.affected_accounts):,} affected accounts, billing net {result.billing.get('net')})"
    )
    print(f"raw UPDATE    {baseline:6.3f} s  {baseline_rows / baseline:10,.0f} licenses/s")
    print(f"ratio         {ratio:6.2f} × the raw UPDATE")
    ok = elapsed < TARGET_SECONDS and ratio < TARGET_RATIO
    print(f"target        under {TARGET_SECONDS:g} s and under {TARGET_RATIO:g} ×: {'OK' if ok else 'FAILED'}")
    drop_database(database)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
