"""Pages of the second sign-in step: enrolment (QR code / secret, then a first code) and verification."""

from base64 import b32encode

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from core.errors import DomainError

from .mfa import mfa_enrolled, mfa_required, user_mfa_enrol, user_mfa_pending_device, user_mfa_verify
from .mfa_middleware import MFA_EXEMPT_SESSION_KEY


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text"}),
    )


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@login_required
@require_http_methods(["GET", "POST"])
def mfa_setup(request):
    """Enrol an authenticator app; on success show the recovery codes once."""
    if mfa_enrolled(request.user) and not request.user.is_verified():
        return redirect("mfa_verify")
    device = user_mfa_pending_device(user=request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = user_mfa_enrol(actor=request.user, device=device, token=form.cleaned_data["code"])
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            otp_login(request, device)
            request.session.pop(MFA_EXEMPT_SESSION_KEY, None)
            return render(request, "registration/mfa_recovery_codes.html", {"codes": codes, "next": _next(request)})
    uri = device.config_url
    return render(
        request,
        "registration/mfa_setup.html",
        {
            "form": form,
            "otpauth_uri": uri,
            "qr_svg": segno.make(uri, error="m").svg_inline(scale=4, border=2),
            "secret": b32encode(device.bin_key).decode(),
            "required": mfa_required(request.user),
            "next": _next(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def mfa_verify(request):
    """The second step of the sign-in: a code from the app or a recovery code."""
    if request.user.is_verified() or not mfa_enrolled(request.user):
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = user_mfa_verify(user=request.user, token=form.cleaned_data["code"])
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            otp_login(request, device)
            request.session.cycle_key()
            return redirect(_next(request))
    return render(request, "registration/mfa_verify.html", {"form": form, "next": _next(request)})
