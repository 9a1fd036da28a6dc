"""The "Upgrade now" wizard, the upgrade result page and the upgrades list (domain.md §5).

Thin adapters: every decision is the upgrades app's (``upgrades.selectors`` for the options,
``upgrades.preview`` for the review, ``upgrades.services`` for the upgrade, ``upgrades.policies`` for whether
it runs in the background). The wizard keeps its state in the query string (steps 1–3) and in hidden fields
(the submit); a per-session token makes a double submit land on the first submit's result instead of upgrading
twice.

Steps: 1 ``upgrade/`` choose the target → 2 ``upgrade/details/`` seats and billing cycle → 3
``upgrade/review/`` review (GET) and submit (POST) → ``/upgrades/<operation id>/`` the result.
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
from django.views.generic import ListView

from catalog.models import BillingCycle
from core.errors import DomainError, NotFound
from delegation.selectors import delegated_access
from upgrades.approval_services import subscription_upgrade_request
from upgrades.eligibility.types import UpgradeErrorCode
from upgrades.exceptions import UpgradeNotEligible
from upgrades.models import OperationStatus, UpgradeOperation
from upgrades.policies import runs_in_background
from upgrades.preview import target_choice_for, upgrade_preview
from upgrades.results import UpgradeResult
from upgrades.selectors import source_upgrade_errors, upgrade_operation_for, upgrade_options_for
from upgrades.steps import SOURCE_STATUS_AFTER_UPGRADE, SOURCE_STATUS_AFTER_UPGRADE_LABEL

from .access import PartnerPageMixin, partner_page, upgrade_source_for
from .forms import UpgradeDetailsForm, UpgradeFilterForm, UpgradeSubmitForm, UpgradeTargetForm
from .selectors import (
    family_names,
    upgrade_made_from,
    upgrade_operation_page_rows,
    upgrade_operation_rows_for,
    upgrade_target_choices_for,
)

SESSION_KEY = "portal_upgrade_submissions"
CHOSEN = "chosen"  # step 1's hidden marker: the form was submitted (with or without a target)
KEEP_SUBMISSIONS = 20


def _wizard_url(name, source, **params) -> str:
    url = reverse(f"portal:{name}", kwargs={"tenant_id": source.customer.tenant_id, "subscription_id": source.pk})
    return f"{url}?{urlencode(params)}" if params else url


def _base_context(customer, source, step) -> dict:
    return {"customer": customer, "source": source, "step": step, "step1_url": _wizard_url("upgrade_targets", source)}


def _render_targets(request, customer, source, *, form=None, blocked=(), blocked_target=None, options=None, status=200):
    """Step 1: every target of the matrix; ``blocked``: the reasons a choice or a submit was refused
    (``blocked_target``: the offer chosen, when the refusal is about it rather than a change meanwhile)."""
    if options is None:
        options = upgrade_options_for(actor=request.user, subscription=source.pk)
    access = delegated_access(partner_id=source.partner_id, customer_id=customer.pk, user=request.user)
    eligible = [option.target_offer.pk for option in options if option.is_eligible]
    context = _base_context(customer, source, 1)
    context.update(
        options=options,
        access=access,
        blocked=blocked,
        blocked_target=blocked_target,
        has_eligible=bool(eligible),
        form=form or UpgradeTargetForm(eligible_ids=eligible),
        source_errors=source_upgrade_errors(actor=request.user, subscription=source.pk) if not options else (),
        reader_roles=sorted(access.roles),
    )
    return render(request, "portal/upgrade/step_targets.html", context, status=status)


@partner_page
def upgrade_targets(request, tenant_id, subscription_id):
    customer, source = upgrade_source_for(request, tenant_id, subscription_id)
    if "target" not in request.GET and CHOSEN not in request.GET:
        return _render_targets(request, customer, source)
    options = upgrade_options_for(actor=request.user, subscription=source.pk)
    target_id = request.GET.get("target", "")
    option = next((o for o in options if o.target_offer.pk == target_id), None)
    if option is not None and not option.is_eligible:
        return _render_targets(
            request, customer, source, blocked=option.errors, blocked_target=option.target_offer, status=409
        )
    form = UpgradeTargetForm(request.GET, eligible_ids=[o.target_offer.pk for o in options if o.is_eligible])
    if form.is_valid():
        return redirect(_wizard_url("upgrade_details", source, target=form.cleaned_data["target"]))
    return _render_targets(request, customer, source, form=form, options=options, status=400)


def _render_details(request, customer, source, choice, form, status=200):
    context = _base_context(customer, source, 2)
    context.update(
        choice=choice,
        option=choice.option,
        target_offer=choice.option.target_offer,
        form=form,
        reader_roles=sorted(choice.delegated_roles),
        review_url=_wizard_url("upgrade_review", source),
    )
    return render(request, "portal/upgrade/step_details.html", context, status=status)


def _choice_or_step1(request, customer, source, target_id):
    """The chosen target's option, or step 1 (rendered): 400 with the error beside the choice when the target
    is not an upgrade path of the source, 409 with its eligibility reasons when it is blocked."""
    choice = target_choice_for(actor=request.user, subscription=source.pk, target_offer_id=target_id)
    if choice.option.is_eligible:
        return choice, None
    if UpgradeErrorCode.SUBSCRIPTION_TARGET_OFFER_NOT_FOUND in choice.option.error_codes or not target_id:
        form = UpgradeTargetForm({"target": target_id}, eligible_ids=())
        form.is_valid()
        return None, _render_targets(request, customer, source, form=form, status=400)
    blocked = _render_targets(
        request, customer, source, blocked=choice.option.errors, blocked_target=choice.option.target_offer, status=409
    )
    return None, blocked


def _finished_upgrade(request, source):
    """A redirect to the result of the upgrade already made (or running) from ``source``, or None."""
    operation = upgrade_made_from(request.user, source)
    return redirect("portal:upgrade_result", operation_id=operation.pk) if operation else None


def _prefill(request, source, choice) -> dict:
    """Step 2's initial seats and cycle: those carried back from the review, else the source's."""
    cycle = request.GET.get("billing_cycle", "")
    if cycle not in choice.billing_cycles:
        cycle = source.billing_cycle if source.billing_cycle in choice.billing_cycles else choice.billing_cycles[0]
    quantity = request.GET.get("quantity", "")
    quantity = int(quantity) if quantity.isdigit() and int(quantity) >= source.quantity else source.quantity
    return {"quantity": quantity, "billing_cycle": cycle}


@partner_page
def upgrade_details(request, tenant_id, subscription_id):
    customer, source = upgrade_source_for(request, tenant_id, subscription_id)
    finished = _finished_upgrade(request, source)
    if finished:
        return finished
    choice, refused = _choice_or_step1(request, customer, source, request.GET.get("target", ""))
    if refused:
        return refused
    form = UpgradeDetailsForm(
        initial={"target": request.GET["target"], **_prefill(request, source, choice)},
        billing_cycles=choice.billing_cycles,
        source_quantity=source.quantity,
    )
    return _render_details(request, customer, source, choice, form)


@partner_page
@require_http_methods(["GET", "POST"])
def upgrade_review(request, tenant_id, subscription_id):
    customer, source = upgrade_source_for(request, tenant_id, subscription_id)
    if request.method == "POST":
        return _submit(request, customer, source)
    finished = _finished_upgrade(request, source)
    if finished:
        return finished
    choice, refused = _choice_or_step1(request, customer, source, request.GET.get("target", ""))
    if refused:
        return refused
    form = UpgradeDetailsForm(request.GET, billing_cycles=choice.billing_cycles, source_quantity=source.quantity)
    if not form.is_valid():
        return _render_details(request, customer, source, choice, form, status=400)
    data = form.cleaned_data
    try:
        preview = upgrade_preview(
            actor=request.user,
            subscription=source.pk,
            target_offer_id=data["target"],
            quantity=data["quantity"],
            billing_cycle=data["billing_cycle"],
        )
    except NotFound:
        raise
    except UpgradeNotEligible as exc:
        return _render_targets(
            request, customer, source, blocked=exc.errors, blocked_target=choice.option.target_offer, status=409
        )
    except DomainError as exc:  # InvalidUpgradeInput / Forbidden: next to the field it names
        form.add_service_error(exc)
        return _render_details(request, customer, source, choice, form, status=400)
    submit = UpgradeSubmitForm(initial={**data, "submission": uuid.uuid4()}, billing_cycles=BillingCycle.values)
    context = _base_context(customer, source, 3)
    context.update(
        preview=preview,
        form=submit,
        target_offer=preview.target_offer,
        reader_roles=sorted(preview.delegated_roles),
        details_url=_wizard_url(
            "upgrade_details",
            source,
            target=data["target"],
            quantity=data["quantity"],
            billing_cycle=data["billing_cycle"],
        ),
        runs_in_background=runs_in_background(assigned=preview.assigned_users),
        family_names=family_names(),
        source_after_label=SOURCE_STATUS_AFTER_UPGRADE_LABEL,
    )
    return render(request, "portal/upgrade/step_review.html", context)


def _submit(request, customer, source):
    form = UpgradeSubmitForm(request.POST, billing_cycles=BillingCycle.values)
    if not form.is_valid():
        messages.error(request, _("The upgrade request was incomplete; check the seats and billing cycle."))
        return redirect(_wizard_url("upgrade_details", source, target=request.POST.get("target", "")))
    data = form.cleaned_data
    done = request.session.get(SESSION_KEY, {})
    token = str(data["submission"])
    if token in done:  # the same review page submitted again: show the first submit's outcome
        return redirect("portal:upgrade_result", operation_id=done[token])
    finished = _finished_upgrade(request, source)  # Back to a review after the upgrade was made
    if finished:
        return finished
    arguments = {
        "actor": request.user,
        "subscription_id": source.pk,
        "target_offer_id": data["target"],
        "quantity": data["quantity"],
        "billing_cycle": data["billing_cycle"],
        "request_id": request.headers.get("X-Request-Id", ""),
    }
    try:
        # above the partner's approval threshold the operation waits (its result page says so)
        operation_id = subscription_upgrade_request(
            **arguments, respond_async=runs_in_background(subscription=source)
        ).operation_id
    except NotFound:
        raise
    except UpgradeNotEligible as exc:
        return _render_targets(request, customer, source, blocked=exc.errors, status=409)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(
            _wizard_url(
                "upgrade_review",
                source,
                target=data["target"],
                quantity=data["quantity"],
                billing_cycle=data["billing_cycle"],
            )
        )
    done[token] = operation_id
    request.session[SESSION_KEY] = dict(list(done.items())[-KEEP_SUBMISSIONS:])
    return redirect("portal:upgrade_result", operation_id=operation_id)


@partner_page
def upgrade_result(request, operation_id):
    try:
        operation = upgrade_operation_for(request.user, operation_id=operation_id)
    except UpgradeOperation.DoesNotExist:
        raise Http404(_("No upgrade with this id is visible to you.")) from None
    result = UpgradeResult.from_dict(operation.result) if operation.result else None
    return render(
        request,
        "portal/upgrade/result.html",
        {
            "operation": operation,
            "result": result,
            "history": operation.workflow_history,
            "billing_entries": list(operation.billing_entries.all()),
            # a job waiting for approval does not refresh: it waits for a person, not for a worker
            "refresh_seconds": 3 if operation.is_open and operation.status != OperationStatus.AWAITING_APPROVAL else 0,
            "family_names": family_names(),
            "source_after_status": SOURCE_STATUS_AFTER_UPGRADE,
            "source_after_label": SOURCE_STATUS_AFTER_UPGRADE_LABEL,
        },
    )


class UpgradeListView(PartnerPageMixin, ListView):
    """Every upgrade the actor may read, newest first; ``?status=`` (a status or ``open``), ``?target=``, ``?q=``."""

    template_name = "portal/upgrade/list.html"
    context_object_name = "operations"
    paginate_by = 50

    def get_queryset(self):
        self.form = UpgradeFilterForm(
            self.request.GET or None,
            status_choices=OperationStatus.choices,
            target_choices=upgrade_target_choices_for(self.request.user),
        )
        self.filters = self.form.filters()
        return upgrade_operation_rows_for(self.request.user, **self.filters)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["operations"] = upgrade_operation_page_rows(self.request.user, context["page_obj"].object_list)
        context["form"] = self.form
        context["filtered"] = any(self.filters.values()) or bool(self.form.errors)
        return context

    def render_to_response(self, context, **response_kwargs):
        """A filter value outside its choices answers 400, the page showing the error beside its field."""
        if self.form.errors:
            response_kwargs.setdefault("status", 400)
        return super().render_to_response(context, **response_kwargs)
