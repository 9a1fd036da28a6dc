"""Partner pages for GDAP (list, request, approval link, access assignments, terminate) and the customer's
own pages (approve/decline a request, switch DAP off). Thin adapters: every rule is in ``delegation.services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from customers.selectors import acting_partner_id
from partners.roles import Capability, can, is_operator, require

from . import gdap_selectors, services
from .forms import AccessAssignmentForm, RelationshipRequestForm
from .models import DapGrant, GdapRelationship


def _partner_user(request) -> None:
    if acting_partner_id(request.user) is None and not is_operator(request.user):
        raise PermissionDenied(_("Delegated admin relationships are managed by partner users."))
    require(request.user, Capability.VIEW_CUSTOMERS)


def _relationship_or_404(request, relationship_id) -> GdapRelationship:
    try:
        return gdap_selectors.relationship_detail_for(request.user, relationship_id)
    except GdapRelationship.DoesNotExist:
        raise Http404(_("Delegated admin relationship not found.")) from None


def approval_link(request, relationship) -> str:
    return request.build_absolute_uri(reverse("delegation_customer:detail", args=[relationship.pk]))


# ------------------------------------------------------------------------------------------------ partner side
@login_required
def relationship_list(request):
    _partner_user(request)
    relationships = list(gdap_selectors.relationships_visible_to(request.user).order_by("-created_date_time")[:500])
    return render(
        request,
        "delegation/relationship_list.html",
        {
            "relationships": relationships,
            "can_request": can(request.user, Capability.REQUEST_DELEGATED_ADMIN),
        },
    )


@login_required
def relationship_create(request):
    require(request.user, Capability.REQUEST_DELEGATED_ADMIN)
    if request.method == "POST" and acting_partner_id(request.user) is None:
        raise PermissionDenied(_("A delegated admin relationship is requested by a partner, not by an operator."))
    initial = {"customer": request.GET.get("customer")} if request.GET.get("customer") else None
    form = RelationshipRequestForm(request.POST or None, actor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            relationship = services.relationship_request_create(
                actor=request.user,
                customer=data["customer"],
                display_name=data["display_name"],
                unified_roles=data["unified_roles"],
                duration=f"P{data['duration_days']}D",
                auto_extend_duration=data["auto_extend_duration"],
            )
        except DomainError as exc:
            form.add_error(_form_field(exc.field), exc.message)
        else:
            messages.success(
                request, _("Request created. Send the approval link to the customer's global administrator.")
            )
            return redirect("delegation:detail", relationship_id=relationship.pk)
    return render(request, "delegation/relationship_form.html", {"form": form})


def _form_field(field: str | None) -> str | None:
    return {
        "displayName": "display_name",
        "accessDetails.unifiedRoles": "unified_roles",
        "duration": "duration_days",
        "autoExtendDuration": "auto_extend_duration",
        "customer": "customer",
        "accessContainer": "group",
    }.get(field or "")


@login_required
def relationship_detail(request, relationship_id):
    _partner_user(request)
    relationship = _relationship_or_404(request, relationship_id)
    manage = can(request.user, Capability.REQUEST_DELEGATED_ADMIN) and not is_operator(request.user)
    return render(
        request,
        "delegation/relationship_detail.html",
        {
            "relationship": relationship,
            "assignments": list(relationship.access_assignments.all()),
            "history": list(relationship.history),
            "approval_link": approval_link(request, relationship),
            "can_manage": manage,
            "assignment_form": AccessAssignmentForm(relationship=relationship) if manage else None,
        },
    )


@require_POST
@login_required
def relationship_terminate(request, relationship_id):
    relationship = _relationship_or_404(request, relationship_id)
    try:
        services.relationship_termination_request(actor=request.user, relationship_id=relationship.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Termination requested. Access ends now; subscriptions are not affected."))
    return redirect("delegation:detail", relationship_id=relationship.pk)


@require_POST
@login_required
def assignment_create(request, relationship_id):
    relationship = _relationship_or_404(request, relationship_id)
    require(request.user, Capability.REQUEST_DELEGATED_ADMIN)
    form = AccessAssignmentForm(request.POST, relationship=relationship)
    if form.is_valid():
        try:
            services.access_assignment_create(
                actor=request.user,
                relationship_id=relationship.pk,
                group=form.cleaned_data["group"],
                unified_roles=form.cleaned_data["unified_roles"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Access assigned."))
    else:
        for field, errors in form.errors.items():
            messages.error(
                request, f"{form.fields[field].label if field in form.fields else field}: {' '.join(errors)}"
            )
    return redirect("delegation:detail", relationship_id=relationship.pk)


@require_POST
@login_required
def assignment_delete(request, relationship_id, assignment_id):
    relationship = _relationship_or_404(request, relationship_id)
    if not relationship.access_assignments.filter(pk=assignment_id).exists():
        raise Http404(_("Access assignment not found."))
    try:
        services.access_assignment_delete(actor=request.user, assignment_id=assignment_id)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Access assignment removed."))
    return redirect("delegation:detail", relationship_id=relationship.pk)


# ------------------------------------------------------------------------------------------------ customer side
def _customer_admin(request, *, acting: bool = False) -> None:
    """Customer global admins; operators may look (``acting=False``) but never give a customer's consent."""
    may_look = is_operator(request.user) and not acting
    if not (may_look or gdap_selectors.global_admin_customer_ids(request.user).exists()):
        raise PermissionDenied(_("Only a customer's global administrator can manage delegated admin access."))


@login_required
def customer_relationship_list(request):
    _customer_admin(request)
    return render(
        request,
        "delegation/customer_relationship_list.html",
        {
            "relationships": list(
                gdap_selectors.relationships_for_customer_admin(request.user).order_by("-created_date_time")[:500]
            ),
            "dap_grants": list(gdap_selectors.dap_grants_for_customer_admin(request.user)[:500]),
        },
    )


@login_required
def customer_relationship_detail(request, relationship_id):
    _customer_admin(request, acting=request.method == "POST")
    try:
        relationship = gdap_selectors.relationships_for_customer_admin(request.user).get(pk=relationship_id)
    except GdapRelationship.DoesNotExist:
        raise Http404(_("Delegated admin relationship not found.")) from None
    if request.method == "POST":
        action = request.POST.get("action")
        handlers = {
            "approve": services.relationship_approve,
            "decline": services.relationship_decline,
            "terminate": services.relationship_termination_request,
        }
        if action not in handlers:
            messages.error(request, _("action: choose approve, decline or terminate."))
        else:
            try:
                handlers[action](actor=request.user, relationship_id=relationship.pk)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    {
                        "approve": _("Relationship approved."),
                        "decline": _("Request declined."),
                        "terminate": _("Relationship terminated."),
                    }[action],
                )
        return redirect("delegation_customer:detail", relationship_id=relationship.pk)
    return render(request, "delegation/customer_relationship_detail.html", {"relationship": relationship})


@require_POST
@login_required
def customer_dap_off(request, grant_id):
    _customer_admin(request, acting=True)
    try:
        grant = gdap_selectors.dap_grants_for_customer_admin(request.user).get(pk=grant_id)
    except DapGrant.DoesNotExist:
        raise Http404(_("Delegated admin permission not found.")) from None
    try:
        services.dap_set(actor=request.user, partner=grant.partner, customer=grant.customer, enabled=False)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Delegated admin permissions (DAP) switched off for %(partner)s. The reseller relationship stays.")
            % {"partner": grant.partner.name},
        )
    return redirect("delegation_customer:list")
