"""Multi-factor sign-in (django-otp): who must enrol, enrolment, recovery codes, and the operator's reset.

A user enrols one TOTP device (an authenticator app) and receives single-use recovery codes (a django-otp
static device). ``MFA_REQUIRED_ROLES`` / ``MFA_REQUIRED_FOR_ALL`` / ``MFA_REQUIRED_FOR_OPERATORS`` decide who
must; anyone may enrol. Every write is audited.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import OperationType
from audit.services import audit_record_create
from core.errors import Forbidden, InvalidInput

RESOURCE = "UserMfaDevice"
TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def mfa_required(user) -> bool:
    """Whether this interactive user must sign in with a second factor."""
    if user is None or not user.is_authenticated or getattr(user, "is_application", False):
        return False
    if settings.MFA_REQUIRED_FOR_ALL:
        return True
    if user.is_superuser and settings.MFA_REQUIRED_FOR_OPERATORS:
        return True
    return bool(set(settings.MFA_REQUIRED_ROLES) & set(user.role_codes))


def mfa_enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _audit(*, actor, user, old, new):
    audit_record_create(
        actor=actor,
        operation_type=OperationType.UPDATE_PARTNER_USER,
        resource_type=RESOURCE,
        partner=user.partner,
        old=old,
        new=new,
    )


def user_mfa_pending_device(*, user) -> TOTPDevice:
    """The unconfirmed TOTP device shown on the enrolment page (one per user, reused until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def user_mfa_enrol(*, actor, device: TOTPDevice, token: str) -> list[str]:
    """Confirm ``device`` with a code from the app; returns the new recovery codes (shown once)."""
    if device.user_id != actor.pk or device.confirmed:
        raise Forbidden(_("This device cannot be confirmed."))
    if not device.verify_token((token or "").strip()):
        raise InvalidInput(
            _("code: the code is wrong or has expired; enter the current one from the app."), field="code"
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _recovery_codes_replace(actor)
        _audit(actor=actor, user=actor, old=None, new={"totp": True, "recoveryCodes": len(codes)})
    return codes


def _recovery_codes_replace(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.MFA_RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


def user_mfa_verify(*, user, token: str):
    """The confirmed device (TOTP, or the recovery codes: a used code is spent) that accepts ``token``, else
    ``InvalidInput`` naming ``code``. Each device throttles repeated failures (django-otp)."""
    token = (token or "").strip().replace(" ", "")
    if token:
        for device in devices_for_user(user, confirmed=True):
            if device.verify_token(token):
                return device
    raise InvalidInput(_("code: the code is wrong or has expired."), field="code")


def user_mfa_reset(*, actor, user) -> int:
    """An operator removes the user's devices (a lost phone); the user enrols again at the next sign-in.
    Returns the number of devices removed."""
    if actor is None or not getattr(actor, "is_superuser", False):
        raise Forbidden(_("Only an operator can reset a user's multi-factor sign-in."))
    with transaction.atomic():
        old = {
            "totp": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            "recoveryCodes": StaticToken.objects.filter(device__user=user).count(),
        }
        removed = TOTPDevice.objects.filter(user=user).delete()[1].get(TOTPDevice._meta.label, 0)
        removed += StaticDevice.objects.filter(user=user).delete()[1].get(StaticDevice._meta.label, 0)
        if not removed:
            return 0  # no device: nothing changed, nothing to record
        _audit(
            actor=actor,
            user=user,
            old={"username": user.username, **old},
            new={"username": user.username, "totp": False, "recoveryCodes": 0},
        )
    return removed
