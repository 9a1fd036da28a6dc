"""Fixtures of the operations tests: every test starts with empty process metrics and a fresh migration check."""

import pytest

from ops.health import MigrationState
from ops.metrics import LABELLED


@pytest.fixture(autouse=True)
def fresh_metrics():
    """The process-wide counters start from nothing, so a test's expected sample values are its own."""
    for metric in LABELLED:
        metric.clear()
    MigrationState.all_applied = False
    yield
    MigrationState.all_applied = False
