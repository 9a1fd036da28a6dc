"""Helpers of the real-worker suite: where the project lives and the database URL a second process can use."""

from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The test database as a ``DATABASE_URL`` for a worker process (PostgreSQL only)."""
    db = connection.settings_dict
    assert db["ENGINE"].endswith("postgresql"), "the real-worker suite needs PostgreSQL (set DATABASE_URL)"
    user = db.get("USER") or "postgres"
    return f"postgres://{user}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
