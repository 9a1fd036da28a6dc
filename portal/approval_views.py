"""The approvals page and the approve / reject buttons of batches and upgrades (domain.md §9).

Thin adapters: the jobs come from ``portal.approval_selectors`` (scoped), the decisions from
``bulk.approval_services`` and ``upgrades.approval_services``. Another partner's job answers 404; the creator
or a user without the approve capability gets the 403 page; a job that is no longer waiting (409) or a
rejection without a reason comes back with its message. Each POST redirects to ``next`` when it is a safe
local URL, else to the approvals page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
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


@dataclass(frozen=True)
class _Decisions:
    """How the pages find a kind of job (404 outside the actor's scope) and decide it (the services)."""

    find: Callable[[HttpRequest, Any], Any]
    approve: Callable[..., Any]
    reject: Callable[..., Any]
    approved: str | Promise
    rejected: str | Promise


DECISIONS = {
    "batch": _Decisions(
        find=_batch,
        approve=lambda actor, job: upgrade_batch_approve(actor=actor, batch=job),
        reject=lambda actor, job, reason: upgrade_batch_reject(actor=actor, batch=job, reason=reason),
        approved=gettext_lazy("The batch was approved: it runs now."),
        rejected=gettext_lazy("The batch was rejected: nothing was upgraded."),
    ),
    "upgrade": _Decisions(
        find=_operation,
        approve=lambda actor, job: upgrade_operation_approve(actor=actor, operation=job),
        reject=lambda actor, job, reason: upgrade_operation_reject(actor=actor, operation=job, reason=reason),
        approved=gettext_lazy("The upgrade was approved: it runs now."),
        rejected=gettext_lazy("The upgrade was rejected: nothing was changed."),
    ),
}


@partner_page
@require_POST
def decide(request, kind: str, job_id, *, approve: bool):
    """Approve or reject the job of ``kind`` (``DECISIONS``): 404 outside the actor's scope; 403
    (PermissionDenied) goes to the 403 page; 409 and a missing reason come back with their message."""
    decisions = DECISIONS[kind]
    job = decisions.find(request, job_id)
    try:
        if approve:
            decisions.approve(request.user, job)
        else:
            decisions.reject(request.user, job, request.POST.get("reason", ""))
    except (Conflict, InvalidInput) as exc:
        messages.error(request, exc.message)
        return _back(request)
    messages.success(request, str(decisions.approved if approve else decisions.rejected))
    return _back(request)


def batch_approve(request, batch_id):
    return decide(request, "batch", batch_id, approve=True)


def batch_reject(request, batch_id):
    return decide(request, "batch", batch_id, approve=False)


def upgrade_approve(request, operation_id):
    return decide(request, "upgrade", operation_id, approve=True)


def upgrade_reject(request, operation_id):
    return decide(request, "upgrade", operation_id, approve=False)
