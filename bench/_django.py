"""Shared set-up of the benchmarks: a fresh temporary SQLite database with every migration applied."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def fresh_database(prefix: str) -> str:
    """Point Django at a new SQLite file, set it up and migrate; prints and returns the file's path."""
    workdir = tempfile.mkdtemp(prefix=f"{prefix}-")
    path = f"{workdir}/bench.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    migrate(path)
    return path


def migrate(database: str) -> None:
    """Set Django up on the environment's ``DATABASE_URL`` and apply every migration; prints how long it took
    (``database``: what to call it)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnercenter.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"database      {database} (migrated in {time.perf_counter() - started:.1f} s)")


def business_basic_fields(*, customer, partner, seats: int) -> dict[str, Any]:
    """The fields of a CSP Business Basic subscription of ``seats`` seats that ``partner`` sold to ``customer``,
    its term started this month (the source the benchmarks upgrade)."""
    return {
        "customer": customer,
        "offer_id": "m365-business-basic",
        "quantity": seats,
        "channel": "csp",
        "partner": partner,
        "channel_partner_name": partner.code,
        "term_start_date": date.today().replace(day=1),
    }


def drop_database(path: str) -> None:
    """Close the connections and remove the temporary database's folder."""
    import shutil

    from django.db import connections

    connections.close_all()
    shutil.rmtree(os.path.dirname(path), ignore_errors=True)
