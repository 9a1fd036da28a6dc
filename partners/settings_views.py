"""The partner's settings page (/partner/settings/): the four-eyes approval threshold (domain.md §9)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.errors import InvalidInput

from .approval import ApprovalThreshold
from .approval_services import approval_threshold_update, can_set_approval_threshold
from .forms import ApprovalThresholdForm
from .roles import Capability, require

FIELDS = {"items": "items", "seats": "seats", "monthlyValue": "monthly_value"}


@login_required
def approval_settings(request):
    """Everybody of the partner sees the thresholds; its global admins change them."""
    require(request.user, Capability.VIEW_CUSTOMERS)
    partner = request.user.partner
    if partner is None:
        raise PermissionDenied(_("Approval thresholds belong to a partner: operators set them in the Django admin."))
    editable = can_set_approval_threshold(request.user, partner)
    threshold = ApprovalThreshold.of(partner)
    initial = {"items": threshold.items, "seats": threshold.seats, "monthly_value": threshold.monthly_value}
    form = ApprovalThresholdForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("Only the partner's global admins set the approval threshold."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                approval_threshold_update(
                    actor=request.user,
                    partner=partner,
                    items=data["items"],
                    seats=data["seats"],
                    monthly_value=data["monthly_value"],
                )
            except InvalidInput as exc:
                form.add_error(FIELDS.get(exc.field or "", None), exc.message)
            else:
                messages.success(request, _("The approval threshold was saved."))
                return redirect("partner_settings:approval")
        status = 400
    return render(
        request,
        "partners/approval_settings.html",
        {"form": form, "editable": editable, "threshold": threshold},
        status=status,
    )
