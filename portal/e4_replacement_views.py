"""The partner's "Replace Office 365 E4" flow for a CSP-sold E4 (domain.md §6): choose the replacement and the
seats → review → submit (``direct.partner_e4.csp_e4_replace``) → result.

Thin adapters: the options, the minimum seats and every refusal are ``direct.partner_e4``'s. Scoped like the
upgrade wizard (``portal.access.upgrade_source_for``): another partner's customer or subscription → 404, a role
without the upgrade capability → 403. The form state travels in the query string (choose → review) and in
hidden fields (the submit); a second submit finds the E4 suspended and says so.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from direct.partner_e4 import (
    csp_e4_replace,
    deprovision_date,
    e4_replacement_options,
    replacement_billing_preview,
)
from subscriptions.models import Channel, Subscription, SubscriptionStatus
from subscriptions.selectors import subscriptions_visible_to

from .access import partner_page, upgrade_source_for
from .e4_replacement_forms import E4ReplacementForm

# The service names its inputs in Python; the form names them as fields (None: the whole form).
FORM_FIELDS = {"target_offer_id": "target", "quantity": "quantity"}


def _url(name, source, **params) -> str:
    url = reverse(f"portal:{name}", kwargs={"tenant_id": source.customer.tenant_id, "subscription_id": source.pk})
    return f"{url}?{urlencode(params)}" if params else url


def _render_choose(request, customer, options, form, status=200):
    context = {"customer": customer, "source": options.source, "options": options, "form": form}
    context["review_url"] = _url("e4_replacement_review", options.source)
    return render(request, "portal/e4_replacement/choose.html", context, status=status)


@partner_page
@require_http_methods(["GET"])
def e4_replacement(request, tenant_id, subscription_id):
    """Step 1: the replacement offers (or why this subscription is not replaced this way) and the seats
    (``?target=&quantity=``: back from the review, the form shows them)."""
    customer, source = upgrade_source_for(request, tenant_id, subscription_id)
    options = e4_replacement_options(actor=request.user, subscription=source)
    form = E4ReplacementForm(options=options)
    for name in ("target", "quantity"):  # back from the review: the choice made
        if request.GET.get(name):
            form.initial[name] = request.GET[name][:64]
    return _render_choose(request, customer, options, form)


@partner_page
@require_http_methods(["GET", "POST"])
def e4_replacement_review(request, tenant_id, subscription_id):
    """GET: what will happen (bought, reassigned, suspended, deprovisioned on). POST: replace → the result."""
    customer, source = upgrade_source_for(request, tenant_id, subscription_id)
    options = e4_replacement_options(actor=request.user, subscription=source)
    data = request.POST if request.method == "POST" else request.GET
    form = E4ReplacementForm(data, options=options)
    if not options.is_eligible or not form.is_valid():
        return _render_choose(request, customer, options, form, status=400)
    target = options.target(form.cleaned_data["target"])
    quantity = form.cleaned_data["quantity"]
    if request.method == "POST":
        try:
            result = csp_e4_replace(
                actor=request.user, subscription_id=source.pk, target_offer_id=target.offer.pk, quantity=quantity
            )
        except DomainError as exc:
            form.add_error(FORM_FIELDS.get(exc.field or ""), exc.message)
            return _render_choose(request, customer, options, form, status=400)
        return redirect(_url("e4_replacement_result", source, replacement=str(result.target.pk)))
    context = {
        "customer": customer,
        "source": source,
        "options": options,
        "target": target,
        "quantity": quantity,
        "total": target.unit_price * quantity if target.unit_price is not None else None,
        "billing": replacement_billing_preview(source=source, target_offer=target.offer, quantity=quantity),
        "form": form,
        "back_url": _url("e4_replacement", source, target=target.offer.pk, quantity=quantity),
    }
    return render(request, "portal/e4_replacement/review.html", context)


@partner_page
@require_http_methods(["GET"])
def e4_replacement_result(request, tenant_id, subscription_id):
    """The replaced E4 (suspended, its deprovision date) and, named in ``?replacement=``, its replacement."""
    customer, source = upgrade_source_for(request, tenant_id, subscription_id)
    if source.channel != Channel.CSP or not source.offer.retired or source.suspended_at is None:
        raise Http404(_("This subscription was not replaced."))
    replacement = None
    replacement_id = request.GET.get("replacement", "")
    if replacement_id:
        try:
            replacement = (
                subscriptions_visible_to(request.user)
                .filter(customer=customer)
                .select_related("offer")
                .get(pk=replacement_id)
            )
        except (Subscription.DoesNotExist, ValidationError, ValueError):
            replacement = None
    context = {
        "customer": customer,
        "source": source,
        "replacement": replacement,
        "deprovision_on": deprovision_date(source.suspended_at),
        "deprovisioned": source.status == SubscriptionStatus.DELETED,
    }
    return render(request, "portal/e4_replacement/result.html", context)
