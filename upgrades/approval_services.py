"""Four-eyes approval of upgrades (domain.md §9): measuring a job, holding it, approving or rejecting it.

The rule (which measures, who may decide) is ``partners.approval``; this module applies it:

- ``job_size`` measures requested upgrades (items, seats, monthly value = seats × the target offer's monthly
  price, ``upgrades.billing.monthly_price``) in two queries, whatever their number;
- ``subscription_upgrade_request`` is what the wizard and ``POST .../upgrades`` call: below the partner's
  threshold exactly ``subscription_upgrade`` (or ``subscription_upgrade_async``); above it the operation is
  validated like an asynchronous one and recorded ``awaiting_approval``: nothing is enqueued, nothing changes;
- ``upgrade_operation_approve`` (→ pending, enqueued on commit) and ``upgrade_operation_reject`` (→ rejected);
- the notices: every approver of the partner (not the creator) when a job starts waiting, the creator when it
  is decided (``Notification.key`` makes each one idempotent). ``bulk.approval_services`` uses them for batches.

Batch items call ``subscription_upgrade`` directly: the batch was approved as a whole.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import OperationStatus as AuditStatus
from audit.models import OperationType
from audit.services import audit_record_create
from catalog.models import OfferPrice
from core import events
from core.errors import Conflict, InvalidInput
from core.scoping import principal_of
from core.tasks import enqueue_on_commit
from notifications.models import Level
from notifications.services import notification_create
from partners.approval import ApprovalThreshold, JobSize, exceeded_text, needs_approval, require_approver
from partners.roles import Capability, roles_granting
from subscriptions.selectors import subscriptions_visible_to

from .billing import monthly_price
from .eligibility.types import UpgradeTypeName
from .models import OperationStatus, UpgradeOperation
from .pipeline import operation_transition
from .results import UpgradeResult
from .services import subscription_upgrade, subscription_upgrade_async

MAX_REASON = 1000


@dataclass(frozen=True)
class SizeLine:
    """One requested upgrade, as far as its size goes (``quantity`` None: the source's seats)."""

    subscription_id: uuid.UUID | str
    target_offer_id: str
    quantity: int | None = None


def size_dict(size: JobSize) -> dict:
    return {"items": size.items, "seats": size.seats, "monthlyValue": f"{size.monthly_value:.2f}"}


def job_size(actor, lines: Sequence[SizeLine]) -> JobSize:
    """Items, seats (the line's quantity, else its source's) and monthly value added (seats × the target's price
    per seat per month, in the source's billing cycle and currency; no price: nothing). Two queries: the sources
    (through ``subscriptions_visible_to``: an unknown or foreign source counts its line's own seats only) and
    the target prices."""
    ids = set()
    for line in lines:
        try:
            ids.add(uuid.UUID(str(line.subscription_id)))
        except ValueError:
            continue
    sources = {
        pk: (quantity, cycle, currency)
        for pk, quantity, cycle, currency in subscriptions_visible_to(actor)
        .filter(pk__in=ids)
        .values_list("pk", "quantity", "billing_cycle", "offer__currency")
    }
    targets = {line.target_offer_id for line in lines if line.target_offer_id}
    prices = {
        (offer_id, cycle, currency): unit_price
        for offer_id, cycle, currency, unit_price in OfferPrice.objects.filter(offer_id__in=targets).values_list(
            "offer_id", "billing_cycle", "currency", "unit_price"
        )
    }
    seats, value = 0, Decimal("0")
    for line in lines:
        try:
            source = sources.get(uuid.UUID(str(line.subscription_id)))
        except ValueError:
            source = None
        quantity = line.quantity if line.quantity is not None else (source[0] if source else 0)
        seats += quantity
        if source is not None:
            price = prices.get((line.target_offer_id, source[1], source[2]))
            if price is not None:
                value += monthly_price(price, source[1]) * quantity
    return JobSize(items=len(lines), seats=seats, monthly_value=value)


def approval_for(actor, partner, lines: Sequence[SizeLine]) -> tuple[list[str], JobSize | None]:
    """The exceeded measures of ``lines`` for ``partner`` (empty: it runs at once) and the size (None when the
    partner set no threshold: nothing was measured, no query)."""
    if not ApprovalThreshold.of(partner).is_set:
        return [], None
    size = job_size(actor, lines)
    return needs_approval(partner, size), size


# --- notices ----------------------------------------------------------------------------------------------------


def approvers_of(partner_id, *, excluding_user_id=None) -> list[User]:
    """The partner's active users whose roles grant ``Capability.APPROVE`` (not ``excluding_user_id``)."""
    users = User.objects.filter(
        partner_id=partner_id, is_active=True, partner_roles__role__in=sorted(roles_granting(Capability.APPROVE))
    )
    if excluding_user_id is not None:
        users = users.exclude(pk=excluding_user_id)
    return list(users.distinct().order_by("pk"))


def approval_requested_notify(*, kind: str, job_id, partner_id, created_by_user_id, message: Callable[[], str]) -> int:
    """One notification per approver (``approval-requested:<kind>:<id>:<user id>``), linking to the approvals
    page; the number of approvers told."""
    link = reverse("portal:approvals")
    recipients = approvers_of(partner_id, excluding_user_id=created_by_user_id)
    for user in recipients:
        notification_create(
            key=f"approval-requested:{kind}:{job_id}:{user.pk}",
            user=user,
            level=Level.WARNING,
            message=message,
            link=link,
        )
    return len(recipients)


def approval_decided_notify(
    *, kind: str, job_id, created_by_user_id, approved: bool, message: Callable[[], str], link: str
) -> None:
    """The creator's notification of the decision (``approval-decided:<kind>:<id>``); none for an application."""
    if created_by_user_id is None:
        return
    user = User.objects.filter(pk=created_by_user_id).first()
    if user is None:
        return
    notification_create(
        key=f"approval-decided:{kind}:{job_id}",
        user=user,
        level=Level.SUCCESS if approved else Level.ERROR,
        message=message,
        link=link,
    )


def batch_link(batch_id) -> str:
    """A batch's portal page when the portal has one, else the approvals page."""
    try:
        return reverse("portal:batch_detail", kwargs={"batch_id": batch_id})
    except NoReverseMatch:
        return reverse("portal:approvals")


def clean_reason(reason) -> str:
    """A rejection's reason, required (``InvalidInput`` naming ``reason``)."""
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise InvalidInput(_("A rejection needs a reason."), field="reason")
    if len(text) > MAX_REASON:
        raise InvalidInput(
            _("The reason is too long (%(max)d characters at most).") % {"max": MAX_REASON}, field="reason"
        )
    return text


def decider_fields(actor, now, *, reason: str = "") -> dict:
    """A decision's values: who decided (a user; none for an application) and when, and a rejection's reason."""
    user = principal_of(actor)
    values: dict = {"decided_by": user if isinstance(user, User) else None, "decided_at": now}
    if reason:
        values["rejection_reason"] = reason
    return values


def locked_waiting(queryset, pk, *, waiting_status: str, refusal: str):
    """The job ``pk`` of ``queryset`` (a ``select_for_update(of=("self",))`` one: the partner is joined, not locked), with its partner, still ``waiting_status``;
    else ``Conflict`` (409, ``not_awaiting_approval``) with ``refusal`` (translated, ``%(status)s``)."""
    locked = queryset.select_related("partner").get(pk=pk)
    if locked.status != waiting_status:
        raise Conflict(
            refusal % {"status": locked.get_status_display()}, field="status", error_name="not_awaiting_approval"
        )
    return locked


def decision_audit(*, actor, job, waiting_status: str, approved: bool, customer=None, **new) -> None:
    """The audit record of a decision on ``job`` (a batch or an upgrade operation): from ``waiting_status`` to
    its status now, ``approval`` approved (succeeded) or rejected (declined); ``new``: more of its new values."""
    audit_record_create(
        actor=actor,
        operation_type=OperationType.UPGRADE_SUBSCRIPTION,
        resource_type=type(job).__name__,
        partner=job.partner,
        customer=customer,
        status=AuditStatus.SUCCEEDED if approved else AuditStatus.DECLINED,
        correlation_id=job.correlation_id,
        old={"id": str(job.pk), "status": waiting_status},
        new={"id": str(job.pk), "status": job.status, "approval": "approved" if approved else "rejected", **new},
    )


# --- single upgrades --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UpgradeOutcome:
    """What an upgrade request became: done (``result``), queued or waiting for approval (``operation``)."""

    result: UpgradeResult | None = None
    operation: UpgradeOperation | None = None

    @property
    def operation_id(self) -> str:
        if self.operation is not None:
            return str(self.operation.pk)
        assert self.result is not None  # one of the two is set
        return str(self.result.operation_id)

    @property
    def awaiting_approval(self) -> bool:
        return self.operation is not None and self.operation.status == OperationStatus.AWAITING_APPROVAL


def _seats(quantity) -> int | None:
    return quantity if isinstance(quantity, int) and not isinstance(quantity, bool) and quantity >= 0 else None


def subscription_upgrade_request(
    *,
    actor,
    subscription_id,
    target_offer_id: str,
    upgrade_type: str | int | None = None,
    quantity: int | None = None,
    billing_cycle: str | None = None,
    correlation_id: str = "",
    request_id: str = "",
    respond_async: bool = False,
) -> UpgradeOutcome:
    """An upgrade as a user or an application asks for it: at once (or queued with ``respond_async``) below the
    partner's approval threshold; above it validated, recorded ``awaiting_approval`` and left waiting."""
    arguments = {
        "actor": actor,
        "subscription_id": subscription_id,
        "target_offer_id": target_offer_id,
        "upgrade_type": upgrade_type,
        "quantity": quantity,
        "billing_cycle": billing_cycle,
        "correlation_id": correlation_id,
        "request_id": request_id,
    }
    partner = getattr(actor, "partner", None)
    measures, size = approval_for(
        actor, partner, [SizeLine(subscription_id, str(target_offer_id or ""), _seats(quantity))]
    )
    if not measures:
        if respond_async:
            return UpgradeOutcome(operation=subscription_upgrade_async(**arguments))
        return UpgradeOutcome(result=subscription_upgrade(**arguments))
    assert size is not None  # measured: the partner has a threshold
    with transaction.atomic():
        operation = subscription_upgrade_async(**arguments, enqueue=False)
        # measured again on the validated plan (the seats it will really use)
        size = JobSize(items=1, seats=operation.quantity, monthly_value=size.monthly_value)
        operation_transition(
            operation,
            actor=actor,
            to_status=OperationStatus.AWAITING_APPROVAL,
            note=_("Above the approval threshold (%(measures)s): waiting for approval.")
            % {"measures": exceeded_text(measures)},
            approval_required=measures,
            approval_size=size_dict(size),
        )
        audit_record_create(
            actor=actor,
            operation_type=OperationType.UPGRADE_SUBSCRIPTION,
            resource_type="UpgradeOperation",
            partner=operation.partner,
            customer=operation.customer,
            status=AuditStatus.PROGRESSING,
            correlation_id=operation.correlation_id,
            old=None,
            new={
                "id": str(operation.pk),
                "status": operation.status,
                "approvalRequired": measures,
                "size": size_dict(size),
            },
        )
        _request_notices_on_commit(operation)
        events.emit(
            events.APPROVAL_REQUESTED,
            partner_id=operation.partner_id,
            resource_uri=(
                f"/v1/customers/{operation.customer.tenant_id}/subscriptions/{operation.source_id}"
                f"/upgrades/{operation.pk}"
            ),
            resource_name="UpgradeOperation",
            payload={"approvalRequired": measures},
        )
    return UpgradeOutcome(operation=operation)


def _operation_names(operation: UpgradeOperation) -> dict:
    operation = UpgradeOperation.objects.select_related("source__offer", "target_offer", "customer").get(
        pk=operation.pk
    )
    return {
        "source": operation.source.offer.name,
        "target": operation.target_offer.name,
        "customer": operation.customer.company_name,
        "seats": operation.quantity,
    }


def _request_notices_on_commit(operation: UpgradeOperation) -> None:
    operation_id, partner_id, creator_id = operation.pk, operation.partner_id, operation.actor_user_id

    def send():
        names = _operation_names(UpgradeOperation(pk=operation_id))
        approval_requested_notify(
            kind="upgrade",
            job_id=operation_id,
            partner_id=partner_id,
            created_by_user_id=creator_id,
            message=lambda: (
                _("An upgrade of %(source)s to %(target)s (%(seats)d seats) for %(customer)s waits for your approval.")
                % names
            ),
        )

    transaction.on_commit(send)


def _locked_waiting(operation: UpgradeOperation) -> UpgradeOperation:
    return locked_waiting(
        UpgradeOperation.objects.select_for_update(of=("self",)),
        operation.pk,
        waiting_status=OperationStatus.AWAITING_APPROVAL,
        refusal=_("The upgrade is not waiting for approval (%(status)s)."),
    )


def upgrade_operation_approve(*, actor, operation: UpgradeOperation) -> UpgradeOperation:
    """Approve a waiting upgrade: ``pending``, then ``upgrades.run_upgrade_operation`` on commit (it runs as its
    creator). ``operation`` must come from a scoped selector (``upgrade_operations_visible_to``)."""
    require_approver(actor, created_by_user_id=operation.actor_user_id)
    now = timezone.now()
    with transaction.atomic():
        locked = _locked_waiting(operation)
        operation_transition(
            locked, actor=actor, to_status=OperationStatus.PENDING, note=_("Approved."), **decider_fields(actor, now)
        )
        decision_audit(
            actor=actor,
            job=locked,
            customer=locked.customer,
            waiting_status=OperationStatus.AWAITING_APPROVAL.value,
            approved=True,
        )
        enqueue_on_commit("upgrades.run_upgrade_operation", str(locked.pk))
        _decision_notice_on_commit(locked, approved=True)
    return locked


def upgrade_operation_reject(*, actor, operation: UpgradeOperation, reason) -> UpgradeOperation:
    """Reject a waiting upgrade with a reason: ``rejected``, nothing changed."""
    require_approver(actor, created_by_user_id=operation.actor_user_id)
    text = clean_reason(reason)
    now = timezone.now()
    with transaction.atomic():
        locked = _locked_waiting(operation)
        result = UpgradeResult(
            source_subscription_id=str(locked.source_id),
            target_subscription_id=None,
            upgrade_type=UpgradeTypeName.NONE,
            upgrade_errors=(),
            operation_id=str(locked.pk),
            status=OperationStatus.REJECTED.value,
        )
        operation_transition(
            locked,
            actor=actor,
            to_status=OperationStatus.REJECTED,
            note=_("Rejected: %(reason)s") % {"reason": text},
            result=result.as_dict(),
            **decider_fields(actor, now, reason=text),
        )
        decision_audit(
            actor=actor,
            job=locked,
            customer=locked.customer,
            waiting_status=OperationStatus.AWAITING_APPROVAL.value,
            approved=False,
            reason=text,
        )
        _decision_notice_on_commit(locked, approved=False, reason=text)
    return locked


def _decision_notice_on_commit(operation: UpgradeOperation, *, approved: bool, reason: str = "") -> None:
    operation_id, creator_id = operation.pk, operation.actor_user_id

    def send():
        names = _operation_names(UpgradeOperation(pk=operation_id))

        def message() -> str:
            if approved:
                return _("Your upgrade of %(source)s to %(target)s for %(customer)s was approved: it runs now.") % names
            return _("Your upgrade of %(source)s to %(target)s for %(customer)s was rejected: %(reason)s") % {
                **names,
                "reason": reason,
            }

        approval_decided_notify(
            kind="upgrade",
            job_id=operation_id,
            created_by_user_id=creator_id,
            approved=approved,
            message=message,
            link=reverse("portal:upgrade_result", kwargs={"operation_id": operation_id}),
        )

    transaction.on_commit(send)


def waiting_operations(queryset) -> Iterable[UpgradeOperation]:
    """The operations of ``queryset`` (a scoped one) waiting for approval, oldest first, with what a list shows."""
    return (
        queryset.filter(status=OperationStatus.AWAITING_APPROVAL)
        .select_related("source__offer", "target_offer", "customer", "actor_user")
        .order_by("created", "pk")
    )
