"""What a user's delegated roles mean for upgrades (domain.md §3), through the upgrades engine."""

import pytest

from tests import factories
from tests.builders import active_gdap
from upgrades.eligibility.types import UpgradeErrorCode, UpgradeTypeName
from upgrades.selectors import upgrade_options_for


@pytest.fixture
def subscription(world):
    return factories.SubscriptionFactory(customer=world.own, partner=world.partner, offer_id="m365-business-basic")


def eligible_types(actor, subscription):
    options = upgrade_options_for(actor=actor, subscription=subscription)
    assert options, "the matrix has targets for Business Basic"
    return options


def test_reader_roles_get_upgrade_only_writers_get_license_transfer(world, subscription):
    relationship = active_gdap(world.partner, world.own, roles=["Directory Readers", "Directory Writers"])
    readers = factories.SecurityGroupFactory(partner=world.partner, name="Readers")
    writers = factories.SecurityGroupFactory(partner=world.partner, name="Writers")
    factories.AccessAssignmentFactory(relationship=relationship, group=readers, unified_roles=["Directory Readers"])
    factories.AccessAssignmentFactory(relationship=relationship, group=writers, unified_roles=["Directory Writers"])
    reader = factories.PartnerUserFactory(partner=world.partner, username="reader", roles=["sales_agent"])
    writer = factories.PartnerUserFactory(partner=world.partner, username="writer", roles=["sales_agent"])
    readers.members.add(reader)
    writers.members.add(writer)

    reader_options = [o for o in eligible_types(reader, subscription) if o.is_eligible]
    writer_options = [o for o in eligible_types(writer, subscription) if o.is_eligible]
    assert reader_options and writer_options
    assert {o.upgrade_type for o in reader_options} == {UpgradeTypeName.UPGRADE_ONLY}
    assert {o.upgrade_type for o in writer_options} == {UpgradeTypeName.UPGRADE_WITH_LICENSE_TRANSFER}


@pytest.mark.parametrize("setup", ["none", "dap_off", "expired", "terminated", "pending"])
def test_no_active_relationship_blocks_every_option(world, subscription, setup):
    if setup == "dap_off":
        factories.DapGrantFactory(partner=world.partner, customer=world.own, enabled=False)
    elif setup != "none":
        status = {"expired": "expired", "terminated": "terminated", "pending": "approvalPending"}[setup]
        factories.GdapRelationshipFactory(partner=world.partner, customer=world.own, status=status)
    for option in eligible_types(world.users["admin_agent"], subscription):
        codes = {e.code for e in option.errors}
        assert UpgradeErrorCode.DELEGATED_ADMIN_PERMISSIONS_DISABLED in codes
        assert option.upgrade_type == UpgradeTypeName.NONE


def test_dap_on_admin_agent_transfers_licenses(world, subscription):
    factories.DapGrantFactory(partner=world.partner, customer=world.own, enabled=True)
    options = [o for o in eligible_types(world.users["admin_agent"], subscription) if o.is_eligible]
    assert options and {o.upgrade_type for o in options} == {UpgradeTypeName.UPGRADE_WITH_LICENSE_TRANSFER}
