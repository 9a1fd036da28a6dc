"""Fixtures of the direct (admin center) tests: a Swedish tenant with a directly bought Office 365 E4."""

import pytest

from tests import factories
from tests.builders import direct_subscription


@pytest.fixture
def customer(db):
    return factories.CustomerFactory(country="SE", company_name="Fabrikam AB", domain="fabrikam.onmicrosoft.com")


@pytest.fixture
def admin(customer):
    user = factories.UserFactory(username="greta")
    factories.CustomerAdminRoleFactory(user=user, customer=customer, role="global_administrator")
    return user


@pytest.fixture
def e4(customer):
    return direct_subscription(customer)


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client
