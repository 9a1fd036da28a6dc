"""partners tells the apps above it of its changes by signal (it imports neither accounts nor delegation)."""

import pytest
from django.contrib.auth.models import Group

from audit.models import AuditRecord, OperationType
from core.errors import Conflict
from delegation.groups import security_group_group_name
from partners import group_services, user_services
from partners.models import SecurityGroup
from partners.signals import partner_user_changed, security_group_uses

from .. import factories


@pytest.fixture
def admin(partner):
    return factories.PartnerUserFactory(partner=partner, username="gina", roles=["global_admin"])


def test_a_user_change_is_announced_once_and_delegation_mirrors_the_groups(partner, admin, sales_agent):
    group = factories.SecurityGroupFactory(partner=partner, name="Helpdesk Agents")
    heard = []

    def listener(sender, user, **kwargs):
        heard.append(user.pk)

    partner_user_changed.connect(listener)
    try:
        user_services.partner_user_update(
            actor=admin, user_id=sales_agent.pk, roles=["sales_agent"], group_ids=[group.pk]
        )
    finally:
        partner_user_changed.disconnect(listener)
    assert heard == [sales_agent.pk]
    auth_group = Group.objects.get(name=security_group_group_name(partner.pk, group.pk))
    assert auth_group.user_set.filter(pk=sales_agent.pk).exists()


def test_a_group_a_live_gdap_assignment_carries_cannot_be_deleted(partner, admin):
    assignment = factories.AccessAssignmentFactory(
        relationship=factories.GdapRelationshipFactory(partner=partner), group__name="Tier 2"
    )
    group = assignment.group
    assert security_group_uses(group) == 1  # delegation's receiver answers
    with pytest.raises(Conflict) as refused:
        group_services.security_group_delete(actor=admin, group_id=group.pk)
    assert refused.value.field == "group"
    assert SecurityGroup.objects.filter(pk=group.pk).exists()
    assert not AuditRecord.objects.filter(operation_type=OperationType.UPDATE_SECURITY_GROUP).exists()

    assignment.status = "deleted"
    assignment.save(update_fields=["status"])
    assert security_group_uses(group) == 0
    group_services.security_group_delete(actor=admin, group_id=group.pk)
    assert not SecurityGroup.objects.filter(pk=group.pk).exists()
    assert AuditRecord.objects.filter(operation_type=OperationType.UPDATE_SECURITY_GROUP).count() == 1
