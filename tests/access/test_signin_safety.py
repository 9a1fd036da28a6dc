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
    return client.post(reverse("login"), {"username": "locked-out", "password": password},
                       REMOTE_ADDR="203.0.113.7")


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
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_passes_with_production_settings():
    result = run_check({"DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
                        "DJANGO_ALLOWED_HOSTS": "portal.example.com"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("env", [
    {"DJANGO_ALLOWED_HOSTS": "portal.example.com"},                                   # no key
    {"DJANGO_SECRET_KEY": "too-short", "DJANGO_ALLOWED_HOSTS": "portal.example.com"},
    {"DJANGO_SECRET_KEY": "dev-only-insecure-key-change-me-in-production" + "x" * 10,
     "DJANGO_ALLOWED_HOSTS": "portal.example.com"},
    {"DJANGO_SECRET_KEY": secrets.token_urlsafe(64)},                                 # no hosts
])
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
