"""Microsoft's generated Partner Center client (PyPI ``partnercenterservices``, AutoRest + msrest) against
the live portal: the compatibility target. It calls ``/v{version}/...`` with version "1", no trailing
slashes, ``MS-CorrelationId``/``MS-RequestId`` headers and camelCase bodies."""

import uuid

import pytest
from microsoft.store.partnercenterservices import MicrosoftPartnerStoreApis
from msrest.authentication import BasicTokenAuthentication

from subscriptions.models import LicenseAssignment, Subscription
from tests.builders import E2E_DB

pytestmark = [pytest.mark.e2e, E2E_DB]
VERSION = "1"


def client_for(live_server, raw_token: str) -> MicrosoftPartnerStoreApis:
    return MicrosoftPartnerStoreApis(BasicTokenAuthentication({"access_token": raw_token}), base_url=live_server.url)


def test_generated_client_lists_reads_and_upgrades(live_server, world):
    client = client_for(live_server, world.raw_token)
    tenant_id, subscription_id = str(world.customer.tenant_id), str(world.subscription.pk)

    customers = client.getvversioncustomersfilterfilter.value(VERSION, size=50, ms_correlation_id=str(uuid.uuid4()))
    assert [c.company_profile.tenant_id for c in customers.items] == [tenant_id]
    assert customers.attributes.object_type == "Collection"
    assert customers.items[0].relationship_to_partner == "reseller"

    customer = client.getvversioncustomerscustomer.id(tenant_id, VERSION)
    assert customer.company_profile.domain == world.customer.domain

    subscriptions = client.getvversioncustomerscustomer.value9(tenant_id, VERSION)
    assert [s.id for s in subscriptions.items] == [subscription_id]
    subscription = client.getvversioncustomerscustomer.id6(tenant_id, subscription_id, VERSION)
    assert (subscription.offer_id, subscription.quantity, subscription.status) == ("m365-business-basic", 10, "active")
    assert subscription.commitment_end_date is not None  # iso-8601 parsed by msrest

    offers = client.getvversionofferscountrycountry.value(VERSION, country="US", size=100)
    assert "o365-e3" in {offer.id for offer in offers.items}

    upgrades = client.getvversioncustomerscustomer.idupgrades(tenant_id, subscription_id, VERSION)
    e3 = next(u for u in upgrades.items if u.target_offer.id == "o365-e3")
    assert e3.is_eligible and e3.upgrade_type == "upgrade_with_license_transfer" and e3.quantity == 10

    # POST the Upgrade exactly as the client serializes the object the GET returned.
    result = client.postvversioncustomerscustomer.idupgrades(
        tenant_id, subscription_id, e3, VERSION, ms_correlation_id=str(uuid.uuid4()), ms_request_id=str(uuid.uuid4())
    )
    assert result is not None, "the upgrade POST did not answer 200/201"
    assert result.source_subscription_id == subscription_id
    assert result.upgrade_errors == [] and result.upgrade_type == "upgrade_with_license_transfer"
    target = Subscription.objects.get(pk=result.target_subscription_id)
    assert target.offer_id == "o365-e3"
    assert LicenseAssignment.objects.filter(subscription=target).count() == 5
    assert client.getvversioncustomerscustomer.id6(tenant_id, subscription_id, VERSION).status == "deleted"


def test_generated_client_sees_service_faults(live_server, world):
    client = client_for(live_server, world.raw_token)
    raw = client.getvversioncustomerscustomer.id(str(uuid.uuid4()), VERSION, raw=True)
    assert raw.response.status_code == 404
    body = raw.response.json()
    assert body["attributes"] == {"objectType": "ServiceFault"} and body["errorName"] == "not_found"
    assert raw.response.headers["MS-CorrelationId"]

    anonymous = client_for(live_server, "wrong-token")
    assert anonymous.getvversioncustomersfilterfilter.value(VERSION, raw=True).response.status_code == 401
