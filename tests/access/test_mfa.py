"""Multi-factor sign-in: enrolment, TOTP at sign-in, single-use recovery codes, required by role, operator reset."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts.mfa import user_mfa_reset
from accounts.models import ApiToken
from audit.models import AuditRecord
from core.errors import Forbidden
from tests import factories

PASSWORD = "correct-horse-battery"
PRODUCTION_ROLES = ["global_admin", "user_management_admin", "admin_agent", "sales_agent", "helpdesk_agent"]


def sign_in(client, username):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD}, REMOTE_ADDR="192.0.2.10")


def enrol(client):
    """Open the enrolment page, answer with a code computed from the device key; returns (device, codes)."""
    page = client.get(reverse("mfa_setup"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(confirmed=False)
    done = client.post(reverse("mfa_setup"), {"code": f"{totp(device.bin_key):06d}", "next": "/"})
    assert done.status_code == 200
    codes = done.context["codes"]
    device.refresh_from_db()
    return device, codes


@pytest.fixture(autouse=True)
def _no_throttle_delay(settings):
    """django-otp delays the next try after a wrong code (tested below); these tests type the next one at once."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


@pytest.fixture
def agent(db):
    return factories.PartnerUserFactory(username="mfa-agent", roles=["sales_agent"])


def test_enrolment_page_shows_the_otpauth_uri_and_a_qr_code(agent):
    client = Client()
    sign_in(client, "mfa-agent")
    page = client.get(reverse("mfa_setup"))
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=agent)
    assert device.confirmed is False
    assert "otpauth://totp/" in html and "secret=" in page.context["otpauth_uri"]
    assert "<svg" in html
    assert re.fullmatch(r"[A-Z2-7]{32}", page.context["secret"])


def test_enrolment_with_a_wrong_code_is_a_form_error(agent):
    client = Client()
    sign_in(client, "mfa-agent")
    client.get(reverse("mfa_setup"))
    device = TOTPDevice.objects.get(user=agent)
    wrong = f"{(totp(device.bin_key) + 1) % 1_000_000:06d}"
    response = client.post(reverse("mfa_setup"), {"code": wrong})
    assert response.status_code == 200 and "code" in response.context["form"].errors
    device.refresh_from_db()
    assert device.confirmed is False


def test_enrolment_confirms_the_device_and_shows_ten_recovery_codes_once(agent):
    client = Client()
    sign_in(client, "mfa-agent")
    device, codes = enrol(client)
    assert device.confirmed is True
    assert len(codes) == 10 and len(set(codes)) == 10
    assert StaticToken.objects.filter(device__user=agent).count() == 10
    record = AuditRecord.objects.get(resource_type="UserMfaDevice")
    assert record.resource_new_value == {"totp": True, "recoveryCodes": 10}
    assert record.user_principal_name == "mfa-agent@example.com"
    # the enrolment page afterwards offers a new device; the codes are not shown again
    again = client.get(reverse("mfa_setup"))
    assert "codes" not in again.context


def test_sign_in_needs_the_totp_code_after_the_password(agent, client):
    sign_in(client, "mfa-agent")
    device, _codes = enrol(client)
    client.post(reverse("logout"))

    fresh = Client()
    assert sign_in(fresh, "mfa-agent").status_code == 302
    home = fresh.get(reverse("portal:customer_list"))
    assert home.status_code == 302 and home.url.startswith(reverse("mfa_verify"))
    admin = fresh.get("/admin/")
    assert admin.status_code == 302 and admin.url.startswith(reverse("mfa_verify"))
    bad = fresh.post(reverse("mfa_verify"), {"code": "000000x", "next": "/"})
    assert bad.status_code == 200 and "code" in bad.context["form"].errors
    code = f"{totp(device.bin_key, drift=1):06d}"  # the next time step: the enrolment code is spent
    verified = fresh.post(reverse("mfa_verify"), {"code": code, "next": reverse("portal:customer_list")})
    assert verified.status_code == 302 and verified.url == reverse("portal:customer_list")
    assert fresh.get(reverse("portal:customer_list")).status_code == 200


def test_a_recovery_code_works_once(agent):
    client = Client()
    sign_in(client, "mfa-agent")
    _device, codes = enrol(client)

    first = Client()
    sign_in(first, "mfa-agent")
    assert first.post(reverse("mfa_verify"), {"code": codes[0], "next": "/"}).status_code == 302
    assert StaticToken.objects.filter(device__user=agent).count() == 9

    second = Client()
    sign_in(second, "mfa-agent")
    reused = second.post(reverse("mfa_verify"), {"code": codes[0], "next": "/"})
    assert reused.status_code == 200 and "code" in reused.context["form"].errors
    assert second.get(reverse("portal:customer_list")).status_code == 302
    assert second.post(reverse("mfa_verify"), {"code": codes[1], "next": "/"}).status_code == 302
    assert second.get(reverse("portal:customer_list")).status_code == 200


def test_a_right_code_right_after_a_wrong_one_is_throttled(agent, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 1
    settings.OTP_STATIC_THROTTLE_FACTOR = 1
    client = Client()
    sign_in(client, "mfa-agent")
    device, codes = enrol(client)
    fresh = Client()
    sign_in(fresh, "mfa-agent")
    assert fresh.post(reverse("mfa_verify"), {"code": "12345678"}).status_code == 200
    throttled = fresh.post(reverse("mfa_verify"), {"code": codes[0]})
    assert throttled.status_code == 200 and "code" in throttled.context["form"].errors
    assert StaticToken.objects.filter(device__user=agent, token=codes[0]).exists()  # not spent


def test_development_default_signs_in_with_the_password_only(agent, client):
    assert sign_in(client, "mfa-agent").status_code == 302
    assert client.get(reverse("portal:customer_list")).status_code == 200


@pytest.mark.parametrize(
    "role,required",
    [
        ("global_admin", True),
        ("user_management_admin", True),
        ("admin_agent", True),
        ("sales_agent", True),
        ("helpdesk_agent", True),
        ("billing_admin", False),
    ],
)
def test_required_by_role_under_production_settings(db, settings, role, required):
    settings.MFA_REQUIRED_ROLES = PRODUCTION_ROLES
    factories.PartnerUserFactory(username=f"u-{role}", roles=[role])
    client = Client()
    sign_in(client, f"u-{role}")
    home = client.get(reverse("portal:customer_list"))
    if required:
        assert home.status_code == 302 and home.url.startswith(reverse("mfa_setup"))
        for path in ("/admin/", reverse("delegation:list")):
            blocked = client.get(path)
            assert blocked.status_code == 302 and blocked.url.startswith(reverse("mfa_setup"))
        enrol(client)
        assert client.get(reverse("portal:customer_list")).status_code == 200
    else:
        assert home.status_code == 200


def test_production_settings_require_mfa_for_every_role_that_writes(monkeypatch):
    import importlib
    import secrets

    monkeypatch.setenv("DJANGO_SECRET_KEY", secrets.token_urlsafe(64))
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "portal.example.com")
    prod = importlib.reload(importlib.import_module("partnercenter.settings_production"))
    assert prod.MFA_REQUIRED_ROLES == PRODUCTION_ROLES
    assert prod.MFA_REQUIRED_FOR_OPERATORS is True and prod.MFA_REQUIRED_FOR_ALL is False
    monkeypatch.setenv("MFA_REQUIRED_FOR_ALL", "true")
    prod = importlib.reload(prod)
    assert prod.MFA_REQUIRED_FOR_ALL is True


def test_required_for_all_covers_customer_admins(db, settings):
    settings.MFA_REQUIRED_FOR_ALL = True
    factories.UserFactory(username="cust-ga")
    client = Client()
    sign_in(client, "cust-ga")
    home = client.get(reverse("portal:home"))
    assert home.status_code == 302 and home.url.startswith(reverse("mfa_setup"))


def test_api_tokens_are_not_asked_for_a_second_factor(db, settings):
    settings.MFA_REQUIRED_FOR_ALL = True
    user = factories.PartnerUserFactory(username="api-agent", roles=["admin_agent"])
    _token, raw = ApiToken.issue(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/v1/delegatedAdminRelationships").status_code == 200


def test_operator_resets_a_users_device_through_the_admin_action(agent):
    client = Client()
    sign_in(client, "mfa-agent")
    enrol(client)
    operator = factories.UserFactory(username="operator", is_staff=True, is_superuser=True)
    admin = Client()
    admin.force_login(operator)
    response = admin.post(
        reverse("admin:accounts_user_changelist"), {"action": "reset_mfa", "_selected_action": [str(agent.pk)]}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=agent).exists()
    assert not StaticToken.objects.filter(device__user=agent).exists()
    record = AuditRecord.objects.filter(resource_type="UserMfaDevice").order_by("-operation_date").first()
    assert record.user_principal_name == "operator@example.com"
    assert record.resource_old_value == {"username": "mfa-agent", "totp": True, "recoveryCodes": 10}
    # the next sign-in needs no code (no device); with the role required it goes to enrolment again
    again = Client()
    sign_in(again, "mfa-agent")
    assert again.get(reverse("portal:customer_list")).status_code == 200


def test_only_an_operator_resets(agent):
    client = Client()
    sign_in(client, "mfa-agent")
    enrol(client)
    partner_admin = factories.PartnerUserFactory(username="p-ga", partner=agent.partner, roles=["global_admin"])
    with pytest.raises(Forbidden):
        user_mfa_reset(actor=partner_admin, user=agent)
    assert TOTPDevice.objects.filter(user=agent, confirmed=True).count() == 1


def test_device_secrets_are_not_in_the_admin(db):
    from django.contrib import admin

    assert not admin.site.is_registered(TOTPDevice)
    operator = factories.UserFactory(username="op", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(operator)
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
