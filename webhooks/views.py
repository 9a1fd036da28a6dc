"""The partner's webhook settings (/partner/settings/webhooks/): register, choose events, the secret shown once,
a test event, the deliveries with their attempts and "Resend". Only the partner's global admins."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError, NotFound

from . import selectors, services
from .forms import RegistrationForm

SECRET_KEY = "webhooks_secret_once"
FIELDS = {"WebhookUrl": "url", "WebhookEvents": "events", "Active": "active"}
PAGE_SIZE = 50


@login_required
def webhook_settings(request):
    selectors.managing_partner_id(request.user)
    registration = selectors.registration_of(request.user)
    initial = (
        {"url": registration.url, "events": registration.events, "active": registration.active}
        if registration
        else {"active": True}
    )
    form = RegistrationForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                if registration is None:
                    created = services.registration_create(
                        actor=request.user, url=data["url"], events=data["events"], active=data["active"]
                    )
                    request.session[SECRET_KEY] = created.secret
                    messages.success(request, _("The webhook was registered."))
                else:
                    services.registration_update(
                        actor=request.user, url=data["url"], events=data["events"], active=data["active"]
                    )
                    messages.success(request, _("The webhook was saved."))
            except DomainError as exc:
                form.add_error(FIELDS.get(exc.field or "", None), exc.message)
            else:
                return redirect("webhooks:settings")
        status = 400
    deliveries = list(selectors.deliveries_of(request.user)[:PAGE_SIZE]) if registration else []
    context = {
        "form": form,
        "registration": registration,
        "secret": request.session.pop(SECRET_KEY, None),
        "deliveries": deliveries,
    }
    return render(request, "webhooks/settings.html", context, status=status)


def _post_action(request, action, done: str):
    selectors.managing_partner_id(request.user)
    try:
        action()
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("webhooks:settings")


@login_required
@require_POST
def webhook_test(request):
    return _post_action(request, lambda: services.test_event_send(actor=request.user), _("A test event was sent."))


@login_required
@require_POST
def webhook_rotate(request):
    def rotate():
        request.session[SECRET_KEY] = services.registration_secret_rotate(actor=request.user).secret

    return _post_action(request, rotate, _("A new secret was made: the old one no longer signs."))


@login_required
@require_POST
def webhook_delete(request):
    return _post_action(
        request, lambda: services.registration_delete(actor=request.user), _("The webhook was deleted.")
    )


@login_required
@require_POST
def webhook_resend(request, delivery_id):
    selectors.managing_partner_id(request.user)
    delivery = selectors.delivery_for(request.user, delivery_id=delivery_id)
    return _post_action(
        request,
        lambda: services.delivery_resend(actor=request.user, delivery=delivery),
        _("The delivery was queued again."),
    )
