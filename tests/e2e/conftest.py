"""End-to-end tests: real HTTP against pytest-django's ``live_server`` (they run in the normal suite).

They use transactional databases (``serialized_rollback`` restores the catalog the data migration loaded).
"""

import pytest

from accounts.models import ApiToken
from tests.builders import make_upgradable


@pytest.fixture
def world(partner, sales_agent):
    """An upgradable subscription (10 seats, 5 licensed users) and the agent's raw Bearer token."""
    upgradable = make_upgradable(partner=partner, agent=sales_agent, seats=10, licensed=5)
    _token, raw = ApiToken.issue(user=sales_agent)
    upgradable.raw_token = raw
    return upgradable
