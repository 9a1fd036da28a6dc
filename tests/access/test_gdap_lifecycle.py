"""GDAP lifecycle: request, approval, assignments, termination, lapse, expiry, auto-extension, notices."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from audit.models import AuditRecord
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from delegation import services, transitions
from delegation.models import GdapRelationship, GdapStatus
from delegation.tasks import delegation_sweep
from notifications.models import Notification
from tests import factories
from tests.builders import active_gdap

S = GdapStatus


# ------------------------------------------------------------------------------------------ pure table
@pytest.mark.parametrize(
    "current,target",
    [
        (S.CREATED, S.APPROVAL_PENDING),
        (S.APPROVAL_PENDING, S.ACTIVE),
        (S.APPROVAL_PENDING, S.EXPIRED),
        (S.APPROVAL_PENDING, S.TERMINATED),
        (S.ACTIVE, S.EXPIRING),
        (S.ACTIVE, S.EXPIRED),
        (S.EXPIRING, S.ACTIVE),
        (S.ACTIVE, S.TERMINATION_REQUESTED),
        (S.TERMINATION_REQUESTED, S.TERMINATING),
        (S.TERMINATING, S.TERMINATED),
    ],
)
def test_legal_transitions(current, target):
    transitions.check_transition(current, target)


@pytest.mark.parametrize(
    "current,target",
    [
        (S.CREATED, S.ACTIVE),
        (S.APPROVAL_PENDING, S.TERMINATION_REQUESTED),
        (S.EXPIRED, S.ACTIVE),
        (S.TERMINATED, S.ACTIVE),
        (S.TERMINATED, S.TERMINATION_REQUESTED),
        (S.TERMINATING, S.ACTIVE),
        (S.ACTIVE, S.APPROVAL_PENDING),
        (S.EXPIRED, S.TERMINATION_REQUESTED),
        (S.TERMINATION_REQUESTED, S.ACTIVE),
    ],
)
def test_illegal_transitions_raise(current, target):
    assert not transitions.can_transition(current, target)
    with pytest.raises(transitions.IllegalTransition) as info:
        transitions.check_transition(current, target)
    assert info.value.http_status == 409 and info.value.field == "status"


def test_final_states_have_no_way_out():
    assert transitions.TRANSITIONS[S.EXPIRED] == frozenset()
    assert transitions.TRANSITIONS[S.TERMINATED] == frozenset()
    assert set(transitions.TRANSITIONS) == set(S.values)


# ------------------------------------------------------------------------------------------ request
def request(world, **kwargs):
    data = {
        "customer": world.own,
        "display_name": "Contoso helpdesk",
        "unified_roles": ["Directory Readers", "Directory Writers"],
    }
    data.update(kwargs)
    return services.relationship_request_create(actor=world.users["admin_agent"], **data)


def test_request_is_approval_pending_with_defaults_and_audit(world):
    relationship = request(world)
    assert relationship.status == S.APPROVAL_PENDING
    assert relationship.duration == timedelta(days=730)
    assert relationship.auto_extend_duration == timedelta(0)
    assert relationship.activated_date_time is None and relationship.end_date_time is None
    record = AuditRecord.objects.get(operation_type="create_delegated_admin_relationship")
    assert record.customer == world.own and record.resource_new_value["status"] == "approvalPending"


@pytest.mark.parametrize("role", ["sales_agent", "helpdesk_agent", "billing_admin", "user_management_admin"])
def test_only_admin_agents_and_global_admins_request(world, role):
    with pytest.raises(Exception) as info:
        services.relationship_request_create(
            actor=world.users[role], customer=world.own, display_name="x", unified_roles=["Directory Readers"]
        )
    assert info.type.__name__ == "PermissionDenied"


def test_request_for_a_customer_outside_scope_is_not_found(world):
    for customer in (world.foreign, world.orphan):
        with pytest.raises(NotFound):
            request(world, customer=customer)


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"display_name": ""}, "displayName"),
        ({"display_name": "x" * 51}, "displayName"),
        ({"unified_roles": []}, "accessDetails.unifiedRoles"),
        ({"unified_roles": ["Directory Readers", "Owner of Everything"]}, "accessDetails.unifiedRoles"),
        ({"duration": "P0D"}, "duration"),
        ({"duration": "P731D"}, "duration"),
        ({"duration": "two years"}, "duration"),
        ({"auto_extend_duration": "P90D"}, "autoExtendDuration"),
    ],
)
def test_request_validation_names_the_field(world, kwargs, field):
    with pytest.raises(InvalidInput) as info:
        request(world, **kwargs)
    assert info.value.field == field
    assert not GdapRelationship.objects.exists()


def test_display_name_is_unique_per_partner_only(world):
    request(world, display_name="Same name")
    with pytest.raises(InvalidInput) as info:
        request(world, display_name="Same name")
    assert info.value.field == "displayName"
    factories.RelationshipFactory(partner=world.other_partner, customer=world.own)
    services.relationship_request_create(
        actor=world.other_users["admin_agent"],
        customer=world.own,
        display_name="Same name",
        unified_roles=["Directory Readers"],
    )


def test_p2y_and_p180d_are_accepted(world):
    relationship = request(world, duration="P2Y", auto_extend_duration="P180D")
    assert relationship.duration == timedelta(days=730) and relationship.auto_extend_duration == timedelta(days=180)


# ------------------------------------------------------------------------------------------ approval
def test_customer_global_admin_approves_end_is_activated_plus_duration(world):
    now = timezone.now()
    relationship = request(world, duration="P30D")
    approved = services.relationship_approve(
        actor=world.customer_admins["global_administrator"], relationship_id=relationship.pk, now=now
    )
    assert approved.status == S.ACTIVE
    assert approved.activated_date_time == now and approved.end_date_time == now + timedelta(days=30)


@pytest.mark.parametrize("who", ["user_administrator", "billing_administrator", "foreign", "partner"])
def test_nobody_else_approves(world, who):
    relationship = request(world)
    actor = {"foreign": world.foreign_admin, "partner": world.users["global_admin"]}.get(who) or world.customer_admins[
        who
    ]
    with pytest.raises(Forbidden):
        services.relationship_approve(actor=actor, relationship_id=relationship.pk)
    relationship.refresh_from_db()
    assert relationship.status == S.APPROVAL_PENDING


def test_decline_and_illegal_moves(world):
    ga = world.customer_admins["global_administrator"]
    relationship = request(world)
    services.relationship_decline(actor=ga, relationship_id=relationship.pk)
    relationship.refresh_from_db()
    assert relationship.status == S.TERMINATED
    with pytest.raises(Conflict):
        services.relationship_approve(actor=ga, relationship_id=relationship.pk)
    with pytest.raises(Conflict):
        services.relationship_termination_request(actor=world.users["admin_agent"], relationship_id=relationship.pk)


def test_approving_a_lapsed_request_fails(world):
    relationship = request(world)
    with pytest.raises(Conflict):
        services.relationship_approve(
            actor=world.customer_admins["global_administrator"],
            relationship_id=relationship.pk,
            now=timezone.now() + timedelta(days=91),
        )


def test_unknown_relationship_is_not_found(world):
    with pytest.raises(NotFound):
        services.relationship_approve(actor=world.customer_admins["global_administrator"], relationship_id="nope")


# ------------------------------------------------------------------------------------------ assignments
def test_assignment_roles_must_be_a_subset(world):
    relationship = active_gdap(world.partner, world.own, roles=["Directory Readers"])
    with pytest.raises(InvalidInput) as info:
        services.access_assignment_create(
            actor=world.users["admin_agent"],
            relationship_id=relationship.pk,
            group=world.gdap_group,
            unified_roles=["Directory Writers"],
        )
    assert info.value.field == "accessDetails.unifiedRoles" and "Directory Writers" in info.value.message


def test_assignment_group_must_be_the_partners_and_relationship_active(world):
    relationship = active_gdap(world.partner, world.own)
    foreign_group = factories.SecurityGroupFactory(partner=world.other_partner, name="Theirs")
    with pytest.raises(InvalidInput):
        services.access_assignment_create(
            actor=world.users["admin_agent"],
            relationship_id=relationship.pk,
            group=foreign_group,
            unified_roles=["Directory Readers"],
        )
    pending = request(world, display_name="Pending one")
    with pytest.raises(Conflict):
        services.access_assignment_create(
            actor=world.users["admin_agent"],
            relationship_id=pending.pk,
            group=world.gdap_group,
            unified_roles=["Directory Readers"],
        )


def test_other_partner_cannot_touch_our_relationship(world):
    relationship = active_gdap(world.partner, world.own)
    with pytest.raises(NotFound):
        services.relationship_termination_request(
            actor=world.other_users["admin_agent"], relationship_id=relationship.pk
        )
    with pytest.raises(NotFound):
        services.access_assignment_create(
            actor=world.other_users["global_admin"],
            relationship_id=relationship.pk,
            group=world.gdap_group,
            unified_roles=["Directory Readers"],
        )


# ------------------------------------------------------------------------------------------ termination
def test_termination_goes_through_terminating_to_terminated_and_keeps_subscriptions(
    world, django_capture_on_commit_callbacks
):
    subscription = factories.SubscriptionFactory(customer=world.own, partner=world.partner)
    relationship = active_gdap(world.partner, world.own, group=world.gdap_group)
    with django_capture_on_commit_callbacks(execute=True):
        services.relationship_termination_request(actor=world.users["admin_agent"], relationship_id=relationship.pk)
    relationship.refresh_from_db()
    assert relationship.status == S.TERMINATED
    assert relationship.access_assignments.get().status == "deleted"
    subscription.refresh_from_db()
    assert subscription.status == "active"
    statuses = [
        r.resource_new_value["status"]
        for r in AuditRecord.objects.filter(resource_type="DelegatedAdminRelationship").order_by("operation_date")
    ]
    assert statuses == ["terminationRequested", "terminated"]


def test_customer_global_admin_can_terminate_too(world):
    relationship = active_gdap(world.partner, world.own)
    services.relationship_termination_request(
        actor=world.customer_admins["global_administrator"], relationship_id=relationship.pk
    )
    assert delegation_sweep.delay().get()["terminated"] == 1
    relationship.refresh_from_db()
    assert relationship.status == S.TERMINATED


# ------------------------------------------------------------------------------------------ time
def test_request_lapses_after_90_days(world):
    relationship = request(world)
    t0 = relationship.created_date_time
    assert services.relationships_sweep(now=t0 + timedelta(days=89))["lapsed"] == 0
    assert services.relationships_sweep(now=t0 + timedelta(days=90, seconds=1))["lapsed"] == 1
    relationship.refresh_from_db()
    assert relationship.status == S.EXPIRED


def approved(world, *, duration="P60D", auto_extend="PT0S"):
    relationship = request(world, duration=duration, auto_extend_duration=auto_extend)
    t0 = timezone.now()
    services.relationship_approve(
        actor=world.customer_admins["global_administrator"], relationship_id=relationship.pk, now=t0
    )
    services.access_assignment_create(
        actor=world.users["admin_agent"],
        relationship_id=relationship.pk,
        group=world.gdap_group,
        unified_roles=["Directory Writers"],
        now=t0,
    )
    relationship.refresh_from_db()
    return relationship, t0


def test_expiry_at_end_date_removes_access_but_not_subscriptions(world):
    from customers.selectors import customers_manageable_by

    subscription = factories.SubscriptionFactory(customer=world.own, partner=world.partner)
    relationship, t0 = approved(world)
    end = relationship.end_date_time
    assert world.own in customers_manageable_by(world.users["sales_agent"])
    assert services.relationships_sweep(now=end - timedelta(seconds=1))["expired"] == 0
    result = services.relationships_sweep(now=end)
    assert result["expired"] == 1
    relationship.refresh_from_db()
    assert relationship.status == S.EXPIRED
    assert world.own not in customers_manageable_by(world.users["sales_agent"])
    subscription.refresh_from_db()
    assert subscription.status == "active"
    assert services.relationships_sweep(now=end + timedelta(days=1)) == {
        "lapsed": 0,
        "extended": 0,
        "expired": 0,
        "expiring": 0,
        "notices": 0,
        "terminated": 0,
    }


def test_auto_extension_by_180_days(world):
    from customers.selectors import customers_manageable_by

    relationship, t0 = approved(world, auto_extend="P180D")
    end = relationship.end_date_time
    result = services.relationships_sweep(now=end + timedelta(minutes=5))
    assert result["extended"] == 1 and result["expired"] == 0
    relationship.refresh_from_db()
    assert relationship.status == S.ACTIVE and relationship.end_date_time == end + timedelta(days=180)
    assert world.own in customers_manageable_by(world.users["sales_agent"])
    # no expiry notices for a relationship that extends itself
    assert services.relationships_sweep(now=relationship.end_date_time - timedelta(days=3))["notices"] == 0


def test_expiry_notices_30_7_1_days_each_once(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    relationship, t0 = approved(world)
    end = relationship.end_date_time
    recipients = {world.users["admin_agent"].email, world.users["global_admin"].email}

    assert services.relationships_sweep(now=end - timedelta(days=31))["notices"] == 0
    result = services.relationships_sweep(now=end - timedelta(days=30))
    assert result["notices"] == 1 and result["expiring"] == 1
    assert set(mail.outbox[0].to) == recipients and "30 day" in mail.outbox[0].subject
    assert services.relationships_sweep(now=end - timedelta(days=29))["notices"] == 0  # once
    assert services.relationships_sweep(now=end - timedelta(days=7))["notices"] == 1
    assert services.relationships_sweep(now=end - timedelta(days=6, hours=12))["notices"] == 0
    assert services.relationships_sweep(now=end - timedelta(hours=23))["notices"] == 1
    assert services.relationships_sweep(now=end - timedelta(hours=1))["notices"] == 0
    assert len(mail.outbox) == 3
    notices = Notification.objects.filter(partner=world.partner, customer=world.own).order_by("created")
    assert [n.level for n in notices] == ["warning", "warning", "error"]
    assert all(str(relationship.pk) in n.link for n in notices)
    relationship.refresh_from_db()
    assert relationship.status == S.EXPIRING and relationship.notices_sent == [30, 7, 1]


def test_a_late_sweep_sends_one_notice_not_three(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    relationship, t0 = approved(world)
    assert services.relationships_sweep(now=relationship.end_date_time - timedelta(days=3))["notices"] == 1
    assert len(mail.outbox) == 1 and "7 day" in mail.outbox[0].subject


def test_audit_record_for_every_change(world):
    relationship, t0 = approved(world)
    services.relationships_sweep(now=relationship.end_date_time)
    types = list(
        AuditRecord.objects.filter(customer=world.own)
        .order_by("operation_date")
        .values_list("resource_type", flat=True)
    )
    assert types == [
        "DelegatedAdminRelationship",
        "DelegatedAdminRelationship",
        "DelegatedAdminAccessAssignment",
        "DelegatedAdminRelationship",
    ]


def test_expiry_notices_go_out_in_each_recipients_language(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    type(world.users["admin_agent"]).objects.filter(pk=world.users["admin_agent"].pk).update(language="sv")
    relationship, t0 = approved(world)
    assert services.relationships_sweep(now=relationship.end_date_time - timedelta(days=7))["notices"] == 1
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert len(mail.outbox) == 2
    swedish = by_recipient[world.users["admin_agent"].email]
    english = by_recipient[world.users["global_admin"].email]
    assert swedish.subject == "Relationen för delegerad administration upphör om 7 dagar: Own Co"
    assert english.subject == "Delegated admin relationship ends in 7 days: Own Co"
    assert "Contoso helpdesk" in swedish.body and "Own Co" in swedish.body
    # the in-portal notice is written in the site's language
    assert Notification.objects.get(customer=world.own).message.startswith("The delegated admin relationship")


def test_expiry_notices_in_traditional_chinese(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    type(world.users["global_admin"]).objects.filter(pk=world.users["global_admin"].pk).update(language="zh-hant")
    relationship, t0 = approved(world)
    services.relationships_sweep(now=relationship.end_date_time - timedelta(days=7))
    chinese = {message.to[0]: message for message in mail.outbox}[world.users["global_admin"].email]
    assert chinese.subject == "委派的系統管理員關聯性將於 7 天後結束：Own Co"
    assert chinese.body.startswith("與 Own Co 的委派的系統管理員關聯性 Contoso helpdesk")
