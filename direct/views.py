"""The customer admin center (thin views over ``direct.selectors``, ``direct.cart`` and ``direct.services``).

Scope: a customer admin sees their own tenant(s) only; any other tenant, subscription or order is a 404.
A write refused while one of the tenant's orders is open (credit check, queued, running) answers 423.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from subscriptions.models import SubscriptionStatus

from . import cart, selectors, services
from .forms import CartForm, CheckoutForm, LicenseMoveForm, PurchaseForm
from .permissions import AdminAction, admin_can


def tenant_view(view):
    """Resolve ``tenant_id`` inside the actor's admin scope and pass the customer on (a ``NotFound`` becomes the
    404 page in ``core.middleware.DomainErrorMiddleware``, like every domain error a page lets through)."""

    @login_required
    @wraps(view)
    def wrapper(request, tenant_id, *args, **kwargs):
        customer = selectors.admin_customer_for(request.user, tenant_id=tenant_id)
        return view(request, customer, *args, **kwargs)

    return wrapper


def _context(request, customer, **extra):
    return {
        "customer": customer,
        "can_buy": admin_can(request.user, customer, AdminAction.PURCHASE),
        "can_move": admin_can(request.user, customer, AdminAction.MOVE_LICENSES),
        "locked": services.tenant_lock(customer),
        **extra,
    }


def _refused(request, customer, exc: DomainError, template: str, context: dict, form=None):
    """Show a refused write on its page (423 while locked, 403 for roles, 400/409 otherwise). A fault that names
    one of ``form``'s fields (a bound form) is shown on that field, once, instead of above the page."""
    on_field = form is not None and form.is_bound and exc.field in form.fields
    if on_field:
        form.is_valid()  # cleaned_data exists before add_error
        form.add_error(exc.field, exc.message)
    context = {
        **_context(request, customer),
        **context,
        "error": None if on_field else exc.message,
        "reasons": getattr(exc, "reasons", None),
        "error_field": exc.field,
    }
    return render(request, template, context, status=exc.http_status)


def _invalid(request, customer, template: str, context: dict):
    """A form that did not validate: its own errors on its fields, a 400, nothing called."""
    return render(request, template, {**_context(request, customer), **context}, status=400)


@login_required
def tenant_list(request):
    customers = list(selectors.admin_customers_for(request.user))
    if len(customers) == 1:
        return redirect("direct:products", tenant_id=customers[0].tenant_id)
    return render(request, "admin_center/tenant_list.html", {"customers": customers})


@tenant_view
def products(request, customer):
    """Billing › Your products."""
    subscriptions = list(selectors.admin_subscriptions(request.user, customer))
    notices = {
        o.target_subscription_id: o
        for o in selectors.admin_orders(request.user, customer).filter(status="completed").exclude(completed_notice="")
    }
    for subscription in subscriptions:
        subscription.completed_order = notices.get(subscription.pk)
    open_orders = list(selectors.admin_orders(request.user, customer).open())
    return render(
        request,
        "admin_center/products.html",
        _context(request, customer, subscriptions=subscriptions, open_orders=open_orders, section="products"),
    )


@tenant_view
def subscription_detail(request, customer, subscription_id):
    subscription = selectors.admin_subscription_for(request.user, customer, subscription_id)
    return render(
        request,
        "admin_center/subscription.html",
        _context(
            request, customer, subscription=subscription, addons=list(selectors.addons_of(subscription)), tab="details"
        ),
    )


@tenant_view
def upgrade_tab(request, customer, subscription_id):
    subscription = selectors.admin_subscription_for(request.user, customer, subscription_id)
    tab = selectors.upgrade_tab_for(subscription)
    prices = selectors.upgrade_tab_prices(subscription, tab)
    return render(
        request,
        "admin_center/upgrade_tab.html",
        _context(
            request,
            customer,
            subscription=subscription,
            upgrade=tab,
            tab="upgrade",
            upgrades=[(v, prices.get(v.target.id)) for v in tab.upgrades],
            plan_changes=[(v, prices.get(v.target.id)) for v in tab.plan_changes],
            current_price=prices.get(subscription.offer_id),
        ),
    )


def _quote_or_error(subscription, target_offer_id, data):
    return cart.quote_upgrade(
        source=subscription,
        target_offer_id=target_offer_id,
        quantity=data.get("quantity") or None,
        billing_cycle=data.get("billing_cycle") or None,
    )


CART_FIELDS = ("quantity", "billing_cycle")
CART = "admin_center/cart.html"


def _cart_page(request, customer, subscription, target_offer_id, data):
    """The cart for ``data`` (licenses, payment frequency). A fault in one of those fields keeps the cart: the
    form shows what was typed with the fault on its field, the totals those of today's licenses. A target that
    isn't offered or is blocked shows its reasons instead. ``?fragment=items`` answers the totals alone (the
    page's script refreshes them as the license count changes)."""
    page = {"subscription": subscription, "target_offer_id": target_offer_id}
    submitted = any(name in data for name in CART_FIELDS)
    template = "admin_center/_items.html" if data.get("fragment") == "items" else CART
    fault = None
    try:
        quote = _quote_or_error(subscription, target_offer_id, data)
    except DomainError as exc:
        if exc.field not in CART_FIELDS:
            return _refused(request, customer, exc, "admin_center/cart.html", page)
        fault = exc
        try:
            quote = _quote_or_error(subscription, target_offer_id, {})
        except DomainError as other:
            return _refused(request, customer, other, "admin_center/cart.html", page)
    initial = {"quantity": quote.quantity, "billing_cycle": quote.billing_cycle}
    form = CartForm(
        {**initial, **{k: data[k] for k in CART_FIELDS if k in data}} if submitted else None, initial=initial
    )
    page.update(quote=quote, form=form, quote_fault=fault.message if fault else "", fragment=template != CART)
    if fault is not None:
        return _refused(request, customer, fault, template, page, form=form)
    return render(request, template, _context(request, customer, **page))


@tenant_view
def upgrade_cart(request, customer, subscription_id, target_offer_id):
    """Cart: licenses (never below today's), monthly or annual, the add-ons and what happens to them."""
    subscription = selectors.admin_subscription_for(request.user, customer, subscription_id)
    return _cart_page(request, customer, subscription, target_offer_id, request.GET)


@tenant_view
@require_http_methods(["GET", "POST"])
def upgrade_checkout(request, customer, subscription_id, target_offer_id):
    """Checkout: Sold to, Billed to, Items in this order, the credit (and any forfeit), Place order; a link back to
    the cart keeps the licenses and payment frequency chosen."""
    subscription = selectors.admin_subscription_for(request.user, customer, subscription_id)
    data = request.POST if request.method == "POST" else request.GET
    page = {"subscription": subscription, "target_offer_id": target_offer_id}
    try:
        if request.method == "POST":
            services.tenant_write_guard(customer=customer)  # a locked tenant's write is a 423 before any quote
        quote = _quote_or_error(subscription, target_offer_id, data)
    except DomainError as exc:
        if exc.field in CART_FIELDS:
            return _cart_page(request, customer, subscription, target_offer_id, data)
        return _refused(request, customer, exc, "admin_center/cart.html", page)
    form = CheckoutForm(
        data if request.method == "POST" else None,
        payment_methods=quote.payment_methods,
        initial={"quantity": quote.quantity, "billing_cycle": quote.billing_cycle},
    )
    page.update(quote=quote, form=form)
    if request.method == "POST":
        try:
            order = services.direct_upgrade_place(
                actor=request.user,
                customer=customer,
                subscription_id=subscription.pk,
                target_offer_id=target_offer_id,
                quantity=data.get("quantity"),
                billing_cycle=data.get("billing_cycle"),
                payment_method=data.get("payment_method", ""),
                confirm_forfeit=data.get("confirm_forfeit") in ("on", "true", "1"),
            )
        except DomainError as exc:
            return _refused(request, customer, exc, "admin_center/checkout.html", page, form=form)
        return redirect("direct:order", tenant_id=customer.tenant_id, order_id=order.pk)
    return render(request, "admin_center/checkout.html", _context(request, customer, **page))


ORDERS_PAGE_SIZE = 25


@tenant_view
def orders(request, customer):
    """Billing › Your orders: every order of the tenant, newest first, each with its status and invoice."""
    paginator = Paginator(
        selectors.admin_orders(request.user, customer).order_by("-placed_at", "-pk"), ORDERS_PAGE_SIZE
    )
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "admin_center/orders.html",
        _context(
            request,
            customer,
            orders=page.object_list,
            page_obj=page,
            paginator=paginator,
            is_paginated=paginator.num_pages > 1,
            section="orders",
        ),
    )


@tenant_view
def order_status(request, customer, order_id):
    """The order's status (an upgrade's or a purchase's): each step and its time."""
    order = selectors.admin_order_for(request.user, customer, order_id)
    return render(
        request, "admin_center/order.html", _context(request, customer, order=order, steps=selectors.order_steps(order))
    )


@tenant_view
@require_http_methods(["GET", "POST"])
def purchase(request, customer):
    """Manual path, step 1: buy a subscription."""
    offers = cart.purchasable_offers(customer)
    form = PurchaseForm(request.POST or None, offers=offers, initial={"billing_cycle": "monthly", "quantity": 1})
    if request.method == "POST":
        if not form.is_valid():
            return _invalid(request, customer, "admin_center/purchase.html", {"form": form})
        try:
            order = services.direct_purchase_place(
                actor=request.user,
                customer=customer,
                offer_id=request.POST.get("offer_id", ""),
                quantity=request.POST.get("quantity"),
                billing_cycle=request.POST.get("billing_cycle"),
                payment_method=request.POST.get("payment_method", ""),
            )
        except DomainError as exc:
            return _refused(request, customer, exc, "admin_center/purchase.html", {"form": form}, form=form)
        return redirect("direct:order", tenant_id=customer.tenant_id, order_id=order.pk)
    return render(request, "admin_center/purchase.html", _context(request, customer, form=form))


@tenant_view
@require_http_methods(["GET", "POST"])
def licenses_move(request, customer):
    """Manual path, step 3: move any number of selected users (or all) between subscriptions in one action."""
    subscriptions = [
        s
        for s in selectors.admin_subscriptions(request.user, customer)
        if s.status == SubscriptionStatus.ACTIVE and s.parent_id is None
    ]
    source_id = request.POST.get("source_id") or request.GET.get("source_id") or ""
    users = selectors.assigned_users(customer, source_id) if source_id else []
    form = LicenseMoveForm(
        request.POST or None, subscriptions=subscriptions, users=users, initial={"source_id": source_id}
    )
    page = {"form": form, "users": users, "source_id": source_id}
    if request.method == "POST":
        try:
            result = services.licenses_move(
                actor=request.user,
                customer=customer,
                source_id=source_id,
                target_id=request.POST.get("target_id"),
                user_ids=request.POST.getlist("user_ids"),
                all_users=request.POST.get("all_users") in ("on", "true"),
            )
        except DomainError as exc:
            return _refused(request, customer, exc, "admin_center/licenses_move.html", page)
        messages.success(request, _("%(count)s users moved.") % {"count": result.moved})
        return redirect("direct:products", tenant_id=customer.tenant_id)
    return render(request, "admin_center/licenses_move.html", _context(request, customer, **page))
