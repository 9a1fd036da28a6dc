"""Upgrading a CSP subscription (domain.md §5): the one place the upgrade rules and transaction live.

``subscription_upgrade`` runs in ONE transaction:

1. validate the input's shape (``InvalidUpgradeInput`` naming the field);
2. lock the source row and the customer row with ``SELECT ... FOR NO KEY UPDATE NOWAIT`` (PostgreSQL): a
   concurrent upgrade of the same subscription or customer answers ``concurrency_conflicts`` (code 4) at once;
   SQLite serialises writers anyway;
3. RE-CHECK eligibility on the locked data (every reason, ``UpgradeNotEligible``), then the quantity rules;
4. record the operation (pending → in_progress), run the steps (create target, transfer licenses, cancel
   source, book billing), write the audit records, move the operation to succeeded.

Any exception rolls everything back: nothing is half done. ``subscription_upgrade_async`` checks the same
things, records a ``pending`` operation and enqueues ``upgrades.tasks.run_upgrade_operation`` on commit;
``upgrade_operation_execute`` (the task's body) is idempotent.

When an operation started by a user finishes (succeeded or failed), that user gets one in-portal notification
linking to the result page, sent on commit (``notify_upgrade_finished_on_commit``); batch items pass
``notify=False`` and application callers have no user to tell.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.actor import Actor
from audit.models import AuditRecord, OperationType
from audit.services import actor_fields, audit_record_build
from catalog.models import BillingCycle
from core import events, workflow
from core.errors import DomainError, Forbidden
from core.scoping import principal_of
from core.signals import operation_finished_on_commit
from core.tasks import enqueue_on_commit
from customers.models import Customer
from notifications.models import Level
from notifications.services import notification_create
from subscriptions.models import Subscription

from . import steps
from .eligibility.context import LoadedContext, load_context, subscription_data
from .eligibility.engine import evaluate
from .eligibility.types import UpgradeError, UpgradeErrorCode, UpgradeTypeName
from .exceptions import InvalidUpgradeInput, UpgradeNotEligible
from .models import BillingEntry, OperationStatus, UpgradeFlow, UpgradeOperation
from .pipeline import operation_create, operation_transition
from .results import UpgradeResult

# Accepted spellings of ``upgradeType`` (the API also accepts Partner Center's integers).
UPGRADE_TYPES = {
    None: None,
    "": None,
    "none": None,
    0: None,
    "upgrade_only": UpgradeTypeName.UPGRADE_ONLY,
    1: UpgradeTypeName.UPGRADE_ONLY,
    "upgrade_with_license_transfer": UpgradeTypeName.UPGRADE_WITH_LICENSE_TRANSFER,
    2: UpgradeTypeName.UPGRADE_WITH_LICENSE_TRANSFER,
}


@dataclass(frozen=True)
class UpgradeRequest:
    target_offer_id: str
    upgrade_type: str | None  # None: the best the actor's delegated roles allow
    quantity: int | None  # None: the source's quantity
    billing_cycle: str | None  # None: the source's cycle


def parse_upgrade_request(*, target_offer_id, upgrade_type=None, quantity=None, billing_cycle=None) -> UpgradeRequest:
    """Validate the shape of the input; raises ``InvalidUpgradeInput`` naming the field."""
    if not isinstance(target_offer_id, str) or not target_offer_id.strip():
        raise InvalidUpgradeInput(_("targetOfferId is required."), field="targetOfferId")
    key = upgrade_type.strip().lower() if isinstance(upgrade_type, str) else upgrade_type
    if isinstance(key, bool) or key not in UPGRADE_TYPES:
        raise InvalidUpgradeInput(
            _("upgradeType must be upgrade_only or upgrade_with_license_transfer (got %(value)r).")
            % {"value": upgrade_type},
            field="upgradeType",
        )
    if quantity is not None:
        if isinstance(quantity, bool) or not isinstance(quantity, int):
            raise InvalidUpgradeInput(
                _("quantity must be a whole number (got %(value)r).") % {"value": quantity}, field="quantity"
            )
        if quantity < 0:
            raise InvalidUpgradeInput(_("quantity must not be negative."), field="quantity")
    if billing_cycle not in (None, "") and billing_cycle not in BillingCycle.values:
        raise InvalidUpgradeInput(
            _("billingCycle must be monthly or annual (got %(value)r).") % {"value": billing_cycle},
            field="billingCycle",
        )
    return UpgradeRequest(
        target_offer_id=target_offer_id.strip(),
        upgrade_type=UPGRADE_TYPES[key],
        quantity=quantity,
        billing_cycle=billing_cycle or None,
    )


@dataclass(frozen=True)
class UpgradePlan:
    upgrade_type: str
    quantity: int
    billing_cycle: str


def _not_eligible(source_id, errors, upgrade_type: str = UpgradeTypeName.NONE) -> UpgradeNotEligible:
    return UpgradeNotEligible(
        UpgradeResult(
            source_subscription_id=str(source_id),
            target_subscription_id=None,
            upgrade_type=upgrade_type,
            upgrade_errors=tuple(errors),
            status=OperationStatus.FAILED.value,
        )
    )


def _busy(source_id) -> UpgradeNotEligible:
    return _not_eligible(
        source_id,
        [
            UpgradeError(
                UpgradeErrorCode.CONCURRENCY_CONFLICTS,
                _("Another upgrade is in progress or waiting for a credit check; try again when it has finished."),
                _("Another upgrade of this subscription or customer is running right now."),
            )
        ],
    )


def _lock_and_load(*, actor, subscription_id, request: UpgradeRequest, exclude_operation_id=None) -> LoadedContext:
    """Lock source and customer rows (NOWAIT) and load the context on the locked data."""
    try:
        with transaction.atomic():  # a savepoint: a refused lock leaves the caller's transaction usable
            loaded = load_context(
                actor=actor,
                subscription=subscription_id,
                billing_cycle=request.billing_cycle,
                extra_target_ids=(request.target_offer_id,),
                lock=True,
                exclude_operation_id=exclude_operation_id,
            )
            list(
                Customer.objects.select_for_update(nowait=True, no_key=True)
                .filter(pk=loaded.subscription.customer_id)
                .values_list("pk", flat=True)
            )
    except OperationalError:
        raise _busy(subscription_id) from None
    return loaded


@dataclass(frozen=True)
class _Refreshed:
    loaded: LoadedContext
    other_families: frozenset[str]  # service families of the customer's other holdings


def _lock_and_refresh(*, loaded: LoadedContext) -> _Refreshed | None:
    """Batch path: lock the source, its customer and the customer's holding subscriptions (NOWAIT) in ONE query
    and refresh the batch-loaded (unlocked) context with them, so eligibility is re-checked on locked data.

    None when the batch load cannot be reused and the caller must load afresh: the source is no longer a
    holding (cancelled, gone), the customer has an open upgrade operation (its details come from the full
    load), or a holding's offer is not in the loaded catalog. What the refresh does not re-read (catalog, prices,
    delegated access, the matrix) is the batch load's, read when the chunk started.
    """
    source_id = loaded.subscription.pk
    open_operations = UpgradeOperation.objects.open().filter(customer_id=OuterRef("customer_id"))
    try:
        rows = list(
            Subscription.objects.filter(customer_id=loaded.subscription.customer_id)
            .filter(Q(status__in=steps.HOLDING_STATUSES) | Q(pk=source_id))
            .select_related("customer")
            .annotate(has_open_operations=Exists(open_operations))
            .order_by("created", "pk")
            .select_for_update(nowait=True, no_key=True, of=("self", "customer"))
        )
    except OperationalError:
        raise _busy(source_id) from None
    source = next((row for row in rows if row.pk == source_id), None)
    if (
        source is None
        or source.status not in steps.HOLDING_STATUSES
        or (source.partner_id, source.channel) != (loaded.subscription.partner_id, loaded.subscription.channel)
        or any(row.has_open_operations for row in rows)
    ):
        return None
    source.offer = loaded.subscription.offer  # the batch load's (it does not change)
    source.partner = loaded.subscription.partner  # checked above to be the same partner
    others = [row for row in rows if row.pk != source_id]
    if any(row.offer_id not in loaded.offers for row in others):
        return None
    ctx = replace(
        loaded.ctx,
        source=subscription_data(source),
        others=tuple(subscription_data(row) for row in others),
        open_operations=(),
    )
    families = frozenset(family for row in others for family in loaded.plan_families.get(row.offer_id, {}).values())
    return _Refreshed(loaded=replace(loaded, ctx=ctx, subscription=source), other_families=families)


def upgrade_plan(loaded: LoadedContext, request: UpgradeRequest) -> UpgradePlan:
    """Eligibility (every reason) and the quantity / type rules on the locked data."""
    source = loaded.subscription
    option = evaluate(loaded.ctx, request.target_offer_id, target_offer=loaded.offers.get(request.target_offer_id))
    if not option.is_eligible:
        raise _not_eligible(source.pk, option.errors)
    target_offer = loaded.offers[request.target_offer_id]
    quantity = source.quantity if request.quantity is None else request.quantity
    if quantity < source.quantity:
        raise InvalidUpgradeInput(
            _(
                "quantity cannot be lower than the subscription's %(seats)d seats: no seats are removed as part of an "
                "upgrade (reduce them before or after)."
            )
            % {"seats": source.quantity},
            field="quantity",
        )
    problem = target_offer.quantity_problem(quantity)
    if problem:
        raise InvalidUpgradeInput(problem, field="quantity")
    upgrade_type = request.upgrade_type or option.upgrade_type
    if upgrade_type == UpgradeTypeName.UPGRADE_WITH_LICENSE_TRANSFER and not loaded.access.can_transfer_licenses:
        raise Forbidden(
            _(
                "Your delegated admin roles do not allow moving licenses (Directory Writers, License "
                "Administrator, User Administrator or Global Administrator needed): use upgrade_only."
            ),
            field="upgradeType",
            error_name="insufficient_delegated_roles",
        )
    return UpgradePlan(upgrade_type=upgrade_type, quantity=quantity, billing_cycle=loaded.ctx.effective_billing_cycle)


@dataclass(frozen=True)
class _Done:
    """What the steps of an upgrade leave: the target, the licenses moved, the billing (not saved yet) and the
    result."""

    target: Subscription
    outcome: steps.TransferOutcome
    transfer: bool
    entries: list[BillingEntry]
    result: UpgradeResult

    @property
    def note(self) -> str:
        """The succeeded history row's note."""
        return ngettext(
            "Target %(target)s created; %(moved)d license moved; source cancelled.",
            "Target %(target)s created; %(moved)d licenses moved; source cancelled.",
            self.outcome.moved,
        ) % {
            "target": self.target.pk,
            "moved": self.outcome.moved,
        }


def _upgrade_steps(
    *,
    loaded: LoadedContext,
    operation: UpgradeOperation,
    plan: UpgradePlan,
    other_families: frozenset[str] | None = None,
) -> _Done:
    """Create the target, move the licenses (with ``plan``'s type), cancel the source and compute the billing
    (not saved) and the result. ``other_families``: the batch path's refreshed families (the target is then new
    to the transfer)."""
    source = loaded.subscription
    target_offer = loaded.offers[operation.target_offer_id]
    target = steps.create_target_subscription(
        source=source, target_offer=target_offer, quantity=plan.quantity, billing_cycle=plan.billing_cycle
    )
    target.offer = target_offer
    outcome = steps.TransferOutcome()
    transfer = plan.upgrade_type == UpgradeTypeName.UPGRADE_WITH_LICENSE_TRANSFER
    if transfer:
        outcome = steps.transfer_licenses(
            source=source,
            target=target,
            target_plan_families=loaded.plan_families.get(target_offer.pk, {}),
            target_is_new=other_families is not None,
            other_families=other_families,
        )
    steps.cancel_source(source=source)
    entries = steps.billing_entries(
        operation=operation,
        source=source,
        target=target,
        source_unit_price=loaded.price(source.offer_id, source.billing_cycle),
        target_unit_price=loaded.price(target_offer.pk, plan.billing_cycle),
    )
    result = UpgradeResult(
        source_subscription_id=str(source.pk),
        target_subscription_id=str(target.pk),
        upgrade_type=plan.upgrade_type,
        license_errors=outcome.license_errors,
        affected_accounts=outcome.affected_accounts,
        operation_id=str(operation.pk),
        billing=steps.billing_summary(entries),
        status=OperationStatus.SUCCEEDED.value,
        licenses_moved=outcome.moved,
    )
    return _Done(target=target, outcome=outcome, transfer=transfer, entries=entries, result=result)


def _execute(
    *,
    actor,
    loaded: LoadedContext,
    operation: UpgradeOperation,
    plan: UpgradePlan,
    correlation_id: str,
    started: float,
    notify: bool = True,
) -> UpgradeResult:
    """The steps of an eligible, locked upgrade whose operation is in progress. ``started``: the
    ``time.monotonic()`` of the service call (the ``core.signals.operation_finished`` duration)."""
    done = _upgrade_steps(loaded=loaded, operation=operation, plan=plan)
    BillingEntry.objects.bulk_create(done.entries)
    _audit(
        actor=actor,
        source=loaded.subscription,
        plan=plan,
        done=done,
        correlation_id=correlation_id or operation.correlation_id,
    )
    operation_transition(
        operation,
        actor=actor,
        to_status=OperationStatus.SUCCEEDED,
        target=done.target,
        result=done.result.as_dict(),
        note=done.note,
    )
    operation_finished_on_commit(
        kind="upgrade", outcome=OperationStatus.SUCCEEDED, started=started, licenses_moved=done.outcome.moved
    )
    if notify:
        notify_upgrade_finished_on_commit(operation)
    return done.result


def _execute_batched(
    *,
    actor,
    refreshed: _Refreshed,
    request: UpgradeRequest,
    plan: UpgradePlan,
    correlation_id: str,
    request_id: str,
    history: workflow.HistoryBuffer,
    notify: bool,
    started: float,
) -> UpgradeResult:
    """The steps of an eligible, locked upgrade of a batch: the same rows as ``operation_create`` + ``_execute``
    (the operation requested, in progress, succeeded, with its three history rows), written set-wise: the
    operation is inserted once, at its final status, after the billing it books was computed; its history rows
    go to ``history`` (the caller writes them in the same transaction)."""
    loaded = refreshed.loaded
    now = timezone.now()
    fields = _operation_fields(
        actor=actor, loaded=loaded, request=request, plan=plan, correlation_id=correlation_id, request_id=request_id
    )
    operation = UpgradeOperation(**fields, status=OperationStatus.SUCCEEDED, created=now, completed=now)
    done = _upgrade_steps(loaded=loaded, operation=operation, plan=plan, other_families=refreshed.other_families)
    operation.target = done.target
    operation.result = done.result.as_dict()
    operation.save(force_insert=True)
    BillingEntry.objects.bulk_create(done.entries)
    workflow.start_through(
        operation,
        [
            (OperationStatus.PENDING, _("Requested.")),
            (OperationStatus.IN_PROGRESS, _("Eligibility re-checked.")),
            (OperationStatus.SUCCEEDED, done.note),
        ],
        buffer=history,
        actor=actor,
        correlation_id=operation.correlation_id or None,
        at=now,
    )
    _audit(
        actor=actor,
        source=loaded.subscription,
        plan=plan,
        done=done,
        correlation_id=correlation_id or operation.correlation_id,
    )
    operation_finished_on_commit(
        kind="upgrade", outcome=OperationStatus.SUCCEEDED, started=started, licenses_moved=done.outcome.moved
    )
    if notify:
        notify_upgrade_finished_on_commit(operation)
    return done.result


def notify_upgrade_finished_on_commit(operation: UpgradeOperation) -> None:
    """Once the transaction commits, tell the user who started ``operation`` that it finished (nothing for an
    application caller, which has no user)."""
    if operation.actor_user_id is None:
        return
    operation_id = operation.pk
    transaction.on_commit(lambda: upgrade_finished_notify(operation_id=operation_id))


def upgrade_finished_notify(*, operation_id) -> None:
    """The in-portal notification "your upgrade succeeded/failed", linking to its result page; sent once per
    operation (key ``upgrade-finished:<operation id>``) and only for a finished operation started by a user."""
    operation = (
        UpgradeOperation.objects.select_related("source__offer", "target_offer", "customer", "actor_user")
        .filter(pk=operation_id)
        .first()
    )
    if operation is None or operation.actor_user is None:
        return
    if operation.status not in (OperationStatus.SUCCEEDED, OperationStatus.FAILED):
        return
    names = {
        "source": operation.source.offer.name,
        "target": operation.target_offer.name,
        "customer": operation.customer.company_name,
    }
    succeeded = operation.status == OperationStatus.SUCCEEDED

    def message() -> str:
        if succeeded:
            return _("Your upgrade of %(source)s to %(target)s for %(customer)s succeeded.") % names
        return _("Your upgrade of %(source)s to %(target)s for %(customer)s failed.") % names

    notification_create(
        key=f"upgrade-finished:{operation.pk}",
        user=operation.actor_user,
        customer=operation.customer,
        level=Level.SUCCESS if succeeded else Level.ERROR,
        message=message,
        link=reverse("portal:upgrade_result", kwargs={"operation_id": operation.pk}),
    )


def _audit(*, actor, source, plan: UpgradePlan, done: _Done, correlation_id: str):
    target, result = done.target, done.result
    common = {"actor": actor, "partner": source.partner, "customer": source.customer, "correlation_id": correlation_id}
    records = [
        audit_record_build(
            operation_type=OperationType.UPGRADE_SUBSCRIPTION,
            resource_type="subscription",
            **common,
            old={
                "subscriptionId": str(source.pk),
                "offerId": source.offer_id,
                "quantity": source.quantity,
                "status": "active",
                "billingCycle": source.billing_cycle,
            },
            new={
                "subscriptionId": str(target.pk),
                "offerId": target.offer_id,
                "quantity": target.quantity,
                "billingCycle": target.billing_cycle,
                "upgradeType": plan.upgrade_type,
                "sourceStatus": source.status,
                "operationId": result.operation_id,
                "billing": result.billing,
            },
        )
    ]
    if done.transfer:
        records.append(steps.license_move_record(source=source, target=target, outcome=done.outcome, audit=common))
    AuditRecord.objects.bulk_create(records)
    steps.subscription_change_emit(
        events.SUBSCRIPTION_UPGRADED,
        source=source,
        target=target,
        path=f"upgrades/{result.operation_id}",
        resource_name="UpgradeOperation",
        audit_id=records[0].pk,
    )


def _operation_fields(
    *, actor, loaded: LoadedContext, request: UpgradeRequest, plan: UpgradePlan, correlation_id: str, request_id: str
) -> dict:
    source = loaded.subscription
    who = actor_fields(actor)
    is_user = not getattr(actor, "is_application", False) and getattr(actor, "pk", None) is not None
    return {
        "flow": UpgradeFlow.CSP,
        "source": source,
        "target_offer_id": request.target_offer_id,
        "customer_id": source.customer_id,
        "partner_id": source.partner_id,
        "actor_user": principal_of(actor) if is_user else None,
        "actor_upn": who["user_principal_name"],
        "actor_application_id": who["application_id"],
        "upgrade_type": plan.upgrade_type,
        "quantity": plan.quantity,
        "billing_cycle": plan.billing_cycle,
        "correlation_id": correlation_id or "",
        "request_id": request_id or "",
    }


def subscription_upgrade(
    *,
    actor,
    subscription_id,
    target_offer_id: str,
    upgrade_type: str | int | None = None,
    quantity: int | None = None,
    billing_cycle: str | None = None,
    correlation_id: str = "",
    request_id: str = "",
    notify: bool = True,
    loaded: LoadedContext | None = None,
    history: workflow.HistoryBuffer | None = None,
) -> UpgradeResult:
    """Upgrade a subscription now, in one transaction. Raises ``UpgradeNotEligible`` (every reason, ``.result``),
    ``InvalidUpgradeInput`` (field + reason), ``NotFound`` (not this partner's subscription), ``Forbidden``
    (license transfer without a license-writing delegated role) or ``PermissionDenied`` (partner role).
    ``notify``: the user who asked gets an in-portal notification once it commits (batch items pass False).

    ``loaded``: the source's context from a batch load (``load_contexts`` of a batch chunk, not locked): the
    source, its customer and the customer's holdings are then locked and re-read in one query, eligibility is
    re-checked on them, and the upgrade writes the same rows in fewer statements (see ``_execute_batched``);
    when the load cannot be reused it falls back to loading afresh. ``loaded`` must come from ``load_contexts``
    with ``actor`` and ``target_offer_id`` among its ``extra_target_ids``. The batch path does not open a
    savepoint: call it inside a transaction that rolls back when it raises (a batch item's). ``history``: where
    that path's status history rows go (the caller writes them, e.g. with its item's own row); default: here."""
    started = time.monotonic()
    request = parse_upgrade_request(
        target_offer_id=target_offer_id, upgrade_type=upgrade_type, quantity=quantity, billing_cycle=billing_cycle
    )
    if loaded is not None and str(loaded.subscription.pk) == str(getattr(subscription_id, "pk", subscription_id)):
        with transaction.atomic(savepoint=False):
            refreshed = _lock_and_refresh(loaded=loaded)
            if refreshed is not None:
                plan = upgrade_plan(refreshed.loaded, request)
                buffer = workflow.HistoryBuffer() if history is None else history
                result = _execute_batched(
                    actor=actor,
                    refreshed=refreshed,
                    request=request,
                    plan=plan,
                    correlation_id=correlation_id,
                    request_id=request_id,
                    history=buffer,
                    notify=notify,
                    started=started,
                )
                if history is None:
                    buffer.flush()
                return result
    with transaction.atomic():
        loaded = _lock_and_load(actor=actor, subscription_id=subscription_id, request=request)
        plan = upgrade_plan(loaded, request)
        operation = operation_create(
            actor=actor,
            **_operation_fields(
                actor=actor,
                loaded=loaded,
                request=request,
                plan=plan,
                correlation_id=correlation_id,
                request_id=request_id,
            ),
            note=_("Requested."),
        )
        operation_transition(
            operation, actor=actor, to_status=OperationStatus.IN_PROGRESS, note=_("Eligibility re-checked.")
        )
        return _execute(
            actor=actor,
            loaded=loaded,
            operation=operation,
            plan=plan,
            correlation_id=correlation_id,
            started=started,
            notify=notify,
        )


def subscription_upgrade_async(
    *,
    actor,
    subscription_id,
    target_offer_id: str,
    upgrade_type: str | int | None = None,
    quantity: int | None = None,
    billing_cycle: str | None = None,
    correlation_id: str = "",
    request_id: str = "",
    enqueue: bool = True,
) -> UpgradeOperation:
    """Check everything ``subscription_upgrade`` checks, record a ``pending`` operation and enqueue its
    execution (``upgrades.tasks.run_upgrade_operation``) once the transaction commits. ``enqueue=False``: the
    caller holds it (``upgrades.approval_services``: waiting for approval)."""
    request = parse_upgrade_request(
        target_offer_id=target_offer_id, upgrade_type=upgrade_type, quantity=quantity, billing_cycle=billing_cycle
    )
    with transaction.atomic():
        loaded = _lock_and_load(actor=actor, subscription_id=subscription_id, request=request)
        plan = upgrade_plan(loaded, request)
        try:
            with transaction.atomic():
                operation = operation_create(
                    actor=actor,
                    **_operation_fields(
                        actor=actor,
                        loaded=loaded,
                        request=request,
                        plan=plan,
                        correlation_id=correlation_id,
                        request_id=request_id,
                    ),
                    note=_("Queued."),
                )
        except IntegrityError:  # another open operation of this subscription won the race
            raise _busy(loaded.subscription.pk) from None
        if enqueue:
            enqueue_on_commit("upgrades.run_upgrade_operation", str(operation.pk))
    return operation


def _actor_of(operation: UpgradeOperation):
    """The operation's actor rebuilt in the task (``accounts.actor.Actor``); None when nobody is recorded."""
    actor = Actor.for_row(
        user=operation.actor_user if operation.actor_user_id is not None else None,
        partner=operation.partner,
        application_id=operation.actor_application_id,
    )
    return actor if actor.is_authenticated else None


def upgrade_operation_execute(*, operation_id) -> UpgradeResult | None:
    """Run a queued operation. Idempotent: an operation that already ended answers its stored result and does
    nothing; one waiting for a credit check answers None. Not eligible any more → the operation fails with
    the reasons (nothing else changes)."""
    started = time.monotonic()
    with transaction.atomic():
        operation = (
            UpgradeOperation.objects.select_for_update(of=("self",))
            .select_related("actor_user", "partner")
            .get(pk=operation_id)
        )
        if operation.status not in (OperationStatus.PENDING, OperationStatus.IN_PROGRESS):
            return UpgradeResult.from_dict(operation.result) if operation.result else None
        actor = _actor_of(operation)
        request = UpgradeRequest(
            target_offer_id=operation.target_offer_id,
            upgrade_type=operation.upgrade_type,
            quantity=operation.quantity,
            billing_cycle=operation.billing_cycle,
        )
        try:
            with transaction.atomic():
                if actor is None:
                    raise _not_eligible(
                        operation.source_id,
                        [
                            UpgradeError(
                                UpgradeErrorCode.OTHER, _("The user who requested the upgrade no longer exists."), ""
                            )
                        ],
                    )
                loaded = _lock_and_load(
                    actor=actor, subscription_id=operation.source_id, request=request, exclude_operation_id=operation.pk
                )
                plan = upgrade_plan(loaded, request)
                if operation.status == OperationStatus.PENDING:
                    operation_transition(
                        operation, actor=actor, to_status=OperationStatus.IN_PROGRESS, note=_("Eligibility re-checked.")
                    )
                return _execute(
                    actor=actor,
                    loaded=loaded,
                    operation=operation,
                    plan=plan,
                    correlation_id=operation.correlation_id,
                    started=started,
                )
        except (DomainError, PermissionDenied) as exc:
            operation.refresh_from_db(fields=["status"])
            message = getattr(exc, "message", None) or str(exc)
            errors = (
                exc.result.upgrade_errors
                if isinstance(exc, UpgradeNotEligible)
                else (UpgradeError(UpgradeErrorCode.OTHER, message, getattr(exc, "field", None) or ""),)
            )
            result = UpgradeResult(
                source_subscription_id=str(operation.source_id),
                target_subscription_id=None,
                upgrade_type=UpgradeTypeName.NONE,
                upgrade_errors=tuple(errors),
                operation_id=str(operation.pk),
                status=OperationStatus.FAILED.value,
            )
            operation_transition(
                operation,
                actor=actor,
                to_status=OperationStatus.FAILED,
                note=message,
                errors=[e.as_dict() for e in errors],
                result=result.as_dict(),
            )
            operation_finished_on_commit(kind="upgrade", outcome=OperationStatus.FAILED, started=started)
            notify_upgrade_finished_on_commit(operation)
            return result
