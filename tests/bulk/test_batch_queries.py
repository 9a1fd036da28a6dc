"""A real batch costs a fixed number of statements per item, whatever the chunk's size: the chunk's contexts are one
batch load, each item locks and re-reads its source, customer and holdings in one query, and writes its operation,
billing, audit records and status history once each. And it writes exactly what one upgrade at a time writes."""

from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditRecord
from bulk.models import UpgradeBatchItem
from bulk.processing import upgrade_batch_chunk_process
from bulk.services import BatchItemSpec, upgrade_batch_create
from core.models import WorkflowTransition
from subscriptions.models import LicenseAssignment, Subscription
from tests.builders import make_subscription, make_upgradable
from upgrades.models import BillingEntry, UpgradeOperation
from upgrades.services import subscription_upgrade

pytestmark = pytest.mark.django_db

PER_ITEM = 11  # claim, lock + holdings, target, license read, license move, cancel, operation, billing, audit,
# outcome, history
BOOKKEEPING = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


def _statements(captured) -> int:
    return sum(1 for q in captured.captured_queries if not q["sql"].lstrip().upper().startswith(BOOKKEEPING))


def _batch(agent, upgradables, *, dry_run=False):
    with mock.patch("bulk.services.upgrade_batch_enqueue"):  # run the chunk here, below, and count it
        return upgrade_batch_create(
            actor=agent,
            dry_run=dry_run,
            items=[
                BatchItemSpec(
                    customer_tenant_id=u.customer.tenant_id,
                    subscription_id=u.subscription.pk,
                    target_offer_id="o365-e3",
                    upgrade_type="upgrade_with_license_transfer",
                )
                for u in upgradables
            ],
        )


def _run(batch) -> int:
    with CaptureQueriesContext(connection) as captured:
        counts = upgrade_batch_chunk_process(batch_id=batch.pk, first_position=0, last_position=batch.total_items)
    assert counts == {"succeeded": batch.total_items}, counts
    return _statements(captured)


def test_statements_per_item_are_flat_as_the_chunk_grows(partner, sales_agent):
    small = [make_upgradable(partner=partner, agent=sales_agent, licensed=3) for _ in range(10)]
    large = [make_upgradable(partner=partner, agent=sales_agent, licensed=3) for _ in range(50)]
    cost_small, cost_large = _run(_batch(sales_agent, small)), _run(_batch(sales_agent, large))

    assert (cost_large - cost_small) / 40 == PER_ITEM
    assert cost_small - 10 * PER_ITEM == cost_large - 50 * PER_ITEM  # the chunk's own part is fixed
    assert cost_large / 50 <= 12  # everything included
    assert LicenseAssignment.objects.filter(subscription__offer_id="o365-e3").count() == 60 * 3


def test_a_dry_run_chunk_writes_only_its_items(partner, sales_agent):
    small = [make_upgradable(partner=partner, agent=sales_agent, licensed=0) for _ in range(5)]
    large = [make_upgradable(partner=partner, agent=sales_agent, licensed=0) for _ in range(25)]
    cost_small = _run(_batch(sales_agent, small, dry_run=True))
    cost_large = _run(_batch(sales_agent, large, dry_run=True))
    assert cost_large == cost_small  # claims, evaluation (one batch load) and outcomes: one statement each


def _written(source) -> dict:
    """What an upgrade of ``source`` wrote, without ids and times."""
    operation = UpgradeOperation.objects.get(source=source)
    target = operation.target
    assert target is not None
    result = dict(operation.result)
    for key in ("operationId", "sourceSubscriptionId", "targetSubscriptionId"):
        result.pop(key)
    result["affectedAccounts"] = sorted(
        tuple(sorted(reason["code"] for reason in account["reasons"])) for account in result["affectedAccounts"]
    )
    result["billing"] = {
        kind: {k: v for k, v in line.items() if k != "subscriptionId"} if isinstance(line, dict) else line
        for kind, line in result["billing"].items()
    }
    history = [
        (before, after, reason.replace(str(target.pk), "<target>"), who, correlation)
        for before, after, reason, who, correlation in WorkflowTransition.objects.filter(
            workflow="upgrade_operation", object_id=str(operation.pk)
        ).values_list("from_status", "to_status", "reason", "actor_username", "correlation_id")
    ]
    audits = []
    for record in AuditRecord.objects.filter(customer_id=source.customer_id).order_by("resource_type"):
        new = {k: v for k, v in (record.resource_new_value or {}).items() if k not in ("subscriptionId", "operationId")}
        new.pop("billing", None)
        old = {k: v for k, v in (record.resource_old_value or {}).items() if k != "subscriptionId"}
        audits.append(
            (
                record.operation_type,
                record.resource_type,
                record.user_principal_name,
                record.customer_name == source.customer.company_name,
                record.partner_id,
                old,
                new,
            )
        )
    billing = sorted(
        BillingEntry.objects.filter(operation=operation).values_list("kind", "amount", "currency", "period_start")
    )
    fields = (
        "status",
        "upgrade_type",
        "quantity",
        "billing_cycle",
        "flow",
        "actor_upn",
        "actor_user_id",
        "target_offer_id",
        "partner_id",
    )
    return {
        "operation": tuple(getattr(operation, f) for f in fields) + (operation.completed is not None,),
        "target": (target.offer_id, target.quantity, target.status, target.billing_cycle, target.partner_id),
        "source": Subscription.objects.filter(pk=source.pk).values_list("status", "auto_renew").get(),
        "licenses": LicenseAssignment.objects.filter(subscription=target).count(),
        "result": result,
        "history": history,
        "audits": audits,
        "billing": billing,
    }


def test_a_batch_item_writes_what_a_single_upgrade_writes(partner, sales_agent):
    batched = make_upgradable(partner=partner, agent=sales_agent, licensed=4)
    single = make_upgradable(partner=partner, agent=sales_agent, licensed=4)
    for upgradable in (batched, single):  # a user with a plan switched off, a sibling holding a service of E3
        upgradable.subscription.assignments.filter(user=upgradable.users[0]).update(
            disabled_service_plans=["EXCHANGE_S_STANDARD"]
        )
        sibling = make_subscription(upgradable.customer, "o365-e1", channel="direct", payment_method="credit_card")
        LicenseAssignment.objects.create(subscription=sibling, user=upgradable.users[1])
    batch = _batch(sales_agent, [batched])
    _run(batch)
    subscription_upgrade(
        actor=sales_agent,
        subscription_id=single.subscription.pk,
        target_offer_id="o365-e3",
        upgrade_type="upgrade_with_license_transfer",
        correlation_id=batch.correlation_id,
        request_id="batch:x",
        notify=False,
    )
    expected = _written(single.subscription)
    assert expected["licenses"] == 4 and expected["result"]["affectedAccounts"]  # the case is not empty
    assert _written(batched.subscription) == expected


def test_an_item_whose_customer_has_an_open_operation_fails_as_before(partner, sales_agent):
    """The batch load is not reused then: the item loads afresh and fails with the same reasons."""
    upgradable = make_upgradable(partner=partner, agent=sales_agent, licensed=1)
    other = make_subscription(upgradable.customer, "m365-business-basic", partner=partner)
    batch = _batch(sales_agent, [upgradable])
    UpgradeOperation.objects.create(
        source=other,
        target_offer_id="o365-e3",
        customer=upgradable.customer,
        partner=partner,
        upgrade_type="upgrade_only",
        quantity=1,
        billing_cycle="monthly",
        status="in_progress",
    )
    assert upgrade_batch_chunk_process(batch_id=batch.pk, first_position=0, last_position=1) == {"failed": 1}
    errors = UpgradeBatchItem.objects.get(batch=batch).result["upgradeErrors"]
    assert [e["code"] for e in errors] == [4]  # concurrency_conflicts
    assert "another subscription of this customer" in errors[0]["additionalDetails"]
