"""Settings for the test suite: the development settings with a fast password hasher.

The factories create many users; PBKDF2 at Django's full strength (about 0.2 s a password on the CI machine)
dominated the suite's run time. Tests that check hashing or sign-in safety ask for the ``real_password_hasher``
fixture (``tests/conftest.py``), which restores the production hashers.
"""

from .settings import *  # noqa: F403 (settings module: re-export every setting)
from .settings import PASSWORD_HASHERS as PRODUCTION_PASSWORD_HASHERS

FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
REAL_PASSWORD_HASHERS = [h for h in PRODUCTION_PASSWORD_HASHERS if "MD5" not in h]
PASSWORD_HASHERS = FAST_PASSWORD_HASHERS
