"""Fixtures of the four-eyes approval tests (domain.md §9): a partner with approval thresholds and its people.

``partner`` (Contoso) sells through ``sales_agent`` (ana, creator of most jobs, no approve capability); its
approvers are ``admin_agent`` (bo) and ``global_admin`` (cy); ``upgradables`` are three upgradable Business
Basic subscriptions of 10 seats each (Office 365 E3: 23.00 a seat a month, so 230.00 a month per item).
"""

import pytest

from tests import factories
from tests.builders import api_for, make_upgradable


@pytest.fixture
def admin_agent(partner):
    return factories.PartnerUserFactory(partner=partner, username="bo", roles=["admin_agent"])


@pytest.fixture
def global_admin(partner):
    return factories.PartnerUserFactory(partner=partner, username="cy", roles=["global_admin"])


@pytest.fixture
def upgradables(partner, sales_agent, admin_agent):
    """Three upgradable subscriptions; the sales agent and the admin agent both hold the delegated access."""
    made = [make_upgradable(partner=partner, agent=sales_agent, licensed=2) for _ in range(3)]
    factories.SecurityGroupFactory(partner=partner, name="Admin Agents").members.add(admin_agent)  # one group
    return made


@pytest.fixture
def threshold(partner):
    """``threshold(items=2)``: set the partner's approval thresholds (None: no limit)."""

    def set_threshold(*, items=None, seats=None, monthly_value=None):
        partner.approval_items, partner.approval_seats, partner.approval_monthly_value = items, seats, monthly_value
        partner.save(update_fields=["approval_items", "approval_seats", "approval_monthly_value"])
        return partner

    return set_threshold


@pytest.fixture
def agent_api(admin_agent):
    return api_for(user=admin_agent)


@pytest.fixture
def admin_api(global_admin):
    return api_for(user=global_admin)
