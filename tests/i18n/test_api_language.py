"""The API's human texts follow Accept-Language (issue 13, item 3); codes, errorName and field names never do."""

import pytest

from tests.builders import api_for, make_upgradable, sub_url

pytestmark = pytest.mark.django_db

EXPECTED = {
    "en": ("Only an active subscription can be upgraded.", "Current status: suspended."),
    "sv-SE": ("Endast en aktiv prenumeration kan uppgraderas.", "Aktuell status: suspended."),
    "zh-TW": ("只有作用中的訂閱可以升級。", "目前狀態：suspended。"),
}


@pytest.fixture
def suspended(partner, sales_agent):
    upgradable = make_upgradable(partner=partner, agent=sales_agent)
    upgradable.subscription.status = "suspended"
    upgradable.subscription.save(update_fields=["status"])
    return upgradable.subscription


@pytest.mark.parametrize("accept", sorted(EXPECTED))
def test_upgrade_errors_come_in_the_requested_language(sales_agent, suspended, accept):
    response = api_for(user=sales_agent).get(sub_url(suspended, "/upgrades"), headers={"Accept-Language": accept})
    assert response.status_code == 200
    errors = [e for item in response.json()["items"] for e in item["upgradeErrors"] if e["code"] == 2]
    assert errors, response.json()
    description, details = EXPECTED[accept]
    assert {(e["errorName"], e["description"], e["additionalDetails"]) for e in errors} == {
        ("subscription_status_not_active", description, details)
    }


@pytest.mark.parametrize(
    ("accept", "description"),
    [
        ("en", "targetOffer: This field is required."),
        ("sv", "targetOffer: Det här fältet är obligatoriskt."),
        ("zh-TW", "targetOffer: 此為必需欄位。"),
    ],
)
def test_a_service_fault_names_the_field_in_english_and_says_why_in_the_language(
    sales_agent, suspended, accept, description
):
    response = api_for(user=sales_agent).post(sub_url(suspended, "/upgrades"), {}, headers={"Accept-Language": accept})
    assert response.status_code == 400
    body = response.json()
    assert body["errorName"] == "invalid_input" and body["data"] == [description]
