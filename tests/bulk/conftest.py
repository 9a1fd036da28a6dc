"""Fixtures of the bulk API tests (built on the /v1/ API test fixtures)."""

import pytest

from tests.builders import make_upgradable


@pytest.fixture
def upgradables(partner, sales_agent):
    """Three upgradable Business Basic subscriptions of ``partner`` in three customers."""
    return [make_upgradable(partner=partner, agent=sales_agent, licensed=2) for _ in range(3)]
