"""Query counts are part of the contract: flat for 10 and 10,000 users, and for 20 and 200 offers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from catalog.models import Offer, OfferPrice, UpgradePath
from subscriptions.models import LicenseAssignment
from tests import factories
from tests.builders import add_users, grant_gdap, make_subscription
from upgrades.selectors import upgrade_option_for, upgrade_options_for
from upgrades.services import subscription_upgrade

pytestmark = pytest.mark.django_db


def tenant_with_users(partner, agent, users: int):
    customer = factories.CustomerFactory()
    factories.RelationshipFactory(partner=partner, customer=customer)
    grant_gdap(partner=partner, customer=customer, user=agent)
    source = make_subscription(customer, "m365-business-basic", partner=partner, quantity=users)
    add_users(source, users - 2)
    add_users(source, 2, disabled=["EXCHANGE_S_STANDARD"], prefix="d")
    make_subscription(customer, "o365-e1", channel="direct", payment_method="credit_card")
    return source


def queries(func) -> int:
    with CaptureQueriesContext(connection) as captured:
        func()
    return len(captured)


def fresh(user):
    return User.objects.get(pk=user.pk)  # no cached roles


def test_eligibility_and_upgrade_are_flat_in_the_number_of_users(partner, agent):
    small = tenant_with_users(partner, agent, 10)
    large = tenant_with_users(partner, agent, 10_000)
    assert LicenseAssignment.objects.filter(subscription=large).count() == 10_000

    counts = {}
    for name, source in (("small", small), ("large", large)):
        actor = fresh(agent)
        counts[name] = (
            queries(lambda actor=actor, source=source: upgrade_options_for(actor=actor, subscription=source)),
            queries(
                lambda actor=actor, source=source: upgrade_option_for(
                    actor=actor, subscription=source, target_offer_id="o365-e3"
                )
            ),
        )
    assert counts["small"] == counts["large"]
    assert counts["small"][0] <= 12

    upgrade_counts = {}
    for name, source in (("small", small), ("large", large)):
        actor = fresh(agent)
        upgrade_counts[name] = queries(
            lambda actor=actor, source=source: subscription_upgrade(
                actor=actor,
                subscription_id=source.pk,
                target_offer_id="o365-e3",
                upgrade_type="upgrade_with_license_transfer",
            )
        )
    assert upgrade_counts["small"] == upgrade_counts["large"]
    assert upgrade_counts["small"] <= 35
    assert LicenseAssignment.objects.filter(subscription__offer_id="o365-e3").count() == 10_010


def _grow_catalog_to(total: int, source_offer: str = "m365-business-basic"):
    existing = Offer.objects.count()
    extra = [
        Offer(id=f"extra-{existing + i}", name=f"Extra offer {existing + i}", sku_part_number=f"X{i}")
        for i in range(total - existing)
    ]
    Offer.objects.bulk_create(extra)
    OfferPrice.objects.bulk_create(
        [
            OfferPrice(offer=o, billing_cycle=c, currency="USD", unit_price="1.00")
            for o in extra
            for c in ("monthly", "annual")
        ]
    )
    through = Offer.service_plans.through
    through.objects.bulk_create([through(offer_id=o.pk, serviceplan_id="EXCHANGE_S_ENTERPRISE") for o in extra])
    UpgradePath.objects.bulk_create(
        [UpgradePath(source_id=source_offer, target=o, position=100 + i) for i, o in enumerate(extra)]
    )
    assert Offer.objects.count() == total


def test_eligibility_and_upgrade_are_flat_in_the_size_of_the_catalog(partner, agent):
    first, second = tenant_with_users(partner, agent, 5), tenant_with_users(partner, agent, 5)
    measured = {}
    for total, source in ((20, first), (200, second)):
        _grow_catalog_to(total)
        actor = fresh(agent)
        options = queries(lambda actor=actor, source=source: upgrade_options_for(actor=actor, subscription=source))
        assert len(upgrade_options_for(actor=actor, subscription=source)) == 4 + total - 19
        upgraded = queries(
            lambda actor=actor, source=source: subscription_upgrade(
                actor=actor, subscription_id=source.pk, target_offer_id="o365-e3"
            )
        )
        measured[total] = (options, upgraded)
    assert measured[20] == measured[200]
