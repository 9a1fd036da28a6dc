"""The approvals page and the approve / reject buttons of batches and upgrades (domain.md §9).

Thin adapters: the jobs come from ``portal.approval_selectors`` (scoped), the decisions from
``bulk.approval_services`` and ``upgrades.approval_services``. Another partner's job answers 404; the creator
or a user without the approve capability gets the 403 page; a job that is no longer waiting (409) or a
rejection without a reason comes back with its message. Each POST redirects to ``next`` when it is a safe
local URL, else to the approvals page.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bulk.approval_services import upgrade_batch_approve, upgrade_batch_reject
from bulk.selectors import upgrade_batch_for
from core.errors import Conflict, InvalidInput, NotFound
from upgrades.approval_services import upgrade_operation_approve, upgrade_operation_reject
from upgrades.models import UpgradeOperation
from upgrades.selectors import upgrade_operations_visible_to

from .access import partner_page
from .approval_selectors import waiting_jobs_for


@partner_page
def approvals(request):
    jobs = waiting_jobs_for(request.user)
    return render(request, "portal/approvals.html", {"jobs": jobs, "next": request.get_full_path()})


def _back(request):
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return redirect(target)
    return redirect("portal:approvals")


def _batch(request, batch_id):
    try:
        return upgrade_batch_for(request.user, batch_id=batch_id)
    except NotFound:
        raise Http404(_("No batch with this id is visible to you.")) from None


def _operation(request, operation_id) -> UpgradeOperation:
    operation = upgrade_operations_visible_to(request.user).filter(pk=operation_id).first()
    if operation is None:
        raise Http404(_("No upgrade with this id is visible to you."))
    return operation


def _decide(request, call, done: str):
    """Run the service; 403 (PermissionDenied) goes to the 403 page, 409 and a missing reason come back."""
    try:
        call()
    except (Conflict, InvalidInput) as exc:
        messages.error(request, exc.message)
        return _back(request)
    messages.success(request, done)
    return _back(request)


@partner_page
@require_POST
def batch_approve(request, batch_id):
    batch = _batch(request, batch_id)
    return _decide(
        request,
        lambda: upgrade_batch_approve(actor=request.user, batch=batch),
        _("The batch was approved: it runs now."),
    )


@partner_page
@require_POST
def batch_reject(request, batch_id):
    batch = _batch(request, batch_id)
    return _decide(
        request,
        lambda: upgrade_batch_reject(actor=request.user, batch=batch, reason=request.POST.get("reason", "")),
        _("The batch was rejected: nothing was upgraded."),
    )


@partner_page
@require_POST
def upgrade_approve(request, operation_id):
    operation = _operation(request, operation_id)
    return _decide(
        request,
        lambda: upgrade_operation_approve(actor=request.user, operation=operation),
        _("The upgrade was approved: it runs now."),
    )


@partner_page
@require_POST
def upgrade_reject(request, operation_id):
    operation = _operation(request, operation_id)
    return _decide(
        request,
        lambda: upgrade_operation_reject(
            actor=request.user, operation=operation, reason=request.POST.get("reason", "")
        ),
        _("The upgrade was rejected: nothing was changed."),
    )
