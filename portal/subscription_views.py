"""A subscription's page: its seats, assigned users, channel, term, upgrade operations and audit history, and a
seats form that changes the quantity only through ``subscriptions.services.subscription_update`` (the /v1/
PATCH's service), within the role's rights."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import InvalidInput
from customers.models import Customer
from customers.selectors import acting_partner_id, customer_for
from partners.roles import Capability, can, require
from subscriptions.models import Subscription, SubscriptionStatus
from subscriptions.services import subscription_update

from .access import partner_page
from .forms import SubscriptionSeatsForm
from .subscription_selectors import (
    ASSIGNMENTS_SHOWN,
    assignments_of_subscription,
    audit_records_about_subscription,
    subscription_detail_for,
    upgrade_operations_of_subscription,
)


def _customer_and_subscription(user, tenant_id, subscription_id) -> tuple[Customer, Subscription]:
    try:
        customer = customer_for(user, tenant_id=tenant_id)
    except Customer.DoesNotExist:
        raise Http404(_("No customer with this tenant id is visible to you.")) from None
    try:
        subscription = subscription_detail_for(user, customer, subscription_id=subscription_id)
    except Subscription.DoesNotExist:
        raise Http404(_("No subscription with this id is visible to you.")) from None
    return customer, subscription


@partner_page
@require_http_methods(["GET", "POST"])
def subscription_detail(request, tenant_id, subscription_id):
    """GET: the page. POST: change the seats (403 without the capability; bad input → the form's field error,
    400)."""
    user = request.user
    customer, subscription = _customer_and_subscription(user, tenant_id, subscription_id)
    may_change_seats = can(user, Capability.MANAGE_SUBSCRIPTIONS)
    # Seats are changed here for subscriptions sold through a managed CSP partner only (as the /v1/ PATCH):
    # direct and volume-licensing ones are the customer's with Microsoft (an operator sees them, read-only).
    sold_here = subscription.is_sold_by()
    status = 200
    form = None
    if request.method == "POST":
        require(user, Capability.MANAGE_SUBSCRIPTIONS)
        form = SubscriptionSeatsForm(request.POST)
        if not sold_here:
            form.add_error(None, _("Only the seats of a subscription sold through a CSP partner are changed here."))
        elif form.is_valid():
            try:
                subscription_update(
                    actor=user,
                    subscription=subscription,
                    changes={"quantity": form.cleaned_data["quantity"]},
                    correlation_id=request.headers.get("MS-CorrelationId", ""),
                )
            except InvalidInput as exc:
                form.add_error("quantity" if exc.field == "quantity" else None, exc.message)
            else:
                messages.success(request, _("Seats set to %(n)d.") % {"n": form.cleaned_data["quantity"]})
                return redirect(request.path)
        status = 400
    elif may_change_seats and sold_here and subscription.status == SubscriptionStatus.ACTIVE:
        form = SubscriptionSeatsForm(initial={"quantity": subscription.quantity})
    assignments = assignments_of_subscription(user, subscription)
    context = {
        "customer": customer,
        "subscription": subscription,
        "assignments": assignments,
        "assignments_hidden": max(subscription.assigned_count - len(assignments), 0),
        "assignments_shown": ASSIGNMENTS_SHOWN,
        "operations": list(upgrade_operations_of_subscription(user, subscription)),
        "audit_records": audit_records_about_subscription(user, subscription),
        "form": form,
        "sold_here": sold_here,
        "is_partner_user": acting_partner_id(user) is not None,
    }
    return render(request, "portal/subscription_detail.html", context, status=status)
