from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .services import notifications_for, notifications_mark_read


@login_required
def notification_list(request):
    notifications = list(notifications_for(request.user).select_related("customer")[:200])
    return render(request, "notifications/list.html", {"notifications": notifications})


@require_POST
@login_required
def notification_mark_read(request):
    ids = [int(value) for value in request.POST.getlist("id") if value.isdigit()] or None
    notifications_mark_read(user=request.user, ids=ids)
    return redirect("notifications:list")
