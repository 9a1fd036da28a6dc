"""A source whose only eligible target has no price in its currency counts as no uplift, never as −∞."""

from decimal import Decimal

from opportunities.selectors import Opportunity, TargetLine


def row(*lines):
    return Opportunity(
        subscription_id="s1",
        customer_pk=1,
        customer_tenant_id="t1",
        customer_name="Tata Traders",
        customer_domain="tata.example",
        country="IN",
        segment="commercial",
        market="IN",
        source_offer_id="m365-business-basic-in",
        source_offer_name="Microsoft 365 Business Basic (India)",
        billing_cycle="monthly",
        currency="INR",
        seats=5,
        assigned=2,
        current_monthly=Decimal("145.00"),
        lines=lines,
    )


def test_an_eligible_target_without_a_price_has_no_uplift():
    unpriced = TargetLine("o365-e5", "Office 365 E5", True, (), None, None)
    opportunity = row(unpriced)
    assert opportunity.eligible is True
    assert opportunity.best is unpriced
    assert opportunity.monthly_uplift == Decimal("0")
    assert opportunity.yearly_uplift == Decimal("0")


def test_a_priced_eligible_target_is_preferred_to_an_unpriced_one():
    unpriced = TargetLine("o365-e5", "Office 365 E5", True, (), None, None)
    priced = TargetLine(
        "m365-business-standard-in", "Business Standard (India)", True, (), Decimal("660.00"), Decimal("2575.00")
    )
    opportunity = row(unpriced, priced)
    assert opportunity.best is priced
    assert opportunity.monthly_uplift == Decimal("2575.00")
    assert opportunity.yearly_uplift == Decimal("30900.00")
