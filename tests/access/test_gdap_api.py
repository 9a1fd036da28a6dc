"""/v1/delegatedAdminRelationships and .../accessAssignments: Graph field names, scoping, ServiceFaults."""

import pytest
from rest_framework.test import APIClient

from accounts.models import ApiToken
from delegation.models import GdapRelationship
from tests.builders import active_gdap

BASE = "/v1/delegatedAdminRelationships"


def client_for(*, user=None, partner=None) -> APIClient:
    _token, raw = ApiToken.issue(user=user, partner=partner)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def body(world, **overrides):
    data = {
        "displayName": "API request",
        "customer": {"tenantId": str(world.own.tenant_id)},
        "accessDetails": {
            "unifiedRoles": [
                {"roleDefinitionId": "88d8e3e3-8f55-4a1e-953a-9b9898b8876b", "displayName": "Directory Readers"},
                {"displayName": "Directory Writers"},
            ]
        },
        "duration": "P730D",
        "autoExtendDuration": "P180D",
    }
    data.update(overrides)
    return data


def test_create_and_read_with_graph_field_names(world):
    client = client_for(user=world.users["admin_agent"])
    response = client.post(BASE, body(world), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert set(data) >= {
        "id",
        "displayName",
        "customer",
        "accessDetails",
        "duration",
        "autoExtendDuration",
        "status",
        "createdDateTime",
        "activatedDateTime",
        "endDateTime",
        "lastModifiedDateTime",
        "attributes",
    }
    assert data["status"] == "approvalPending" and data["duration"] == "P730D"
    assert data["autoExtendDuration"] == "P180D"
    assert data["customer"] == {"tenantId": str(world.own.tenant_id), "displayName": "Own Co"}
    assert data["accessDetails"]["unifiedRoles"] == [
        {"displayName": "Directory Readers"},
        {"displayName": "Directory Writers"},
    ]
    assert data["attributes"] == {"objectType": "DelegatedAdminRelationship"}
    listing = client.get(BASE).json()
    assert listing["totalCount"] == 1 and listing["items"][0]["id"] == data["id"]
    assert client.get(f"{BASE}/{data['id']}").json()["displayName"] == "API request"


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"displayName": "x" * 51}, "displayName"),
        ({"duration": "P3Y"}, "duration"),
        ({"autoExtendDuration": "P1D"}, "autoExtendDuration"),
        ({"accessDetails": {"unifiedRoles": [{"displayName": "Nope"}]}}, "accessDetails.unifiedRoles"),
        ({"customer": {"tenantId": "not-a-guid"}}, "customer"),
    ],
)
def test_bad_input_is_a_400_service_fault_naming_the_field(world, overrides, field):
    response = client_for(user=world.users["admin_agent"]).post(BASE, body(world, **overrides), format="json")
    assert response.status_code == 400
    fault = response.json()
    assert fault["attributes"]["objectType"] == "ServiceFault"
    assert field in " ".join(fault["data"]) + fault["description"]
    assert not GdapRelationship.objects.exists()


def test_customer_outside_scope_is_rejected(world):
    response = client_for(user=world.users["admin_agent"]).post(
        BASE, body(world, customer={"tenantId": str(world.foreign.tenant_id)}), format="json"
    )
    assert response.status_code == 400
    assert not GdapRelationship.objects.exists()


def test_roles_and_app_tokens(world):
    assert client_for(user=world.users["sales_agent"]).post(BASE, body(world), format="json").status_code == 403
    assert client_for(user=world.users["sales_agent"]).get(BASE).status_code == 200
    assert client_for(partner=world.partner).post(BASE, body(world), format="json").status_code == 403
    assert APIClient().get(BASE).status_code == 401


def test_another_partners_relationship_is_404(world):
    relationship = active_gdap(world.partner, world.own, group=world.gdap_group)
    other = client_for(user=world.other_users["global_admin"])
    assert other.get(BASE).json()["totalCount"] == 0
    assert other.get(f"{BASE}/{relationship.pk}").status_code == 404
    assert other.get(f"{BASE}/{relationship.pk}/accessAssignments").status_code == 404
    assert other.post(f"{BASE}/{relationship.pk}/requests", {"action": "terminate"}, format="json").status_code == 404
    assert client_for(user=world.users["sales_agent"]).get(f"{BASE}/not-a-guid").status_code == 400


def test_access_assignments_subset_and_lifecycle(world):
    relationship = active_gdap(world.partner, world.own, roles=["Directory Readers"])
    client = client_for(user=world.users["admin_agent"])
    url = f"{BASE}/{relationship.pk}/accessAssignments"
    bad = client.post(
        url,
        {
            "accessContainer": {"accessContainerId": str(world.gdap_group.pk)},
            "accessDetails": {"unifiedRoles": [{"displayName": "Directory Writers"}]},
        },
        format="json",
    )
    assert bad.status_code == 400 and "subset" in bad.json()["description"]
    created = client.post(
        url,
        {
            "accessContainer": {"accessContainerId": str(world.gdap_group.pk), "accessContainerType": "securityGroup"},
            "accessDetails": {"unifiedRoles": [{"displayName": "Directory Readers"}]},
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["status"] == "active" and data["accessContainer"]["accessContainerId"] == str(world.gdap_group.pk)
    assert client.get(url).json()["totalCount"] == 1
    assert client.get(f"{url}/{data['id']}").status_code == 200
    duplicate = client.post(
        url,
        {
            "accessContainer": {"accessContainerId": str(world.gdap_group.pk)},
            "accessDetails": {"unifiedRoles": [{"displayName": "Directory Readers"}]},
        },
        format="json",
    )
    assert duplicate.status_code == 409
    assert client.delete(f"{url}/{data['id']}").status_code == 204
    assert client.get(f"{url}/{data['id']}").json()["status"] == "deleted"


def test_terminate_through_requests(world):
    relationship = active_gdap(world.partner, world.own)
    client = client_for(user=world.users["global_admin"])
    response = client.post(f"{BASE}/{relationship.pk}/requests", {"action": "terminate"}, format="json")
    assert response.status_code == 202
    assert response.json()["status"] in ("terminationRequested", "terminated")
    again = client.post(f"{BASE}/{relationship.pk}/requests", {"action": "terminate"}, format="json")
    assert again.status_code == 409
    assert client.post(f"{BASE}/{relationship.pk}/requests", {"action": "approve"}, format="json").status_code == 400
