"""django-axes lockout, password validation, and the production settings' ``check --deploy``."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests import factories

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def person(db):
    return factories.PartnerUserFactory(username="locked-out", roles=["sales_agent"])


def attempt(client, password):
    return client.post(reverse("login"), {"username": "locked-out", "password": password}, REMOTE_ADDR="203.0.113.7")


def test_five_failed_sign_ins_lock_the_account(person, settings):
    assert settings.AXES_FAILURE_LIMIT == 5 and settings.AXES_ENABLED
    client = Client()
    for _ in range(4):
        assert attempt(client, "wrong-password").status_code == 200  # the form again, with an error
    locked = attempt(client, "wrong-password")
    assert locked.status_code == 429
    assert attempt(client, "correct-horse-battery").status_code == 429  # even the right password
    from axes.models import AccessAttempt

    assert AccessAttempt.objects.get(username="locked-out").failures_since_start >= 5


def test_right_password_signs_in_before_the_limit(person):
    client = Client()
    for _ in range(3):
        attempt(client, "wrong-password")
    assert attempt(client, "correct-horse-battery").status_code == 302


@pytest.mark.parametrize("password", ["short1", "password123", "1234567890123", "locked-out-2024"])
def test_weak_passwords_are_refused(person, password):
    with pytest.raises(ValidationError):
        validate_password(password, user=person)


def run_check(env_overrides: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update({"DJANGO_SETTINGS_MODULE": "partnercenter.settings_production", **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_settings():
    result = run_check({"DJANGO_SECRET_KEY": secrets.token_urlsafe(64), "DJANGO_ALLOWED_HOSTS": "portal.example.com"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "env",
    [
        {"DJANGO_ALLOWED_HOSTS": "portal.example.com"},  # no key
        {"DJANGO_SECRET_KEY": "too-short", "DJANGO_ALLOWED_HOSTS": "portal.example.com"},
        {
            "DJANGO_SECRET_KEY": "dev-only-insecure-key-change-me-in-production" + "x" * 10,
            "DJANGO_ALLOWED_HOSTS": "portal.example.com",
        },
        {"DJANGO_SECRET_KEY": secrets.token_urlsafe(64)},  # no hosts
    ],
)
def test_production_settings_fail_loudly_without_a_safe_key_or_hosts(env):
    result = run_check(env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_production_settings_values(monkeypatch):
    import importlib

    monkeypatch.setenv("DJANGO_SECRET_KEY", secrets.token_urlsafe(64))
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "portal.example.com,.example.net")
    prod = importlib.import_module("partnercenter.settings_production")
    prod = importlib.reload(prod)
    assert prod.DEBUG is False
    assert prod.ALLOWED_HOSTS == ["portal.example.com", ".example.net"]
    assert prod.SECURE_HSTS_SECONDS == 31536000 and prod.SECURE_HSTS_INCLUDE_SUBDOMAINS and prod.SECURE_HSTS_PRELOAD
    assert prod.SESSION_COOKIE_SECURE and prod.SESSION_COOKIE_HTTPONLY and prod.CSRF_COOKIE_SECURE
    assert prod.SECURE_SSL_REDIRECT and prod.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
    assert prod.X_FRAME_OPTIONS == "DENY" and prod.SECURE_REFERRER_POLICY


def test_passwords_are_stored_with_pbkdf2_at_full_strength(db, real_password_hasher):
    """The suite hashes with a fast hasher; the real one (what production uses) is PBKDF2, never MD5."""
    user = factories.PartnerUserFactory(username="strong-hash", roles=["sales_agent"])
    user.refresh_from_db()
    algorithm, iterations, _salt, _hash = user.password.split("$")
    assert algorithm == "pbkdf2_sha256" and int(iterations) >= 1_000_000
    assert user.check_password("correct-horse-battery")


# ------------------------------------------------------------------------------------------ behind a proxy
def attempt_via_proxy(client, password, forwarded_for):
    return client.post(
        reverse("login"),
        {"username": "locked-out", "password": password},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_lockout_behind_one_proxy_locks_the_username_at_one_client_ip_only(person, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        attempt_via_proxy(Client(), "wrong-password", "203.0.113.7")
    assert attempt_via_proxy(Client(), "correct-horse-battery", "203.0.113.7").status_code == 429
    # an address the client prepends itself is not trusted: still the locked client
    assert attempt_via_proxy(Client(), "correct-horse-battery", "198.51.100.9, 203.0.113.7").status_code == 429
    # the same user from another client IP behind the same proxy still signs in
    assert attempt_via_proxy(Client(), "correct-horse-battery", "198.51.100.9").status_code == 302
    from axes.models import AccessAttempt

    assert list(AccessAttempt.objects.values_list("username", "ip_address")) == [("locked-out", "203.0.113.7")]


def test_without_trusted_proxies_x_forwarded_for_is_ignored(person, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for _ in range(5):
        attempt_via_proxy(Client(), "wrong-password", "203.0.113.7")
    # forging another X-Forwarded-For does not escape the lock on REMOTE_ADDR
    assert attempt_via_proxy(Client(), "correct-horse-battery", "198.51.100.9").status_code == 429
    from axes.models import AccessAttempt

    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["10.0.0.1"]


def test_client_ip_with_two_trusted_proxies():
    from django.test import RequestFactory, override_settings

    from accounts.client_ip import client_ip

    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.20, 10.0.0.1")
    with override_settings(TRUSTED_PROXY_COUNT=2):
        assert client_ip(request) == "198.51.100.20"
    with override_settings(TRUSTED_PROXY_COUNT=1):
        assert client_ip(request) == "10.0.0.1"
    with override_settings(TRUSTED_PROXY_COUNT=0):
        assert client_ip(request) == "10.0.0.2"


# ------------------------------------------------------------------------------------------ production hardening
def test_production_hashers_csp_idle_sessions_and_schema(monkeypatch):
    import importlib

    monkeypatch.setenv("DJANGO_SECRET_KEY", secrets.token_urlsafe(64))
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "portal.example.com")
    monkeypatch.setenv("SESSION_IDLE_TIMEOUT", "900")
    monkeypatch.setenv(
        "DJANGO_PASSWORD_HASHERS",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher,django.contrib.auth.hashers.MD5PasswordHasher",
    )
    prod = importlib.reload(importlib.import_module("partnercenter.settings_production"))
    assert prod.PASSWORD_HASHERS == ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    assert prod.SESSION_COOKIE_AGE == 900 and prod.SESSION_SAVE_EVERY_REQUEST is True
    assert prod.SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"] == ["rest_framework.permissions.IsAuthenticated"]
    directives = prod.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert directives["default-src"] == ["'self'"] and directives["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in directives["script-src"] + directives["style-src"]
    assert "csp.middleware.CSPMiddleware" in prod.MIDDLEWARE
    monkeypatch.setenv("API_SCHEMA_PUBLIC", "true")
    monkeypatch.setenv("DJANGO_PASSWORD_HASHERS", "django.contrib.auth.hashers.MD5PasswordHasher")
    with pytest.raises(Exception, match="PBKDF2 or Argon2"):
        importlib.reload(prod)
    monkeypatch.delenv("DJANGO_PASSWORD_HASHERS")
    prod = importlib.reload(prod)
    assert prod.SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"] == ["rest_framework.permissions.AllowAny"]


PROBE = """
import django, json
django.setup()
from django.test import Client
c = Client()
login = c.get("/accounts/login/", secure=True)
schema = c.get("/v1/schema/", secure=True)
docs = c.get("/v1/docs/", secure=True)
print(json.dumps({"login": login.status_code, "csp": login.get("Content-Security-Policy", ""),
                  "schema": schema.status_code, "docs": docs.status_code}))
"""


def test_production_pages_carry_the_csp_and_the_schema_needs_sign_in():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "partnercenter.settings_production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DJANGO_ALLOWED_HOSTS": "testserver",
        }
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    import json

    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["login"] == 200
    assert "default-src 'self'" in seen["csp"] and "frame-ancestors 'none'" in seen["csp"]
    assert seen["schema"] == 401 and seen["docs"] == 401


DOCS_PROBE = """
import django, json, re
django.setup()
from django.test import Client
docs = Client().get("/v1/docs/", secure=True)
html = docs.content.decode()
print(json.dumps({"status": docs.status_code, "csp": docs.get("Content-Security-Policy", ""),
                  "nonces": sorted(set(re.findall(r'nonce="([^"]+)"', html)))}))
"""


def test_public_api_docs_page_runs_its_inline_script_under_the_csp_nonce():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "partnercenter.settings_production",
            "API_SCHEMA_PUBLIC": "true",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DJANGO_ALLOWED_HOSTS": "testserver",
        }
    )
    result = subprocess.run(
        [sys.executable, "-c", DOCS_PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    import json

    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["status"] == 200 and len(seen["nonces"]) == 1
    assert f"script-src 'self' 'nonce-{seen['nonces'][0]}'" in seen["csp"]
