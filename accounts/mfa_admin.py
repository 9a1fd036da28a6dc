"""The Django admin action that resets users' multi-factor sign-in (operators only, through the service)."""

from django.contrib import admin, messages
from django.utils.translation import ngettext

from core.errors import DomainError

from .mfa import user_mfa_reset


def reset_mfa(modeladmin, request, queryset):
    """Body of the user admin's ``reset_mfa`` action (shown to operators only)."""
    try:
        for user in queryset:
            user_mfa_reset(actor=request.user, user=user)
    except DomainError as exc:
        modeladmin.message_user(request, exc.message, messages.ERROR)
        return
    count = len(queryset)
    modeladmin.message_user(
        request,
        ngettext(
            "Multi-factor sign-in reset for %(count)d user: it enrols again at the next sign-in.",
            "Multi-factor sign-in reset for %(count)d users: they enrol again at the next sign-in.",
            count,
        )
        % {"count": count},
        messages.SUCCESS,
    )


def unregister_otp_device_admins(site=admin.site) -> None:
    """django-otp's own device admins show TOTP secrets and QR codes; devices change only through the services
    (enrolment by the user, ``reset_mfa`` by an operator)."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for model in (TOTPDevice, StaticDevice):
        if site.is_registered(model):
            site.unregister(model)


unregister_otp_device_admins()
