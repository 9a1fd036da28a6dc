"""Production settings: ``DJANGO_SETTINGS_MODULE=partnercenter.settings_production``.

Everything of ``partnercenter.settings`` plus the deployment hardening that ``manage.py check --deploy``
asks for. Required environment: ``DJANGO_SECRET_KEY`` (50+ characters, not the development default) and
``DJANGO_ALLOWED_HOSTS`` (comma-separated). Startup fails loudly when either is missing or unsafe.
"""

import os

from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

from .settings import *  # noqa: F403 - production settings are the base settings plus the overrides below
from .settings import SPECTACULAR_SETTINGS, env_bool, env_list, logging_config, schema_serve_permissions

DEBUG = False

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if (
    len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
    or SECRET_KEY.startswith("django-insecure-")
    or "dev-only" in SECRET_KEY
    or "change-me" in SECRET_KEY
):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a random value of at least 50 characters (and 5 distinct ones) in "
        "production, e.g. python -c 'import secrets; print(secrets.token_urlsafe(64))'."
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the portal's host names in production.")
CSRF_TRUSTED_ORIGINS = env_list(
    "DJANGO_CSRF_TRUSTED_ORIGINS", ",".join(f"https://{h.lstrip('.')}" for h in ALLOWED_HOSTS if h != "*")
)

# HTTPS everywhere (behind a TLS-terminating proxy that sets X-Forwarded-Proto).
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000  # one year
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True

X_FRAME_OPTIONS = "DENY"

# Behind a proxy, axes must see the client address, not the proxy's (accounts.client_ip): a deployment
# behind one TLS-terminating proxy sets TRUSTED_PROXY_COUNT=1.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# Only salted, slow hashers: PBKDF2 (default) or Argon2 (if argon2-cffi is installed). Never MD5.
PASSWORD_HASHERS = [
    h
    for h in env_list("DJANGO_PASSWORD_HASHERS", "django.contrib.auth.hashers.PBKDF2PasswordHasher")
    if h
    in (
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    )
]
if not PASSWORD_HASHERS:
    raise ImproperlyConfigured("DJANGO_PASSWORD_HASHERS must name PBKDF2 or Argon2 hashers in production.")

# Multi-factor sign-in for every role that can change customer data (domain.md §2), and operators.
MFA_REQUIRED_ROLES = env_list(
    "MFA_REQUIRED_ROLES", "global_admin,user_management_admin,admin_agent,sales_agent,helpdesk_agent"
)
MFA_REQUIRED_FOR_ALL = env_bool("MFA_REQUIRED_FOR_ALL", False)
MFA_REQUIRED_FOR_OPERATORS = env_bool("MFA_REQUIRED_FOR_OPERATORS", True)

# Sessions end after SESSION_IDLE_TIMEOUT seconds without a request (default 30 minutes).
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", "1800"))
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT
SESSION_SAVE_EVERY_REQUEST = True

# The OpenAPI schema and its docs need a signed-in user or a token unless API_SCHEMA_PUBLIC=true.
API_SCHEMA_PUBLIC = env_bool("API_SCHEMA_PUBLIC", False)
SPECTACULAR_SETTINGS = {**SPECTACULAR_SETTINGS, "SERVE_PERMISSIONS": schema_serve_permissions(API_SCHEMA_PUBLIC)}

# Content-Security-Policy (django-csp 4): the portal's own static files only; no inline script except the
# nonce'd ones (the API docs page); images also as data: URIs (Swagger UI's icons, the MFA QR code is inline SVG).
MIDDLEWARE = [*MIDDLEWARE, "csp.middleware.CSPMiddleware"]  # noqa: F405 - from the star import above
INSTALLED_APPS = [*INSTALLED_APPS, "csp"]  # noqa: F405 - from the star import above
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

# Operations (issue 15): health, metrics, logs
# JSON log lines unless LOG_FORMAT says otherwise; the probes answer over plain HTTP (load balancers and
# orchestrators probe the pod directly; SECURE_REDIRECT_EXEMPT takes paths without the leading slash).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
LOGGING = logging_config(LOG_FORMAT)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

# Webhooks (issue 15): https and public addresses only, unless the environment says otherwise.
WEBHOOKS_ALLOW_HTTP = env_bool("WEBHOOKS_ALLOW_HTTP", False)
WEBHOOKS_ALLOW_PRIVATE = env_bool("WEBHOOKS_ALLOW_PRIVATE", False)
