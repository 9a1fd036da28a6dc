"""Writes of the admin center (domain.md §6): place orders, decide credit checks, move licenses, cancel.

Every write checks the actor's customer admin role, refuses while one of the tenant's orders is open (waiting
for a credit check, queued or running: ``Locked``), and owns its transaction. Execution of an order is ``direct.execution.direct_order_execute``,
enqueued with ``transaction.on_commit``.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record_create
from core import events, workflow
from core.errors import Conflict, InvalidInput, Locked
from core.scoping import principal_of
from core.tasks import enqueue_on_commit
from customers.models import Customer
from subscriptions.models import Subscription

from . import cart, pipeline
from .calendar import credit_check_deadline
from .credit import credit_check_backend
from .licenses import MoveResult, move_assignments
from .models import CreditCheck, DirectOrder, DirectOrderAddon, OrderKind, OrderStatus
from .permissions import AdminAction, admin_require
from .selectors import admin_subscription_for


def tenant_lock(customer: Customer) -> str:
    """Why the tenant's admin writes are locked: ``"credit_check"`` while an order waits for its credit check,
    ``"upgrade"`` while one is queued or running, ``""`` when not locked. The ONE lock rule (one query)."""
    statuses = set(DirectOrder.objects.open().filter(customer_id=customer.pk).values_list("status", flat=True))
    if OrderStatus.AWAITING_CREDIT_CHECK in statuses:
        return "credit_check"
    return "upgrade" if statuses else ""


def is_tenant_locked(customer: Customer) -> bool:
    return bool(tenant_lock(customer))


def tenant_write_guard(*, customer: Customer) -> None:
    """Refuse admin writes while one of the tenant's orders is open: waiting for a credit check, queued or
    running (reads keep working)."""
    lock = tenant_lock(customer)
    if lock == "credit_check":
        raise Locked(
            _(
                "Admin actions for this organization are locked while an order waits for a credit check "
                "(up to two business days). Your users keep using their current plan."
            )
        )
    if lock:
        raise Locked(
            _(
                "Admin actions for this organization are locked while an order is queued or running "
                "(usually under ten minutes). Your users keep using their current plan."
            )
        )


def lock_customer(customer: Customer) -> Customer:
    """Inside the caller's transaction: serialise writes of one tenant (row lock), then check the tenant lock
    (``tenant_write_guard``)."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    tenant_write_guard(customer=customer)
    return customer


def locked_admin_subscription(actor, customer: Customer, subscription_id) -> tuple[Customer, Subscription]:
    """Inside the caller's transaction: the tenant locked (``lock_customer``), then one of its subscriptions the
    actor administers (``NotFound`` otherwise), locked with its offer."""
    customer = lock_customer(customer)
    found = admin_subscription_for(actor, customer, subscription_id)
    return customer, Subscription.objects.select_for_update().select_related("offer").get(pk=found.pk)


def _clean_payment_method(quote: cart.Quote, payment_method) -> str:
    if payment_method not in quote.payment_methods:
        if payment_method == "invoice":
            raise InvalidInput(
                _("Invoice is only offered for orders above the minimum invoice total."), field="payment_method"
            )
        raise InvalidInput(
            _("Choose how to pay: %(methods)s.") % {"methods": ", ".join(quote.payment_methods)}, field="payment_method"
        )
    return payment_method


def _order_from_quote(
    *, actor, quote: cart.Quote, kind: str, payment_method: str, confirm_forfeit: bool, operation=None
) -> DirectOrder:
    """Insert the order, waiting for a credit check when the quote needs one (else queued), with the first
    history row of its status and of its credit check."""
    check = quote.credit_check_required(payment_method)
    order = DirectOrder.objects.create(
        status=OrderStatus.AWAITING_CREDIT_CHECK if check else OrderStatus.QUEUED,
        credit_check=CreditCheck.PENDING if check else CreditCheck.NOT_REQUIRED,
        kind=kind,
        customer=quote.customer,
        placed_by=principal_of(actor),
        source=quote.source,
        target_offer=quote.target,
        operation=operation,
        quantity=quote.quantity,
        billing_cycle=quote.billing_cycle,
        payment_method=payment_method,
        currency=quote.currency,
        unit_price=quote.unit_price,
        subtotal=quote.subtotal,
        charge=quote.charge,
        credit=quote.credit,
        forfeited=quote.forfeited,
        forfeit_confirmed=bool(confirm_forfeit and quote.forfeited),
        amount_due=quote.amount_due,
    )
    DirectOrderAddon.objects.bulk_create(
        [
            DirectOrderAddon(order=order, subscription=a.subscription, action=a.action, credit=a.credit)
            for a in quote.addons
        ]
    )
    workflow.start(order, actor=actor, reason=_("Order placed."))
    workflow.start(order, field="credit_check", actor=actor)
    return order


def _start_credit_check(order: DirectOrder, *, quote: cart.Quote, now: datetime) -> None:
    """A queued order runs; one waiting for a credit check asks the backend (which may decide at once)."""
    if order.status == OrderStatus.QUEUED:
        _enqueue(order)
        return
    backend = credit_check_backend()
    order.credit_check_backend = f"{type(backend).__module__}.{type(backend).__qualname__}"
    order.credit_check_deadline = credit_check_deadline(now, country=order.customer.country)
    order.save(update_fields=["credit_check_backend", "credit_check_deadline"])
    pipeline.operation_awaiting_credit_check(order)
    decision = backend.start(order)
    if decision is not None:
        _apply_decision(order, approved=decision.approved, note=decision.note, actor=None, now=now)


def _enqueue(order: DirectOrder) -> None:
    order_id = str(order.pk)
    enqueue_on_commit("direct.execute_order", order_id)


def _audit(*, actor, order: DirectOrder, operation_type: str, new: dict | None = None) -> None:
    audit_record_create(
        actor=actor,
        operation_type=operation_type,
        resource_type="order",
        customer=order.customer,
        new={
            "orderId": str(order.pk),
            "offerId": order.target_offer_id,
            "quantity": order.quantity,
            "status": order.status,
            **(new or {}),
        },
    )


def direct_upgrade_place(
    *,
    actor,
    customer: Customer,
    subscription_id,
    target_offer_id: str,
    quantity=None,
    billing_cycle: str | None = None,
    payment_method: str,
    confirm_forfeit: bool = False,
    now: datetime | None = None,
) -> DirectOrder:
    """Checkout › Place order for an upgrade. Raises ``UpgradeBlocked`` with every reason when not available,
    ``InvalidInput`` (field named) for bad input or a forfeit not confirmed, ``Locked`` while an order is open."""
    admin_require(actor, customer, AdminAction.PURCHASE)
    now = now or timezone.now()
    with transaction.atomic():
        customer = lock_customer(customer)
        source = admin_subscription_for(actor, customer, subscription_id)
        source = Subscription.objects.select_for_update().select_related("customer", "offer").get(pk=source.pk)
        quote = cart.quote_upgrade(
            source=source,
            target_offer_id=target_offer_id,
            quantity=quantity,
            billing_cycle=billing_cycle,
            today=timezone.localdate(now),
        )
        method = _clean_payment_method(quote, payment_method)
        if quote.requires_forfeit_confirmation and not confirm_forfeit:
            raise InvalidInput(
                _(
                    "This prepaid plan has more value left than the new order's total: %(forfeited)s %(currency)s "
                    "will be forfeited. Confirm to place the order."
                )
                % {"forfeited": quote.forfeited, "currency": quote.currency},
                field="confirm_forfeit",
                error_name="forfeit_confirmation_required",
            )
        operation = pipeline.operation_open(actor=actor, quote=quote)
        order = _order_from_quote(
            actor=actor,
            quote=quote,
            kind=OrderKind.UPGRADE,
            payment_method=method,
            confirm_forfeit=confirm_forfeit,
            operation=operation,
        )
        _audit(
            actor=actor,
            order=order,
            operation_type="create_order",
            new={"sourceSubscriptionId": str(source.pk), "paymentMethod": method, "total": str(order.subtotal)},
        )
        _start_credit_check(order, quote=quote, now=now)
    return order


def direct_purchase_place(
    *,
    actor,
    customer: Customer,
    offer_id: str,
    quantity,
    billing_cycle: str | None,
    payment_method: str,
    now: datetime | None = None,
) -> DirectOrder:
    """Buy a new subscription (the manual path's first step)."""
    admin_require(actor, customer, AdminAction.PURCHASE)
    now = now or timezone.now()
    with transaction.atomic():
        customer = lock_customer(customer)
        quote = cart.quote_purchase(
            customer=customer, offer_id=offer_id, quantity=quantity, billing_cycle=billing_cycle
        )
        method = _clean_payment_method(quote, payment_method)
        order = _order_from_quote(
            actor=actor, quote=quote, kind=OrderKind.PURCHASE, payment_method=method, confirm_forfeit=False
        )
        _audit(
            actor=actor,
            order=order,
            operation_type="create_order",
            new={"paymentMethod": method, "total": str(order.subtotal)},
        )
        _start_credit_check(order, quote=quote, now=now)
    return order


# --- credit check decisions ------------------------------------------------------------------------------------


def _apply_decision(order: DirectOrder, *, approved: bool, note: str, actor, now: datetime) -> DirectOrder:
    note = str(note)[:300]
    workflow.transition(
        order,
        CreditCheck.APPROVED if approved else CreditCheck.DECLINED,
        field="credit_check",
        actor=actor,
        reason=note,
        at=now,
        values={"credit_check_decided_at": now, "credit_check_note": note},
    )
    if approved:
        workflow.transition(order, OrderStatus.QUEUED, actor=actor, reason=note, at=now)
        _enqueue(order)
    else:
        workflow.transition(order, OrderStatus.DECLINED, actor=actor, reason=note, at=now, values={"completed_at": now})
        pipeline.operation_declined(order, note=order.credit_check_note)
    _audit(
        actor=actor,
        order=order,
        operation_type="update_order",
        new={"creditCheck": order.credit_check, "note": order.credit_check_note},
    )
    order_id, customer_id, decision = order.pk, order.customer_id, order.credit_check
    events.emit_lazy(lambda: credit_check_event(order_id=order_id, customer_id=customer_id, decision=decision))
    return order


def credit_check_event(*, order_id, customer_id, decision: str) -> events.DomainEvent:
    """``credit-check-decided`` for the partners of the order's customer (its reseller relationships): the
    customer's order itself stays the customer's (the body names the order and the decision only)."""
    rows = list(Customer.objects.filter(pk=customer_id).values_list("tenant_id", "partner_relationships__partner_id"))
    partner_ids = tuple(sorted({partner_id for _tenant, partner_id in rows if partner_id is not None}))
    tenant_id = rows[0][0] if rows else ""
    return events.DomainEvent(
        name=events.CREDIT_CHECK_DECIDED,
        partner_ids=partner_ids,
        resource_uri=f"/v1/me/customers/{tenant_id}/orders/{order_id}",
        resource_name="Order",
        payload={"decision": decision},
    )


def _decide(*, actor, order_id, approved: bool, note: str | Promise, now: datetime | None) -> DirectOrder:
    now = now or timezone.now()
    with transaction.atomic():
        order = DirectOrder.objects.select_for_update().select_related("customer").get(pk=order_id)
        if order.status != OrderStatus.AWAITING_CREDIT_CHECK:
            raise Conflict(
                _("This order isn't waiting for a credit check (it is %(status)s).")
                % {"status": order.get_status_display()},
                field="order_id",
            )
        return _apply_decision(order, approved=approved, note=str(note), actor=actor, now=now)


def credit_check_approve(*, actor, order_id, note: str = "", now: datetime | None = None) -> DirectOrder:
    """An operator approves: the order is queued for execution."""
    return _decide(actor=actor, order_id=order_id, approved=True, note=note or _("Approved by an operator."), now=now)


def credit_check_decline(*, actor, order_id, note: str = "", now: datetime | None = None) -> DirectOrder:
    """An operator declines: the order ends and nothing changes."""
    return _decide(actor=actor, order_id=order_id, approved=False, note=note or _("Declined by an operator."), now=now)


def credit_check_deadlines_process(*, now: datetime | None = None) -> int:
    """Decline every order whose two-business-day deadline has passed without approval. Returns how many."""
    now = now or timezone.now()
    overdue = list(
        DirectOrder.objects.awaiting_credit_check().filter(credit_check_deadline__lte=now).values_list("pk", flat=True)
    )
    for order_id in overdue:
        try:
            _decide(
                actor=None,
                order_id=order_id,
                approved=False,
                note=_("Declined: no approval within two business days."),
                now=now,
            )
        except Conflict:  # decided meanwhile
            continue
    return len(overdue)


# --- the manual path -------------------------------------------------------------------------------------------


def subscription_cancel(*, actor, customer: Customer, subscription_id) -> Subscription:
    """Cancel a subscription once nobody holds its licenses (the manual path's last step)."""
    admin_require(actor, customer, AdminAction.PURCHASE)
    with transaction.atomic():
        customer = lock_customer(customer)
        subscription = admin_subscription_for(actor, customer, subscription_id)
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if subscription.status == "deleted":
            raise Conflict(_("The subscription is already cancelled."), field="subscription_id")
        if subscription.channel != "direct":
            raise InvalidInput(_("Only subscriptions bought directly can be cancelled here."), field="subscription_id")
        assigned = subscription.assignments.count()
        if assigned:
            raise InvalidInput(
                _("Move the %(count)s users who still hold its licenses first.") % {"count": assigned},
                field="subscription_id",
            )
        if subscription.addons.filter(status="active").exists():
            raise InvalidInput(_("Cancel or move its add-ons first."), field="subscription_id")
        old = subscription.status
        subscription.status = "deleted"
        subscription.auto_renew = False
        subscription.save(update_fields=["status", "auto_renew", "updated"])
        audit_record_create(
            actor=actor,
            operation_type="update_subscription",
            resource_type="subscription",
            customer=customer,
            old={"id": str(subscription.pk), "status": old},
            new={"id": str(subscription.pk), "status": "deleted"},
        )
    return subscription


def licenses_move(
    *, actor, customer: Customer, source_id, target_id, user_ids=None, all_users: bool = False
) -> MoveResult:
    """Move the selected users' licenses (or all) from ``source`` to ``target`` in one action.

    Set-based: a fixed number of queries whatever the number of users. Switched-off plans are cleared (the
    user gets every service of the target). A user who already holds a license of the target keeps it and
    only loses the source license.
    """
    admin_require(actor, customer, AdminAction.MOVE_LICENSES)
    with transaction.atomic():
        customer = lock_customer(customer)
        return move_assignments(
            actor=actor,
            customer=customer,
            source_id=source_id,
            target_id=target_id,
            user_ids=user_ids,
            all_users=all_users,
        )
