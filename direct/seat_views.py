"""Admin center pages: buy or remove licenses, pay an unpaid balance, cancel a subscription (with a
confirmation step) and an order's invoice. Thin views over ``direct.seats``, ``direct.payments``,
``direct.services`` and ``direct.invoices``; tenant scope as every admin center page (``views.tenant_view``)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError, Forbidden, NotFound

from . import invoices, payments, seats, selectors, services
from .permissions import AdminAction, admin_can
from .views import tenant_view


def _page(request, customer, **extra) -> dict:
    return {
        "customer": customer,
        "can_buy": admin_can(request.user, customer, AdminAction.PURCHASE),
        "can_move": admin_can(request.user, customer, AdminAction.MOVE_LICENSES),
        "locked": services.is_tenant_locked(customer),
        **extra,
    }


def _subscription_page(request, customer, subscription_id, exc: DomainError):
    """The subscription page again, with the refusal (its status: 400, 409, 423)."""
    subscription = selectors.admin_subscription_for(request.user, customer, subscription_id)
    context = _page(
        request,
        customer,
        subscription=subscription,
        addons=list(selectors.addons_of(subscription)),
        tab="details",
        error=exc.message,
        error_field=exc.field,
        requested_quantity=request.POST.get("quantity", ""),
    )
    return render(request, "admin_center/subscription.html", context, status=exc.http_status)


@tenant_view
@require_POST
def seats_change(request, customer, subscription_id):
    """Buy or remove licenses: the form on the subscription page posts the new total."""
    try:
        quote, _entry = seats.seats_change(
            actor=request.user,
            customer=customer,
            subscription_id=subscription_id,
            quantity=request.POST.get("quantity"),
        )
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        return _subscription_page(request, customer, subscription_id, exc)
    if quote.added:
        messages.success(
            request,
            _("Licenses: %(quantity)s. Charged today (prorated): %(amount)s %(currency)s; they end on %(end)s.")
            % {
                "quantity": quote.quantity,
                "amount": quote.amount,
                "currency": quote.currency,
                "end": quote.coterm_end,
            },
        )
    else:
        messages.success(
            request,
            _("Licenses: %(quantity)s. Credited (prorated): %(amount)s %(currency)s.")
            % {"quantity": quote.quantity, "amount": -quote.amount, "currency": quote.currency},
        )
    return redirect("direct:subscription", tenant_id=customer.tenant_id, subscription_id=subscription_id)


@tenant_view
@require_POST
def balance_pay(request, customer, subscription_id):
    """Pay the unpaid balance (the Upgrade tab's "pay it, then try again"); back to the Upgrade tab."""
    try:
        payment = payments.balance_pay(
            actor=request.user,
            customer=customer,
            subscription_id=subscription_id,
            amount=request.POST.get("amount") or None,
        )
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        return _subscription_page(request, customer, subscription_id, exc)
    messages.success(
        request,
        _("Payment received: %(amount)s %(currency)s (reference %(reference)s).")
        % {"amount": payment.amount, "currency": payment.currency, "reference": payment.reference},
    )
    return redirect("direct:upgrade", tenant_id=customer.tenant_id, subscription_id=subscription_id)


@tenant_view
@require_http_methods(["GET", "POST"])
def subscription_cancel(request, customer, subscription_id):
    """Manual path, last step: GET asks for confirmation; POST with ``confirm=yes`` cancels."""
    subscription = selectors.admin_subscription_for(request.user, customer, subscription_id)
    page = _page(request, customer, subscription=subscription)
    if request.method == "GET":
        return render(request, "admin_center/cancel_confirm.html", page)
    if request.POST.get("confirm") != "yes":
        page.update(error=_("Confirm that you want to cancel the subscription."), error_field="confirm")
        return render(request, "admin_center/cancel_confirm.html", page, status=400)
    try:
        services.subscription_cancel(actor=request.user, customer=customer, subscription_id=subscription_id)
    except (NotFound, Forbidden):
        raise  # the 404 / 403 page (core.middleware)
    except DomainError as exc:
        page.update(error=exc.message, error_field=exc.field)
        return render(request, "admin_center/cancel_confirm.html", page, status=exc.http_status)
    messages.success(request, _("The subscription is cancelled."))
    return redirect("direct:products", tenant_id=customer.tenant_id)


@tenant_view
def order_invoice(request, customer, order_id):
    """An order's invoice: Sold to, Billed to, Items in this order, the prorated charge and credit."""
    order = selectors.admin_order_for(request.user, customer, order_id)
    return render(request, "admin_center/invoice.html", _page(request, customer, invoice=invoices.order_invoice(order)))
