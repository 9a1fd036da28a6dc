import pytest

from . import factories


@pytest.fixture
def partner(db):
    return factories.PartnerFactory(code="contoso-csp", name="Contoso CSP")


@pytest.fixture
def other_partner(db):
    return factories.PartnerFactory(code="wingtip-csp", name="Wingtip CSP")


@pytest.fixture
def sales_agent(partner):
    return factories.PartnerUserFactory(partner=partner, username="ana", roles=["sales_agent"])


@pytest.fixture
def real_password_hasher(settings):
    """The production password hashers (the suite runs with a fast one: ``partnercenter.settings_test``)."""
    settings.PASSWORD_HASHERS = settings.REAL_PASSWORD_HASHERS
