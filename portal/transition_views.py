"""The new commerce upgrade wizard (domain.md §8): a transition now, or a change scheduled for the renewal.

Thin adapters: the targets and their reasons are ``commerce.selectors.transition_eligibilities_for``'s, the
review is ``commerce.preview.transition_preview`` (the service's own plan and billing, no write), the submit is
``commerce.services.subscription_transition`` or ``subscriptions.services.subscription_update`` (scheduled
changes). State lives in the query string (steps 1–3) and in hidden fields (the submit); a per-session token makes
a double submit land on the first submit's result. A legacy subscription is sent to the legacy wizard.

Steps: 1 ``upgrade/nce/`` when and the target → 2 ``upgrade/nce/details/`` → 3 ``upgrade/nce/review/`` (GET
review, POST submit) → ``/transitions/<id>/`` or ``upgrade/nce/scheduled/`` the result.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from catalog.models import TermDuration
from commerce.models import Transition
from commerce.preview import transition_preview
from commerce.rules import is_shorter_term
from commerce.selectors import transition_eligibilities_for, transition_for
from commerce.services import TransitionNotEligible, subscription_transition
from commerce.types import TransitionType
from core.errors import DomainError, InvalidInput, NotFound
from customers.models import Customer
from subscriptions.models import LicenseAssignment, Subscription
from subscriptions.services import instructions_check, instructions_target, subscription_update

from .access import partner_page, upgrade_source_for
from .transition_forms import (
    IMMEDIATE,
    SCHEDULED,
    ImmediateDetailsForm,
    ImmediateSubmitForm,
    ScheduledDetailsForm,
    ScheduledSubmitForm,
    TransitionTargetForm,
)

SESSION_KEY = "portal_transition_submissions"
KEEP_SUBMISSIONS = 20
WHEN = (IMMEDIATE, SCHEDULED)


class LegacySource(Exception):
    """The subscription is a legacy one: the legacy wizard handles it."""


def source_for(request, tenant_id, subscription_id) -> tuple[Customer, Subscription]:
    """404 outside the actor's scope, 403 when its role cannot upgrade (the legacy wizard's order)."""
    customer, source = upgrade_source_for(request, tenant_id, subscription_id)
    if not source.is_new_commerce:
        raise LegacySource
    return customer, source


def wizard_page(view):
    """``partner_page`` + the source looked up (``customer, source`` passed on); a legacy source → legacy wizard."""

    @partner_page
    def wrapper(request, tenant_id, subscription_id):
        try:
            customer, source = source_for(request, tenant_id, subscription_id)
        except LegacySource:
            return redirect("portal:upgrade_targets", tenant_id=tenant_id, subscription_id=subscription_id)
        return view(request, customer, source)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def wizard_url(name, source, **params) -> str:
    url = reverse(f"portal:{name}", kwargs={"tenant_id": source.customer.tenant_id, "subscription_id": source.pk})
    params = {k: v for k, v in params.items() if v not in (None, "", [])}
    return f"{url}?{urlencode(params, doseq=True)}" if params else url


def base_context(customer, source, step, when=IMMEDIATE) -> dict:
    return {
        "customer": customer,
        "source": source,
        "step": step,
        "when": when,
        "step1_url": wizard_url("transition_targets", source, when=when),
    }


def eligibilities(request, customer, source, when):
    return transition_eligibilities_for(
        actor=request.user, customer_tenant_id=customer.tenant_id, subscription_id=source.pk, eligibility_type=when
    )


def is_choosable(item, when) -> bool:
    """Now: a target either transition type can reach; at renewal: the change itself (transition only)."""
    if when == SCHEDULED:
        return item.of_type(TransitionType.TRANSITION_ONLY).is_eligible
    return any(e.is_eligible for e in item.eligibilities)


def reasons(item, when):
    """Every reason of a greyed target (its transition-only errors, else the license transfer's)."""
    errors = item.of_type(TransitionType.TRANSITION_ONLY).errors
    return errors or item.of_type(TransitionType.TRANSITION_WITH_LICENSE_TRANSFER).errors


# --- step 1 ---------------------------------------------------------------------------------------------------------


def render_targets(request, customer, source, when, *, items=None, form=None, blocked=(), blocked_item="", status=200):
    items = eligibilities(request, customer, source, when) if items is None else items
    options = [
        {"item": item, "eligible": is_choosable(item, when), "errors": reasons(item, when), "target": item.target}
        for item in items
    ]
    context = base_context(customer, source, 1, when)
    context.update(
        options=options,
        has_eligible=any(o["eligible"] for o in options),
        form=form
        or TransitionTargetForm(
            initial={"when": when}, eligible_items=[o["target"].catalog_item_id for o in options if o["eligible"]]
        ),
        blocked=blocked,
        blocked_item=blocked_item,
        when_urls={w: wizard_url("transition_targets", source, when=w) for w in WHEN},
        has_scheduled_changes=source.scheduled_next_term_instructions is not None,
    )
    return render(request, "portal/transition/step_targets.html", context, status=status)


@wizard_page
def transition_targets(request, customer, source):
    when = request.GET.get("when") or IMMEDIATE
    if when not in WHEN:
        form = TransitionTargetForm({"when": when, "target": request.GET.get("target", "")})
        form.is_valid()
        return render_targets(request, customer, source, IMMEDIATE, form=form, status=400)
    if "chosen" not in request.GET:
        return render_targets(request, customer, source, when)
    items = eligibilities(request, customer, source, when)
    target = request.GET.get("target", "")
    item = next((i for i in items if i.target.catalog_item_id == target), None)
    if item is not None and not is_choosable(item, when):
        return render_targets(
            request, customer, source, when, items=items, blocked=reasons(item, when), blocked_item=target, status=409
        )
    eligible = [i.target.catalog_item_id for i in items if is_choosable(i, when)]
    form = TransitionTargetForm(request.GET, eligible_items=eligible)
    if form.is_valid():
        return redirect(wizard_url("transition_details", source, when=when, target=form.cleaned_data["target"]))
    return render_targets(request, customer, source, when, items=items, form=form, status=400)


# --- step 2 ---------------------------------------------------------------------------------------------------------


class Chosen:
    """The chosen target's eligibility and the choices step 2 offers for it."""

    def __init__(self, request, customer, source, when, target):
        self.when = when
        self.items = eligibilities(request, customer, source, when)
        self.item = next((i for i in self.items if i.target.catalog_item_id == target), None)
        self.source = source
        self.users: list = []

    @property
    def target(self):
        return self.item.target

    def form_kwargs(self) -> dict:
        target = self.item.target
        terms = [t for t in TermDuration.values if t in target.terms]
        if self.when == SCHEDULED:
            return {"terms": terms}
        if not self.users and any(
            e.is_eligible for e in self.item.eligibilities if e.transition_type != TransitionType.TRANSITION_ONLY
        ):
            self.users = [
                a.user
                for a in LicenseAssignment.objects.filter(subscription_id=self.source.pk)
                .select_related("user")
                .order_by("-assigned", "-pk")
            ]
        return {
            "source_quantity": self.source.quantity,
            "merge_ids": [m.subscription.id for m in self.item.subscription_eligibilities if m.is_eligible],
            "types": [e.transition_type for e in self.item.eligibilities if e.is_eligible],
            "terms": [t for t in terms if not is_shorter_term(t, self.source.term_duration)],
            "users": self.users,
        }

    def form(self, data=None, *, submit=False, initial=None):
        if self.when == SCHEDULED:
            cls = ScheduledSubmitForm if submit else ScheduledDetailsForm
        else:
            cls = ImmediateSubmitForm if submit else ImmediateDetailsForm
        return cls(data, initial=initial, **self.form_kwargs())


def chosen_or_step1(request, customer, source, params):
    """The chosen target, or step 1 rendered: 400 for a bad ``when``/unknown target, 409 for a blocked one."""
    when = params.get("when") or IMMEDIATE
    target = params.get("target", "")
    if when not in WHEN:
        form = TransitionTargetForm({"when": when, "target": target})
        form.is_valid()
        return None, render_targets(request, customer, source, IMMEDIATE, form=form, status=400)
    chosen = Chosen(request, customer, source, when, target)
    if chosen.item is None:
        form = TransitionTargetForm({"when": when, "target": target}, eligible_items=())
        form.is_valid()
        return None, render_targets(request, customer, source, when, items=chosen.items, form=form, status=400)
    if not is_choosable(chosen.item, when):
        blocked = reasons(chosen.item, when)
        page = render_targets(
            request, customer, source, when, items=chosen.items, blocked=blocked, blocked_item=target, status=409
        )
        return None, page
    return chosen, None


def render_details(request, customer, source, chosen, form, status=200):
    context = base_context(customer, source, 2, chosen.when)
    context.update(
        chosen=chosen,
        item=chosen.item,
        target=chosen.target,
        form=form,
        merge_targets=chosen.item.subscription_eligibilities,
        review_url=wizard_url("transition_review", source),
        details_url=None,
    )
    template = "step_scheduled.html" if chosen.when == SCHEDULED else "step_immediate.html"
    return render(request, f"portal/transition/{template}", context, status=status)


def initial_for(source, chosen, params) -> dict:
    """Step 2's initial values: those carried back from the review, else the source's."""
    if chosen.when == SCHEDULED:
        planned = (source.scheduled_next_term_instructions or {}).get("product", {})
        return {
            "when": SCHEDULED,
            "target": chosen.target.catalog_item_id,
            "quantity": params.get("quantity") or source.quantity,
            "term_duration": params.get("term_duration") or planned.get("termDuration") or source.term_duration,
            "billing_cycle": params.get("billing_cycle") or planned.get("billingCycle") or source.billing_cycle,
            "custom_term_end_date": params.get("custom_term_end_date") or None,
        }
    types = [e.transition_type for e in chosen.item.eligibilities if e.is_eligible]
    return {
        "when": IMMEDIATE,
        "target": chosen.target.catalog_item_id,
        "quantity": params.get("quantity") or source.quantity,
        "into": params.get("into") or "new",
        "transition_type": params.get("transition_type") or types[0],
        "term_duration": params.get("term_duration") or "",
        "billing_cycle": params.get("billing_cycle") or "",
        "users": params.getlist("users") if hasattr(params, "getlist") else [],
    }


@wizard_page
def transition_details(request, customer, source):
    chosen, refused = chosen_or_step1(request, customer, source, request.GET)
    if refused:
        return refused
    form = chosen.form(initial=initial_for(source, chosen, request.GET))
    return render_details(request, customer, source, chosen, form)


# --- step 3: review and submit --------------------------------------------------------------------------------------


def immediate_preview(request, customer, source, chosen, form):
    """(preview, None) or (None, the page the refusal shows)."""
    try:
        return transition_preview(
            actor=request.user,
            subscription_id=source.pk,
            customer_tenant_id=customer.tenant_id,
            **form.service_arguments(),
        ), None
    except NotFound:
        raise
    except TransitionNotEligible as exc:
        target = chosen.target.catalog_item_id
        return None, render_targets(
            request, customer, source, chosen.when, blocked=exc.errors, blocked_item=target, status=409
        )
    except InvalidInput as exc:
        form.add_service_error(exc)
        return None, render_details(request, customer, source, chosen, form, status=400)


def scheduled_check(request, customer, source, chosen, form):
    """(normalised instructions, None) or (None, step 2 with the error next to its field)."""
    try:
        return instructions_check(
            actor=request.user, subscription=source, instructions=form.instructions(), required=False
        ), None
    except InvalidInput as exc:
        form.add_service_error(exc)
        return None, render_details(request, customer, source, chosen, form, status=400)


def render_review(
    request, customer, source, chosen, form_data, *, preview=None, instructions=None, submit=None, status=200
):
    context = base_context(customer, source, 3, chosen.when)
    params = {
        k: form_data.getlist(k) if k == "users" else form_data.get(k)
        for k in form_data
        if k not in ("submission", "confirm_deletion", "csrfmiddlewaretoken")
    }
    if submit is None:
        submit = chosen.form(submit=True, initial={**{k: v for k, v in params.items()}, "submission": uuid.uuid4()})
    context.update(
        chosen=chosen,
        target=chosen.target,
        preview=preview,
        instructions=instructions,
        form=submit,
        details_url=wizard_url("transition_details", source, **params),
        warn_deletion=chosen.when == IMMEDIATE and source.scheduled_next_term_instructions is not None,
    )
    template = "review_scheduled.html" if chosen.when == SCHEDULED else "review_immediate.html"
    return render(request, f"portal/transition/{template}", context, status=status)


@wizard_page
@require_http_methods(["GET", "POST"])
def transition_review(request, customer, source):
    params = request.POST if request.method == "POST" else request.GET
    if request.method == "POST":  # the same review submitted again: the first submit's outcome (the source may
        done = request.session.get(SESSION_KEY, {})  # be cancelled by now, its eligibility gone)
        if params.get("submission", "") in done:
            return redirect_to_result(source, done[params["submission"]])
    chosen, refused = chosen_or_step1(request, customer, source, params)
    if refused:
        return refused
    if request.method == "POST":
        return submit(request, customer, source, chosen)
    form = chosen.form(request.GET)
    if not form.is_valid():
        return render_details(request, customer, source, chosen, form, status=400)
    if chosen.when == SCHEDULED:
        instructions, refused = scheduled_check(request, customer, source, chosen, form)
        if refused:
            return refused
        return render_review(request, customer, source, chosen, request.GET, instructions=instructions)
    preview, refused = immediate_preview(request, customer, source, chosen, form)
    if refused:
        return refused
    return render_review(request, customer, source, chosen, request.GET, preview=preview)


def submit(request, customer, source, chosen):
    form = chosen.form(request.POST, submit=True)
    if not form.is_valid():
        if "submission" in form.errors and len(form.errors) == 1:
            messages.error(request, _("The request was incomplete; review it again."))
        details = chosen.form(request.POST)
        details.is_valid()
        for name, errors in form.errors.items():
            if name in details.fields and name not in details.errors:
                details.add_error(name, errors)
        return render_details(request, customer, source, chosen, details, status=400)
    done = request.session.get(SESSION_KEY, {})
    token = str(form.cleaned_data["submission"])
    if token in done:  # the same review submitted again: the first submit's outcome
        return redirect_to_result(source, done[token])
    if chosen.when == SCHEDULED:
        instructions, refused = scheduled_check(request, customer, source, chosen, form)
        if refused:
            return refused
        try:
            subscription_update(
                actor=request.user,
                subscription=source,
                changes={"scheduled_next_term_instructions": instructions},
                correlation_id=request.headers.get("X-Request-Id", ""),
            )
        except InvalidInput as exc:
            form.add_service_error(exc)
            return render_details(request, customer, source, chosen, form, status=400)
        outcome = {"scheduled": str(source.pk)}
    else:
        preview, refused = immediate_preview(request, customer, source, chosen, form)
        if refused:
            return refused
        if preview.removed_scheduled_changes is not None and not form.cleaned_data.get("confirm_deletion"):
            form.add_error(
                "confirm_deletion", _("Confirm that the subscription's scheduled changes at renewal are deleted.")
            )
            return render_review(
                request, customer, source, chosen, request.POST, preview=preview, submit=form, status=400
            )
        try:
            row = subscription_transition(
                actor=request.user,
                subscription_id=source.pk,
                customer_tenant_id=customer.tenant_id,
                request_id=request.headers.get("X-Request-Id", ""),
                **form.service_arguments(),
            )
        except NotFound:
            raise
        except TransitionNotEligible as exc:  # re-checked under lock: changed meanwhile
            return render_targets(request, customer, source, IMMEDIATE, blocked=exc.errors, status=409)
        except InvalidInput as exc:
            form.add_service_error(exc)
            return render_details(request, customer, source, chosen, form, status=400)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(wizard_url("transition_targets", source))
        outcome = {"transition": str(row.pk)}
    done[token] = outcome
    request.session[SESSION_KEY] = dict(list(done.items())[-KEEP_SUBMISSIONS:])
    return redirect_to_result(source, outcome)


def redirect_to_result(source, outcome):
    if "transition" in outcome:
        return redirect("portal:transition_result", transition_id=outcome["transition"])
    return redirect(wizard_url("transition_scheduled", source))


# --- results --------------------------------------------------------------------------------------------------------


@partner_page
def transition_result(request, transition_id):
    try:
        row = transition_for(actor=request.user, transition_id=transition_id)
    except Transition.DoesNotExist:
        raise Http404(_("No transition with this id is visible to you.")) from None
    return render(
        request,
        "portal/transition/result.html",
        {"transition": row, "history": row.history, "customer": row.customer, "source": row.source},
    )


@wizard_page
def transition_scheduled(request, customer, source):
    instructions = source.scheduled_next_term_instructions
    return render(
        request,
        "portal/transition/scheduled.html",
        {
            "customer": customer,
            "source": source,
            "instructions": instructions,
            "target_offer": instructions_target(instructions) if instructions else None,
        },
    )
