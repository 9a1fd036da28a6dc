"""The workflow kernel (issue 9 "must show"): every allowed move of every workflow writes exactly one history row
(who, when, from, to, why, correlation id); an illegal move raises ``IllegalTransition`` and changes nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import F, Q
from django.utils import timezone

from audit.models import AuditRecord
from bulk.models import UpgradeBatch, UpgradeBatchChunk, UpgradeBatchItem
from commerce.models import Transition
from core import workflow
from core.correlation import correlation_scope
from core.errors import Conflict
from core.models import WorkflowTransition
from direct.models import DirectOrder
from tests import factories
from upgrades.models import UpgradeOperation

# Every workflow of the portal, by name (a new one must be added here: ``test_every_workflow_is_covered``).
EXPECTED = {
    "gdap_relationship": ("delegation.GdapRelationship", "status"),
    "gdap_access_assignment": ("delegation.GdapAccessAssignment", "status"),
    "upgrade_operation": ("upgrades.UpgradeOperation", "status"),
    "direct_order": ("direct.DirectOrder", "status"),
    "direct_credit_check": ("direct.DirectOrder", "credit_check"),
    "upgrade_batch": ("bulk.UpgradeBatch", "status"),
    "upgrade_batch_item": ("bulk.UpgradeBatchItem", "status"),
    "upgrade_batch_chunk": ("bulk.UpgradeBatchChunk", "status"),
    "commerce_transition": ("commerce.Transition", "status"),
}


def _order(**status):
    return DirectOrder.objects.create(
        kind="purchase",
        customer=factories.CustomerFactory(),
        target_offer_id="m365-business-basic",
        quantity=1,
        billing_cycle="monthly",
        payment_method="invoice",
        currency="USD",
        unit_price=Decimal("1.00"),
        subtotal=Decimal("1.00"),
        amount_due=Decimal("1.00"),
        **status,
    )


def _operation(status):
    source = factories.SubscriptionFactory()
    return UpgradeOperation.objects.create(
        source=source,
        target_offer_id="m365-business-basic",
        customer=source.customer,
        upgrade_type="upgrade_only",
        quantity=1,
        billing_cycle="monthly",
        status=status,
    )


def _item(status):
    return UpgradeBatchItem.objects.create(
        batch=UpgradeBatch.objects.create(total_items=1),
        position=0,
        customer_tenant_id=uuid.uuid4(),
        subscription_id=uuid.uuid4(),
        target_offer_id="m365-business-basic",
        status=status,
    )


def _transition(status):
    source = factories.SubscriptionFactory()
    return Transition.objects.create(
        source=source,
        target_offer_id="o365-e3",
        customer=source.customer,
        from_catalog_item_id="CFQ7TTC0LH18:0001:DZH318Z0BQ3Q",
        to_catalog_item_id="CFQ7TTC0LF8R:0001:DZH318Z0BOE3",
        transition_type="transition_only",
        quantity=1,
        source_quantity_before=1,
        term_duration="P1Y",
        billing_cycle="annual",
        status=status,
    )


def _chunk(status):
    return UpgradeBatchChunk.objects.create(
        batch=UpgradeBatch.objects.create(total_items=1), first_position=0, last_position=1, status=status
    )


# An object of each workflow in a given status (test set-up writes the status directly).
BUILD = {
    "gdap_relationship": lambda s: factories.GdapRelationshipFactory(status=s),
    "gdap_access_assignment": lambda s: factories.AccessAssignmentFactory(status=s),
    "upgrade_operation": _operation,
    "direct_order": lambda s: _order(status=s),
    "direct_credit_check": lambda s: _order(credit_check=s),
    "upgrade_batch": lambda s: UpgradeBatch.objects.create(status=s),
    "upgrade_batch_item": _item,
    "upgrade_batch_chunk": _chunk,
    "commerce_transition": _transition,
}

ALLOWED = [(w.name, a, b) for w in sorted(workflow.workflows(), key=lambda w: w.name) for a, b in w.moves()]


def _status(obj, wf):
    return type(obj).objects.values_list(wf.field, flat=True).get(pk=obj.pk)


def test_every_workflow_is_covered():
    registered = {w.name: (w.model.lower(), w.field) for w in workflow.workflows()}
    assert registered == {name: (model.lower(), field) for name, (model, field) in EXPECTED.items()}
    assert set(BUILD) == set(EXPECTED)


def test_the_tables_are_the_documented_ones():
    """A few hand-written facts of each table (the rest is driven below)."""
    by_name = workflow.BY_NAME
    assert by_name["gdap_relationship"].final == {"expired", "terminated"}
    assert by_name["gdap_relationship"].live == {"active", "expiring"}
    assert by_name["gdap_relationship"].can("active", "active")  # auto-extension
    assert by_name["upgrade_operation"].final == {"succeeded", "failed", "declined", "rejected"}
    assert by_name["upgrade_operation"].open == {"awaiting_approval", "pending", "awaiting_credit_check", "in_progress"}
    assert by_name["upgrade_operation"].sources("awaiting_approval") == {"pending"}  # four-eyes approval
    assert by_name["upgrade_operation"].sources("rejected") == {"awaiting_approval"}
    assert by_name["direct_order"].sources("queued") == {"awaiting_credit_check"}
    assert by_name["direct_credit_check"].final == {"not_required", "approved", "declined"}
    assert by_name["upgrade_batch"].sources("cancelled") == {"awaiting_approval", "queued", "running"}
    assert by_name["upgrade_batch"].sources("rejected") == {"awaiting_approval"}
    assert by_name["upgrade_batch"].initial == {"queued", "awaiting_approval"}
    assert by_name["upgrade_batch_item"].can("running", "running")  # a silent claim taken again
    assert by_name["upgrade_batch_chunk"].final == frozenset()  # the sweep can always queue it again
    assert by_name["commerce_transition"].final == {"completed", "failed"}
    # + 3 + 3: approval's moves of upgrade operations and of batches (domain.md §9); + 4: new commerce transitions
    assert len(ALLOWED) == 15 + 10 + 8 + 4 + 2 + 9 + 6 + 7 + 3 + 3 + 4


@pytest.mark.django_db
@pytest.mark.parametrize("name,current,target", ALLOWED, ids=[f"{n}:{a}->{b}" for n, a, b in ALLOWED])
def test_every_allowed_move_writes_exactly_one_history_row(name, current, target):
    wf = workflow.BY_NAME[name]
    obj = BUILD[name](current)
    actor = factories.UserFactory(username=f"actor-{name}")
    before = WorkflowTransition.objects.count()
    at = timezone.now() - timedelta(minutes=5)

    row = workflow.transition(
        obj, target, field=wf.field, actor=actor, reason="because", correlation_id="corr-42", at=at
    )

    assert _status(obj, wf) == target == getattr(obj, wf.field)
    assert WorkflowTransition.objects.count() == before + 1
    stored = WorkflowTransition.objects.get(pk=row.pk)
    assert (stored.workflow, stored.object_id, stored.from_status, stored.to_status) == (
        name,
        str(obj.pk),
        current,
        target,
    )
    assert (stored.actor_user_id, stored.actor_username, stored.actor_application_id) == (actor.pk, actor.username, "")
    assert (stored.reason, stored.correlation_id, stored.at) == ("because", "corr-42", at)
    assert list(workflow.history(obj, wf.field)) == [stored]


ILLEGAL = [
    (w.name, a, b)
    for w in sorted(workflow.workflows(), key=lambda w: w.name)
    for a in w.transitions
    for b in w.transitions
    if not w.can(a, b)
]


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_illegal_move_raises_and_changes_nothing(name):
    wf = workflow.BY_NAME[name]
    pairs = [(a, b) for n, a, b in ILLEGAL if n == name]
    assert pairs, name
    for current, target in pairs:
        obj = BUILD[name](current)
        history, audits = WorkflowTransition.objects.count(), AuditRecord.objects.count()
        with pytest.raises(workflow.IllegalTransition) as info:
            workflow.transition(obj, target, field=wf.field, reason="nope")
        assert isinstance(info.value, Conflict) and info.value.http_status == 409 and info.value.field == "status"
        assert (info.value.current, info.value.target) == (current, target)
        assert _status(obj, wf) == current == getattr(obj, wf.field), (current, target)
        assert WorkflowTransition.objects.count() == history and AuditRecord.objects.count() == audits


@pytest.mark.django_db
def test_a_move_that_lost_the_race_raises_and_changes_nothing():
    operation = _operation("pending")
    stale = UpgradeOperation.objects.get(pk=operation.pk)
    workflow.transition(operation, "in_progress")
    with pytest.raises(workflow.IllegalTransition):
        workflow.transition(stale, "failed", reason="late")
    assert _status(operation, workflow.BY_NAME["upgrade_operation"]) == "in_progress"
    assert list(workflow.history(operation).values_list("from_status", "to_status")) == [("pending", "in_progress")]


@pytest.mark.django_db
def test_where_guards_the_move_and_values_are_written_with_it():
    item = _item("pending")
    with pytest.raises(workflow.IllegalTransition):
        workflow.transition(item, "running", where=~Q(pk=item.pk))
    assert not workflow.history(item).exists()
    started = timezone.now()
    workflow.transition(item, "running", values={"started": started, "attempts": F("attempts") + 1})
    item.refresh_from_db()
    assert (item.status, item.started, item.attempts) == ("running", started, 1)


@pytest.mark.django_db
def test_status_cannot_be_smuggled_through_values():
    order = _order(status="queued")
    with pytest.raises(ValueError):
        workflow.transition(order, "completed", values={"status": "failed"})
    with pytest.raises(ValueError):
        workflow.transition(order, "completed", update_fields=["status"])
    assert _status(order, workflow.BY_NAME["direct_order"]) == "queued"


@pytest.mark.django_db
def test_transition_many_moves_only_rows_that_may_move_and_writes_one_row_each():
    batch = UpgradeBatch.objects.create(total_items=4)
    statuses = ["pending", "pending", "running", "succeeded"]
    for position, status in enumerate(statuses):
        UpgradeBatchItem.objects.create(
            batch=batch,
            position=position,
            customer_tenant_id=uuid.uuid4(),
            subscription_id=uuid.uuid4(),
            target_offer_id="x",
            status=status,
        )
    with correlation_scope("batch-corr"):
        moved = workflow.transition_many(batch.items.filter(status="pending"), "cancelled", reason="stop")
    assert moved == 2
    assert list(batch.items.order_by("position").values_list("status", flat=True)) == [
        "cancelled",
        "cancelled",
        "running",
        "succeeded",
    ]
    rows = WorkflowTransition.objects.filter(workflow="upgrade_batch_item")
    assert (
        sorted(rows.values_list("from_status", "to_status", "reason", "correlation_id", "actor_username"))
        == [
            ("pending", "cancelled", "stop", "batch-corr", ""),
        ]
        * 2
    )
    # succeeded is final: asking it to move moves nothing and writes nothing
    assert workflow.transition_many(batch.items.filter(status="succeeded"), "cancelled") == 0
    assert rows.count() == 2


@pytest.mark.django_db
def test_start_records_the_first_status_and_refuses_another():
    operation = _operation("pending")
    row = workflow.start(operation, reason="Requested.")
    assert (row.from_status, row.to_status, row.reason, row.actor_display) == ("", "pending", "Requested.", "system")
    declined = _operation("declined")
    with pytest.raises(workflow.IllegalTransition):
        workflow.start(declined)
    assert not workflow.history(declined).exists()


@pytest.mark.django_db
def test_an_application_actor_is_recorded_by_its_application_id():
    from accounts.principals import ApplicationPrincipal

    batch = UpgradeBatch.objects.create()
    app = ApplicationPrincipal(partner=factories.PartnerFactory(), application_id=uuid.uuid4())
    row = workflow.transition(batch, "running", actor=app)
    assert (row.actor_user_id, row.actor_username, row.actor_application_id) == (None, "", str(app.application_id))


@pytest.mark.django_db
def test_history_buffer_writes_its_rows_once_flushed():
    item = _item("pending")
    with workflow.HistoryBuffer() as buffer:
        workflow.transition(item, "running", buffer=buffer)
        workflow.transition(item, "succeeded", buffer=buffer)
        assert not workflow.history(item).exists() and len(buffer.rows) == 2
    assert list(workflow.history(item).values_list("from_status", "to_status")) == [
        ("pending", "running"),
        ("running", "succeeded"),
    ]


@pytest.mark.django_db
def test_attach_history_reads_many_objects_in_one_query(django_assert_num_queries):
    operations = [_operation("pending") for _ in range(3)]
    for operation in operations[:2]:
        workflow.transition(operation, "in_progress")
    with django_assert_num_queries(1):
        workflow.attach_history(operations)
    assert [len(o.workflow_history) for o in operations] == [1, 1, 0]
