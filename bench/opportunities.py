"""Opportunities benchmark: a partner with 10,000 customers × 3 subscriptions (and one with 100).

    .venv/bin/python bench/opportunities.py [--customers N] [--small N] [--database PATH]

Sets Django up against a fresh temporary SQLite file (migrated), imports the book through ``importer``
(2 tenant users per customer, both assigned to the first subscription), then signs the partner's admin agent
in and measures the opportunities page's server time and queries: the first page and the CSV export of
everything, for the large book and for the small one. Targets: the same queries for both books, first page
under 1 s, export under 10 s.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ itself, also when a test loads this file

SOURCES = ["m365-business-basic", "m365-business-standard", "m365-apps-for-business"]
FIRST_PAGE_SECONDS = 1.0
EXPORT_SECONDS = 10.0


def build_document(customers: int, *, tag: str) -> dict:
    """``customers`` × 3 subscriptions (Basic, Standard, Apps for business), 2 users assigned to the first."""
    from importlib import util

    spec = util.spec_from_file_location("bench_import", Path(__file__).resolve().parent / "import.py")
    module = util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    module.OFFERS[:] = SOURCES
    document = module.build_document(customers, subscriptions=3, users=2, tag=tag)
    for index, customer in enumerate(document["customers"]):
        customer["country"] = ("US", "DE", "FR", "GB")[index % 4]
        for position, sub in enumerate(customer["subscriptions"]):
            sub["quantity"] = 5 + (index + position) % 20
            if position:
                sub["assignments"] = []
    return document
