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
