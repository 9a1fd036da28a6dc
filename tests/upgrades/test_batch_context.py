"""The batch loader (``load_contexts``) answers, for every subscription, exactly what loading it alone answers
(``load_context``), field by field, in a number of queries that does not grow with the subscriptions."""

import dataclasses

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from core.errors import NotFound
from tests import factories
from tests.builders import app_actor, grant_gdap, make_subscription
from upgrades.eligibility.context import LoadedContext, load_context, load_contexts
from upgrades.eligibility.types import EligibilityContext
from upgrades.models import UpgradeOperation

pytestmark = pytest.mark.django_db


def _operation(source, status, target="o365-e3"):
    return UpgradeOperation.objects.create(
        source=source,
        target_offer_id=target,
        customer=source.customer,
        partner=source.partner,
        upgrade_type="upgrade_only",
        quantity=source.quantity,
        billing_cycle="monthly",
        status=status,
    )


@pytest.fixture
def estate(partner, other_partner, agent):
    """Five customers of ``partner`` (global and India; DAP, GDAP writer, GDAP reader, none) holding
    subscriptions in every channel, add-ons, open and finished operations; one customer shared with
    ``other_partner``. Returns every subscription created (in scope or not)."""
    subs = []

    def add(customer, offer, **fields):
        subs.append(make_subscription(customer, offer, **fields))
        return subs[-1]

    # 1. Global, GDAP with a license-writing role; add-ons (one active, one suspended), a direct E1 (conflict),
    #    an open operation of another subscription and a finished one.
    writer = factories.CustomerFactory(company_name="Writer Ltd")
    factories.RelationshipFactory(partner=partner, customer=writer)
    grant_gdap(partner=partner, customer=writer, user=agent, roles=("License Administrator",))
    basic = add(writer, "m365-business-basic", partner=partner, quantity=12)
    add(writer, "audio-conferencing", partner=partner, parent=basic)
    add(writer, "phone-system", partner=partner, parent=basic, status="suspended")
    add(writer, "o365-e1", channel="direct", payment_method="credit_card")
    add(writer, "m365-business-standard", partner=partner, billing_cycle="annual")
    busy = add(writer, "m365-apps-for-business", partner=partner)
    _operation(busy, "in_progress")
    _operation(basic, "failed")
    add(writer, "o365-e3", channel="volume_licensing")
    add(writer, "o365-e5", partner=partner, status="deleted")

    # 2. Global, DAP only (the agent is in Admin Agents): Global Administrator through DAP.
    dap = factories.CustomerFactory(company_name="Dap Inc")
    factories.RelationshipFactory(partner=partner, customer=dap)
    factories.DapGrantFactory(partner=partner, customer=dap)
    factories.SecurityGroupFactory(partner=partner, name="Admin Agents").members.add(agent)
    add(dap, "m365-apps-for-business", partner=partner, provisioning_state="provisioning")
    add(dap, "m365-business-basic", partner=partner, status="suspended")
    add(dap, "o365-e1", partner=partner)

    # 3. Global, GDAP granting only a reader role to the agent; shared with the other partner.
    reader = factories.CustomerFactory(company_name="Reader GmbH", country="DE")
    factories.RelationshipFactory(partner=partner, customer=reader)
    factories.RelationshipFactory(partner=other_partner, customer=reader)
    grant_gdap(partner=partner, customer=reader, user=agent, roles=("Directory Readers",))
    add(reader, "m365-business-basic", partner=partner)
    add(reader, "m365-business-standard", partner=other_partner)
    add(reader, "m365-business-premium", partner=other_partner, status="pending")

    # 4. India, GDAP writer: India sources, global offers with India variants held elsewhere.
    india = factories.CustomerFactory(company_name="Tata Demo", country="IN")
    factories.RelationshipFactory(partner=partner, customer=india)
    grant_gdap(partner=partner, customer=india, user=agent)
    add(india, "m365-business-basic-in", partner=partner)
    add(india, "m365-apps-for-business-in", partner=partner, quantity=3)
    add(india, "m365-business-basic", partner=partner)  # a global source in an India tenant
    add(india, "o365-e1", channel="direct", payment_method="invoice")

    # 5. No active relationship at all (GDAP expired, DAP off).
    lapsed = factories.CustomerFactory(company_name="Lapsed SA")
    factories.RelationshipFactory(partner=partner, customer=lapsed)
    factories.DapGrantFactory(partner=partner, customer=lapsed, enabled=False)
    grant_gdap(partner=partner, customer=lapsed, user=agent)
    lapsed.gdap_relationships.update(status="terminated")
    add(lapsed, "m365-business-basic", partner=partner)
    add(lapsed, "m365-business-standard", partner=partner)

    # 6. The other partner's own customer.
    theirs = factories.CustomerFactory(company_name="Theirs Co")
    factories.RelationshipFactory(partner=other_partner, customer=theirs)
    factories.DapGrantFactory(partner=other_partner, customer=theirs)
    add(theirs, "m365-business-basic", partner=other_partner)
    return subs


def assert_same(batch: LoadedContext, single: LoadedContext):
    for item in dataclasses.fields(EligibilityContext):
        assert getattr(batch.ctx, item.name) == getattr(single.ctx, item.name), item.name
    assert batch.ctx == single.ctx
    assert batch.subscription.pk == single.subscription.pk
    assert batch.offers == single.offers

    # ``has_india_variant`` is the loader's annotation on the offers, not a model field.
    batch_variants = {k: o.has_india_variant for k, o in batch.offers.items()}  # type: ignore[attr-defined]
    single_variants = {k: o.has_india_variant for k, o in single.offers.items()}  # type: ignore[attr-defined]
    assert batch_variants == single_variants
    for name in ("access", "plan_codes", "plan_families", "prices", "matrix_target_ids"):
        assert getattr(batch, name) == getattr(single, name), name


def compare(actor, subscriptions, **kwargs) -> dict:
    batch = load_contexts(actor=actor, subscriptions=subscriptions, **kwargs)
    for pk, loaded in batch.items():
        assert_same(loaded, load_context(actor=actor, subscription=pk, **kwargs))
    for sub in subscriptions:
        if sub.pk not in batch:
            with pytest.raises(NotFound):
                load_context(actor=actor, subscription=sub.pk, **kwargs)
    return batch


def test_batch_contexts_equal_single_contexts_for_a_partner_user(agent, estate, partner):
    batch = compare(agent, estate)
    expected = {s.pk for s in estate if s.channel == "csp" and s.partner_id == partner.pk}
    assert set(batch) == expected  # other partners' and other channels' subscriptions are left out
    # The fixture does exercise the variants it claims to.
    ctxs = [loaded.ctx for loaded in batch.values()]
    assert {c.actor.has_delegated_access for c in ctxs} == {True, False}
    assert {c.actor.can_transfer_licenses for c in ctxs} == {True, False}
    assert any(c.open_operations for c in ctxs) and any(c.active_addons for c in ctxs)
    assert {c.source_offer.market for c in ctxs} == {"global", "IN"}
    assert any(not c.path_ids for c in ctxs)


def test_batch_contexts_equal_single_contexts_with_cycle_and_extra_targets(agent, estate):
    compare(agent, estate, billing_cycle="annual", extra_target_ids=("o365-e3", "no-such-offer", "m365-e5"))


def test_batch_contexts_equal_single_contexts_for_an_application(partner, estate):
    batch = compare(app_actor(partner), estate)
    assert batch and all(c.ctx.actor.is_application and not c.ctx.actor.delegated_roles for c in batch.values())


def test_batch_contexts_equal_single_contexts_for_an_operator_across_partners(estate, partner, other_partner):
    operator = factories.UserFactory(is_superuser=True, is_staff=True)
    batch = compare(operator, estate)
    assert {loaded.subscription.partner_id for loaded in batch.values()} == {partner.pk, other_partner.pk}


def test_excluded_operation_and_mixed_inputs(agent, estate):
    busy = UpgradeOperation.objects.get(status="in_progress")
    sources = [estate[0], str(estate[4].pk), "not-a-guid", None]
    batch = load_contexts(actor=agent, subscriptions=sources, exclude_operation_id=busy.pk)
    assert set(batch) == {estate[0].pk, estate[4].pk}
    for pk, loaded in batch.items():
        assert not loaded.ctx.open_operations
        assert_same(loaded, load_context(actor=agent, subscription=pk, exclude_operation_id=busy.pk))
    with pytest.raises(NotFound):
        load_context(actor=agent, subscription="not-a-guid")


def _count(agent, load, subscriptions) -> int:
    actor = User.objects.get(pk=agent.pk)  # no cached roles: every count pays the same role query
    with CaptureQueriesContext(connection) as captured:
        load(actor=actor, subscriptions=subscriptions)
    return len(captured)


def _single(*, actor, subscriptions):
    return load_context(actor=actor, subscription=subscriptions[0])


def test_query_count_does_not_grow_with_subscriptions_or_customers(agent, partner, estate):
    # One subscription of a GDAP customer and one of a DAP customer: both delegation role queries run.
    small = [next(s for s in estate if s.customer.company_name == name) for name in ("Writer Ltd", "Dap Inc")]
    two = _count(agent, load_contexts, small)
    everything = _count(agent, load_contexts, estate)
    for _ in range(20):  # twenty more customers, each with two upgradable subscriptions
        customer = factories.CustomerFactory()
        factories.RelationshipFactory(partner=partner, customer=customer)
        grant_gdap(partner=partner, customer=customer, user=agent)
        estate += [
            make_subscription(customer, "m365-business-basic", partner=partner),
            make_subscription(customer, "m365-apps-for-business", partner=partner),
        ]
    more = _count(agent, load_contexts, estate)
    assert two == everything == more <= 12  # roles 1 + sources..operations 7 + delegated access 4
    # The single loader is the batch loader for one id: one customer with GDAP only or DAP only needs one of
    # the two role queries, nothing else differs.
    assert _count(agent, _single, small[:1]) == _count(agent, _single, small[1:]) == two - 1


@pytest.mark.parametrize("who", ["agent", "application", "operator"])
def test_book_loader_equals_the_batch_loader(who, agent, partner, estate):
    """``load_book`` (plain rows, a queryset scope) builds the very contexts ``load_contexts`` builds."""
    from subscriptions.models import Subscription
    from upgrades.eligibility.context import load_book
    from upgrades.eligibility.engine import evaluate, evaluate_all

    actor = {"agent": agent, "application": app_actor(partner), "operator": None}[who]
    if actor is None:
        actor = factories.UserFactory(is_superuser=True, is_staff=True)
    scope = Subscription.objects.filter(pk__in=[s.pk for s in estate])
    book = load_book(actor=actor, scope=scope)
    batch = load_contexts(actor=actor, subscriptions=estate)
    assert set(book) == set(batch) and book
    for pk, item in book.items():
        assert item.ctx == batch[pk].ctx
        assert item.projection.prices == batch[pk].prices
        assert item.matrix_target_ids == batch[pk].matrix_target_ids
        # evaluate_all (source rules once per source) answers what evaluate answers per target.
        assert evaluate_all(item.ctx) == [evaluate(item.ctx, target) for target in item.ctx.path_ids]
    assert load_book(actor=actor, scope=scope.filter(pk=estate[0].pk)).keys() <= {estate[0].pk}
