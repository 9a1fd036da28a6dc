"""Fixtures of the partner-side admin tests (issue 8 item 1): two partners sharing a customer
(``tests.builders.partner_side_world``); ``world`` here replaces the admin package's Proseware world."""

import pytest

from tests.builders import partner_side_world


@pytest.fixture
def world(db):
    return partner_side_world()


@pytest.fixture
def pga_client(client, world):
    """The own partner's global admin, signed in."""
    client.force_login(world.own.admin)
    return client


@pytest.fixture
def operator_client(client, world):
    client.force_login(world.operator)
    return client
