import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .services import notifications_for, notifications_mark_read

NOTIFICATION_ID = re.compile(r"[0-9]{1,18}")  # ASCII digits only ("²".isdigit() is True), below 2**63


@login_required
def notification_list(request, *, status: int = 200):
    notifications = list(notifications_for(request.user).select_related("customer")[:200])
    return render(request, "notifications/list.html", {"notifications": notifications}, status=status)


@require_POST
@login_required
def notification_mark_read(request):
    raw_ids = request.POST.getlist("id")
    if not all(NOTIFICATION_ID.fullmatch(value) for value in raw_ids):
        messages.error(
            request, _("id: each notification id must be a whole number (digits 0-9); nothing was marked as read.")
        )
        return notification_list(request, status=400)
    ids = [int(value) for value in raw_ids] or None
    notifications_mark_read(user=request.user, ids=ids)
    return redirect("notifications:list")
