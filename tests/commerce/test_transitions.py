"""Carrying out a new commerce transition (domain.md §8): ``commerce.services.subscription_transition``.

Figures are hand-computed: Business Basic P1Y billed annually costs 72.00 a seat a year, Office 365 E3 276.00
(catalog: 6.00 and 23.00 a month × 12). The source's term runs 2026-02-01 … 2027-01-31; the transition day is
2026-08-01, so 184 of the period's 365 days are left (Aug 31 + Sep 30 + Oct 31 + Nov 30 + Dec 31 + Jan 31).
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from audit.models import AuditRecord
from commerce.models import Transition
from commerce.services import TransitionNotEligible, subscription_transition
from core.errors import InvalidInput, NotFound
from subscriptions.models import LicenseAssignment, Subscription
from tests import factories
from tests.builders import NCE_TERM_END as TERM_END
from tests.builders import add_users
from tests.builders import nce_subscription as nce
from upgrades.models import BillingEntry

pytestmark = pytest.mark.django_db

BASIC = "CFQ7TTC0LH18:0001:DZH318Z0BQ3Q"
E3 = "CFQ7TTC0LF8R:0001:DZH318Z0BOE3"
STANDARD = "CFQ7TTC0LDPB:0001:DZH318Z0BPS6"
DAY = date(2026, 8, 1)


def transition(agent, source, **kwargs):
    kwargs.setdefault("to_catalog_item_id", E3)
    kwargs.setdefault("today", DAY)
    return subscription_transition(actor=agent, subscription_id=source.pk, **kwargs)


def entries(row):
    return {(e.subscription_id, e.kind): e.amount for e in BillingEntry.objects.filter(transitions=row)}


def test_full_transition_to_a_new_subscription(agent, source):
    row = transition(agent, source, from_catalog_item_id=BASIC)
    source.refresh_from_db()
    target = Subscription.objects.get(pk=row.target_id)
    assert (source.status, source.auto_renew) == ("deleted", False)
    assert (target.offer_id, target.quantity, target.commerce) == ("o365-e3", 10, "new")
    assert (target.term_duration, target.billing_cycle, target.commitment_end_date) == ("P1Y", "annual", TERM_END)
    assert target.term_start_date == DAY
    assert (row.status, row.quantity, row.merged, row.transition_type) == ("completed", 10, False, "transition_only")
    assert (row.from_catalog_item_id, row.to_catalog_item_id) == (BASIC, E3)
    assert [(e["name"], e["status"]) for e in row.events] == [("Conversion", "Completed")]
    # 72 × 10 × 184 / 365 = 362.958…; 276 × 10 × 184 / 365 = 1391.342…
    assert entries(row) == {
        (source.pk, "credit"): Decimal("-362.96"),
        (target.pk, "charge"): Decimal("1391.34"),
    }
    assert [h.to_status for h in row.history] == ["pending", "in_progress", "completed"]


def test_partial_transition_keeps_the_rest_on_the_source(agent, source):
    row = transition(agent, source, quantity=4)
    source.refresh_from_db()
    assert (source.status, source.quantity) == ("active", 6)
    assert Subscription.objects.get(pk=row.target_id).quantity == 4
    # 72 × 4 × 184 / 365 = 145.183…; 276 × 4 × 184 / 365 = 556.536…
    assert entries(row) == {
        (source.pk, "credit"): Decimal("-145.18"),
        (row.target_id, "charge"): Decimal("556.54"),
    }
    assert row.billing["credit"] == {"amount": "-145.18", "currency": "USD"}


def test_a_longer_term_starts_a_new_term_today(agent, source):
    row = transition(agent, source, quantity=4, term_duration="P3Y", billing_cycle="annual")
    target = Subscription.objects.get(pk=row.target_id)
    assert (target.term_duration, target.term_start_date, target.commitment_end_date) == (
        "P3Y",
        DAY,
        date(2029, 7, 31),
    )
    # a full first annual period of the new term: 276 × 4
    assert entries(row)[(target.pk, "charge")] == Decimal("1104.00")


def test_into_an_existing_subscription_of_the_target(agent, customer, partner, source):
    existing = nce(
        customer,
        "o365-e3",
        partner=partner,
        quantity=5,
        term_start_date=date(2026, 5, 1),
        commitment_end_date=date(2027, 4, 30),
    )
    row = transition(agent, source, quantity=4, to_subscription_id=str(existing.pk))
    existing.refresh_from_db()
    assert (row.target_id, row.merged, existing.quantity) == (existing.pk, True, 9)
    assert Subscription.objects.filter(offer_id="o365-e3").count() == 1
    # the existing target's period 2026-05-01 … 2027-04-30 (365 days), 273 left: 276 × 4 × 273 / 365 = 825.731…
    assert entries(row)[(existing.pk, "charge")] == Decimal("825.73")


def test_merge_target_must_be_eligible(agent, customer, partner, source):
    early = nce(customer, "o365-e3", partner=partner, commitment_end_date=date(2026, 12, 31))
    with pytest.raises(TransitionNotEligible) as caught:
        transition(agent, source, to_subscription_id=str(early.pk))
    assert [e.error_name for e in caught.value.errors] == ["ends_before_source"]
    assert caught.value.http_status == 409


def test_license_transfer_of_named_users(agent, source):
    users = add_users(source, 6)
    named = [str(users[0].object_id), str(users[3].object_id)]
    row = transition(agent, source, quantity=2, transition_type="transition_with_license_transfer", user_ids=named)
    moved = set(LicenseAssignment.objects.filter(subscription_id=row.target_id).values_list("user_id", flat=True))
    assert moved == {users[0].pk, users[3].pk}
    assert LicenseAssignment.objects.filter(subscription=source).count() == 4
    assert row.licenses_moved == 2
    assert [(e["name"], e["status"]) for e in row.events] == [
        ("Conversion", "Completed"),
        ("LicenseReassignment", "Completed"),
    ]


def test_license_transfer_without_names_moves_those_assigned_last(agent, source):
    users = add_users(source, 6)
    base = timezone.now() - timedelta(days=30)
    for i, user in enumerate(users):
        LicenseAssignment.objects.filter(user=user).update(assigned=base + timedelta(days=i))
    row = transition(agent, source, quantity=3, transition_type="transition_with_license_transfer")
    moved = set(LicenseAssignment.objects.filter(subscription_id=row.target_id).values_list("user_id", flat=True))
    assert moved == {users[3].pk, users[4].pk, users[5].pk}


def test_full_license_transfer_moves_everybody(agent, source):
    add_users(source, 7)
    row = transition(agent, source, transition_type="transition_with_license_transfer")
    assert LicenseAssignment.objects.filter(subscription_id=row.target_id).count() == 7
    assert not LicenseAssignment.objects.filter(subscription=source).exists()


def test_scheduled_changes_of_the_source_are_deleted(agent, source):
    instructions = {"product": {"catalogItemId": STANDARD}, "quantity": 10, "termDuration": "P1Y"}
    Subscription.objects.filter(pk=source.pk).update(scheduled_next_term_instructions=instructions)
    row = transition(agent, source, quantity=4)
    source.refresh_from_db()
    assert source.scheduled_next_term_instructions is None
    assert row.removed_scheduled_changes == instructions


def test_audit_records(agent, source):
    add_users(source, 2)
    row = transition(agent, source, quantity=4, transition_type="transition_with_license_transfer")
    records = AuditRecord.objects.order_by("operation_type")
    assert [r.operation_type for r in records] == ["update_customer_user_licenses", "upgrade_subscription"]
    conversion = records[1]
    assert conversion.resource_old_value["quantity"] == 10
    assert conversion.resource_new_value["transitionId"] == str(row.pk)
    assert conversion.resource_new_value["quantityMoved"] == 4
    assert conversion.resource_new_value["sourceQuantity"] == 6
    assert records[0].resource_new_value["licensesMoved"] == 2


# A catalog item id of the right shape that no offer of the catalog is sold as (Business Basic's product with an
# availability the catalog does not hold).
UNSOLD_ITEM = "CFQ7TTC0LH18:0001:DZH318Z0ZZ99"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"to_catalog_item_id": "not-an-item"}, "toCatalogItemId"),
        ({"to_catalog_item_id": UNSOLD_ITEM}, "toCatalogItemId"),  # well-formed, not in the catalog
        ({"from_catalog_item_id": E3}, "fromCatalogItemId"),
        ({"from_catalog_item_id": UNSOLD_ITEM}, "fromCatalogItemId"),
        ({"to_catalog_item_id": BASIC}, "toCatalogItemId"),  # the source's own product: no matrix row
        ({"quantity": 0}, "quantity"),
        ({"quantity": -1}, "quantity"),
        ({"quantity": 11}, "quantity"),
        ({"quantity": "4"}, "quantity"),
        ({"term_duration": "P2Y"}, "termDuration"),
        ({"billing_cycle": "weekly"}, "billingCycle"),
        ({"term_duration": "P1M", "billing_cycle": "annual"}, "billingCycle"),
        ({"billing_cycle": "triennial"}, "billingCycle"),  # P1Y is billed monthly or annually
        ({"transition_type": "upgrade_only"}, "transitionType"),
        ({"to_subscription_id": "not-a-guid"}, "toSubscriptionId"),
        ({"user_ids": ["not-a-guid"]}, "userIds"),
        ({"user_ids": "everybody", "transition_type": "transition_with_license_transfer"}, "userIds"),
    ],
)
def test_bad_input_names_the_field(agent, source, kwargs, field):
    with pytest.raises(InvalidInput) as caught:
        transition(agent, source, **kwargs)
    assert caught.value.field == field
    assert Transition.objects.count() == 0


def test_to_subscription_id_must_be_a_merge_target(agent, customer, partner, source):
    other_offer = nce(customer, "o365-e5", partner=partner)
    with pytest.raises(InvalidInput) as caught:
        transition(agent, source, to_subscription_id=str(other_offer.pk))
    assert caught.value.field == "toSubscriptionId"


def test_merge_term_must_be_the_targets(agent, customer, partner, source):
    existing = nce(customer, "o365-e3", partner=partner)
    with pytest.raises(InvalidInput) as caught:
        transition(agent, source, to_subscription_id=str(existing.pk), term_duration="P3Y")
    assert caught.value.field == "termDuration"


def test_named_users_must_hold_a_license_and_fit_the_seats(agent, source):
    users = add_users(source, 3)
    stranger = factories.TenantUserFactory(customer=source.customer)
    kind = "transition_with_license_transfer"
    with pytest.raises(InvalidInput) as caught:
        transition(agent, source, quantity=2, transition_type=kind, user_ids=[str(stranger.object_id)])
    assert (caught.value.field, str(stranger.object_id) in caught.value.message) == ("userIds", True)
    with pytest.raises(InvalidInput) as caught:
        transition(agent, source, quantity=2, transition_type=kind, user_ids=[str(u.object_id) for u in users])
    assert caught.value.field == "userIds"
    with pytest.raises(InvalidInput) as caught:
        transition(agent, source, quantity=2, user_ids=[str(users[0].object_id)])  # transition_only
    assert caught.value.field == "userIds"


def test_eligibility_is_rechecked_on_the_locked_rows(agent, source):
    # eligible when the caller looked; suspended meanwhile
    Subscription.objects.filter(pk=source.pk).update(status="suspended")
    with pytest.raises(TransitionNotEligible) as caught:
        transition(agent, source)
    assert [e.error_name for e in caught.value.errors] == ["subscription_status_not_active"]
    assert Transition.objects.count() == 0
    assert BillingEntry.objects.count() == 0


def test_not_eligible_lists_every_reason(agent, customer, partner, source):
    Subscription.objects.filter(pk=source.pk).update(status="suspended")
    nce(customer, "m365-business-basic", partner=partner)  # another of the source's product
    with pytest.raises(TransitionNotEligible) as caught:
        transition(agent, source, transition_type="transition_with_license_transfer")
    assert [e.error_name for e in caught.value.errors] == [
        "subscription_status_not_active",
        "conflicting_subscriptions_for_license_transfer",
    ]


def test_a_shorter_term_is_refused_mid_term(agent, source):
    with pytest.raises(TransitionNotEligible) as caught:
        transition(agent, source, term_duration="P1M", billing_cycle="monthly")
    assert [e.error_name for e in caught.value.errors] == ["shorter_term_not_allowed_mid_term"]


def test_another_partners_subscription_is_not_found(agent):
    other = factories.PartnerFactory()
    foreign = nce(factories.CustomerFactory(), "m365-business-basic", partner=other)
    with pytest.raises(NotFound):
        transition(agent, foreign)


def test_without_the_upgrade_capability(partner, source):
    reader = factories.PartnerUserFactory(partner=partner, roles=["billing_admin"])
    with pytest.raises(PermissionDenied):
        transition(reader, source)


def test_a_legacy_source_is_told_to_upgrade(agent, customer, partner):
    legacy = factories.SubscriptionFactory(customer=customer, partner=partner, offer_id="m365-business-basic")
    with pytest.raises(TransitionNotEligible) as caught:
        transition(agent, legacy)
    assert [e.error_name for e in caught.value.errors] == ["legacy_subscription"]
    assert Transition.objects.count() == 0


def test_a_row_locked_by_a_concurrent_change_is_a_409_at_once(agent, source, monkeypatch):
    from django.db import OperationalError

    import commerce.services

    def held(**kwargs):
        raise OperationalError("could not obtain lock on row")  # PostgreSQL's NOWAIT refusal

    monkeypatch.setattr(commerce.services, "load_transition_context", held)
    with pytest.raises(TransitionNotEligible) as caught:
        transition(agent, source)
    assert [e.error_name for e in caught.value.errors] == ["concurrency_conflicts"]
    assert Transition.objects.count() == 0


def test_an_application_transitions_without_licenses_only(partner, source):
    from tests.builders import app_actor

    app = app_actor(partner)
    with pytest.raises(TransitionNotEligible) as caught:
        transition(app, source, transition_type="transition_with_license_transfer")
    assert [e.error_name for e in caught.value.errors] == ["user_context_required"]
    row = transition(app, source, quantity=2)
    assert (row.status, row.actor_user_id, row.actor_application_id) == ("completed", None, str(app.application_id))
