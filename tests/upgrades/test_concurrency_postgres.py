"""Two real concurrent upgrades of one subscription on PostgreSQL: exactly one wins, the other gets code 4.

Row locks only exist on PostgreSQL (SQLite serialises writers; the same-connection re-check is covered in
``test_tasks_and_pipeline``), so this module only defines its test when the suite runs on PostgreSQL.
"""

import threading

import pytest
from django.conf import settings
from django.db import connection

from subscriptions.models import Subscription
from tests.builders import add_users
from upgrades import steps
from upgrades.eligibility import UpgradeErrorCode as C
from upgrades.exceptions import UpgradeNotEligible
from upgrades.models import UpgradeOperation
from upgrades.services import subscription_upgrade

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def _race(agent, subscription_id, first_target, second_target, monkeypatch):
    locked, release = threading.Event(), threading.Event()
    outcome = {}
    real = steps.create_target_subscription

    def slow_create(**kwargs):
        if threading.current_thread().name == "first":
            locked.set()
            release.wait(timeout=20)
        return real(**kwargs)

    monkeypatch.setattr(steps, "create_target_subscription", slow_create)

    def first():
        try:
            outcome["first"] = subscription_upgrade(
                actor=agent, subscription_id=subscription_id, target_offer_id=first_target
            )
        except Exception as exc:  # reported by the assertions below
            outcome["first"] = exc
        finally:
            connection.close()

    def second():
        try:
            outcome["second"] = subscription_upgrade(
                actor=agent, subscription_id=subscription_id, target_offer_id=second_target
            )
        except Exception as exc:
            outcome["second"] = exc
        finally:
            release.set()
            connection.close()

    thread = threading.Thread(target=first, name="first")
    thread.start()
    assert locked.wait(timeout=20)
    other = threading.Thread(target=second, name="second")
    other.start()
    other.join(timeout=30)
    thread.join(timeout=30)
    return outcome


if ON_POSTGRES:

    @pytest.mark.postgres
    @pytest.mark.django_db(transaction=True, serialized_rollback=True)
    def test_two_concurrent_upgrades_of_one_subscription(agent, source, monkeypatch):
        add_users(source, 20)
        outcome = _race(agent, source.pk, "o365-e3", "o365-e5", monkeypatch)
        assert outcome["first"].target_subscription_id
        assert isinstance(outcome["second"], UpgradeNotEligible)
        assert outcome["second"].codes == {C.CONCURRENCY_CONFLICTS}
        assert UpgradeOperation.objects.filter(status="succeeded").count() == 1
        assert Subscription.objects.filter(customer=source.customer, status="active").count() == 1

    @pytest.mark.postgres
    @pytest.mark.django_db(transaction=True, serialized_rollback=True)
    def test_concurrent_upgrades_of_two_subscriptions_of_one_customer(agent, source, partner, monkeypatch):
        from tests.builders import make_subscription

        other = make_subscription(source.customer, "m365-business-basic", partner=partner)
        locked, release = threading.Event(), threading.Event()
        outcome = {}
        real = steps.create_target_subscription

        def slow_create(**kwargs):
            locked.set()
            release.wait(timeout=20)
            return real(**kwargs)

        monkeypatch.setattr(steps, "create_target_subscription", slow_create)

        def first():
            try:
                outcome["first"] = subscription_upgrade(
                    actor=agent, subscription_id=source.pk, target_offer_id="o365-e3"
                )
            finally:
                connection.close()

        thread = threading.Thread(target=first)
        thread.start()
        assert locked.wait(timeout=20)
        try:
            with pytest.raises(UpgradeNotEligible) as error:
                subscription_upgrade(actor=agent, subscription_id=other.pk, target_offer_id="o365-e1")
        finally:
            release.set()
            thread.join(timeout=30)
        assert error.value.codes == {C.CONCURRENCY_CONFLICTS}
        assert outcome["first"].target_subscription_id
