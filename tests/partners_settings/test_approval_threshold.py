"""Issue 11 item 2: the partner's four-eyes threshold, set in the portal and the Django admin (one service)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from audit.models import AuditRecord
from partners.approval import ApprovalThreshold, JobSize, needs_approval, require_approver
from partners.approval_services import approval_threshold_update
from partners.models import Partner
from tests import factories

pytestmark = pytest.mark.django_db
URL = "/partner/settings/approval/"


def thresholds(partner: Partner) -> tuple:
    partner.refresh_from_db()
    return partner.approval_items, partner.approval_seats, partner.approval_monthly_value


def test_the_rule_is_strictly_above_any_set_measure(partner):
    assert needs_approval(partner, JobSize(items=1000, seats=10**6, monthly_value=Decimal("1e9"))) == []
    partner.approval_items, partner.approval_seats, partner.approval_monthly_value = 20, 500, Decimal("100.00")
    assert needs_approval(partner, JobSize(items=20, seats=500, monthly_value=Decimal("100.00"))) == []
    assert needs_approval(partner, JobSize(items=21, seats=10, monthly_value=Decimal("0"))) == ["items"]
    assert needs_approval(partner, JobSize(items=1, seats=501, monthly_value=Decimal("100.01"))) == [
        "seats",
        "monthlyValue",
    ]


def test_who_may_approve(partner):
    creator = factories.PartnerUserFactory(partner=partner, username="maker", roles=["admin_agent"])
    agent = factories.PartnerUserFactory(partner=partner, username="checker", roles=["admin_agent"])
    sales = factories.PartnerUserFactory(partner=partner, username="sales", roles=["sales_agent"])
    require_approver(agent, created_by_user_id=creator.pk)
    from django.core.exceptions import PermissionDenied

    for actor in (creator, sales):
        with pytest.raises(PermissionDenied):
            require_approver(actor, created_by_user_id=creator.pk)


def test_portal_global_admin_sets_and_clears_it_with_one_audit_record_each(client, partner):
    client.force_login(factories.PartnerUserFactory(partner=partner, username="ga", roles=["global_admin"]))
    response = client.post(URL, {"items": "50", "seats": "", "monthly_value": "5000.00"})
    assert response.status_code == 302
    assert thresholds(partner) == (50, None, Decimal("5000.00"))
    record = AuditRecord.objects.get(resource_type="ApprovalThreshold")
    assert record.partner_id == partner.pk
    assert record.resource_old_value == {"approvalThreshold": {}}
    assert record.resource_new_value == {"approvalThreshold": {"items": 50, "monthlyValue": "5000.00"}}

    assert client.post(URL, {"items": "50", "seats": "", "monthly_value": "5000.00"}).status_code == 302
    assert AuditRecord.objects.filter(resource_type="ApprovalThreshold").count() == 1  # nothing changed: no record
    client.post(URL, {"items": "", "seats": "", "monthly_value": ""})
    assert thresholds(partner) == (None, None, None)
    assert ApprovalThreshold.of(partner).is_set is False
    assert AuditRecord.objects.filter(resource_type="ApprovalThreshold").count() == 2


def test_portal_bad_input_is_400_beside_the_field_and_changes_nothing(client, partner):
    client.force_login(factories.PartnerUserFactory(partner=partner, username="ga", roles=["global_admin"]))
    response = client.post(URL, {"items": "-3", "seats": "many", "monthly_value": "1.234"})
    assert response.status_code == 400
    content = response.content.decode()
    for field in ("items", "seats", "monthly_value"):
        assert f'id="id_{field}_error"' in content
    assert thresholds(partner) == (None, None, None)
    assert not AuditRecord.objects.filter(resource_type="ApprovalThreshold").exists()


def test_portal_other_roles_see_the_threshold_but_cannot_change_it(client, partner):
    partner.approval_seats = 200
    partner.save()
    client.force_login(factories.PartnerUserFactory(partner=partner, username="agent", roles=["admin_agent"]))
    page = client.get(URL)
    assert page.status_code == 200
    assert "<form" not in page.content.decode().split('class="page-header"')[1].split("</main>")[0]
    assert "200" in page.content.decode()
    assert client.post(URL, {"items": "1"}).status_code == 403
    assert thresholds(partner) == (None, 200, None)


def test_the_service_refuses_another_partners_threshold(partner, other_partner):
    ga = factories.PartnerUserFactory(partner=partner, username="ga", roles=["global_admin"])
    from core.errors import InvalidInput, NotFound

    with pytest.raises(NotFound):
        approval_threshold_update(actor=ga, partner=other_partner, items=1, seats=None, monthly_value=None)
    with pytest.raises(InvalidInput) as info:
        approval_threshold_update(actor=ga, partner=partner, items=None, seats=-1, monthly_value=None)
    assert info.value.field == "seats"
    assert thresholds(other_partner) == (None, None, None)


def test_admin_global_admin_changes_only_the_threshold_of_their_own_partner(contoso_admin, world):
    contoso, wingtip = world.contoso, world.wingtip
    url = reverse("admin:partners_partner_change", args=[contoso.pk])
    page = contoso_admin.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert 'name="approval_items"' in content and 'name="name"' not in content
    response = contoso_admin.post(
        url,
        {
            "name": "Renamed",
            "approval_items": "25",
            "approval_seats": "",
            "approval_monthly_value": "",
            "security_groups-TOTAL_FORMS": "0",
            "security_groups-INITIAL_FORMS": "0",
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    contoso.refresh_from_db()
    assert (contoso.name, contoso.approval_items) == ("Contoso CSP", 25)
    assert AuditRecord.objects.filter(resource_type="ApprovalThreshold", partner=contoso).count() == 1
    other = contoso_admin.get(reverse("admin:partners_partner_change", args=[wingtip.pk]))
    assert other.status_code in (302, 404)
    assert thresholds(wingtip) == (None, None, None)


def test_admin_operator_sets_any_partners_threshold(operator, world):
    wingtip = world.wingtip
    url = reverse("admin:partners_partner_change", args=[wingtip.pk])
    response = operator.post(
        url,
        {
            "code": wingtip.code,
            "name": wingtip.name,
            "mpn_id": "",
            "tenant_id": "",
            "approval_items": "",
            "approval_seats": "300",
            "approval_monthly_value": "",
            "security_groups-TOTAL_FORMS": "0",
            "security_groups-INITIAL_FORMS": "0",
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert thresholds(wingtip) == (None, 300, None)
    assert AuditRecord.objects.filter(resource_type="ApprovalThreshold", partner=wingtip).count() == 1
