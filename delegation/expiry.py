"""Time-driven GDAP work (domain.md §3), run by the periodic Celery task ``delegation.tasks.delegation_sweep``.

- a request not approved within 90 days lapses (→ expired);
- at ``endDateTime`` a relationship expires, or, with ``autoExtendDuration`` P180D, is extended by 180 days
  (never one that includes Global Administrator: ``relationship_auto_extends``);
- within 30 days of the end a relationship that will not auto-extend is ``expiring``;
- notices 30, 7 and 1 days before the end: an email to the partner's admin agents and global admins and a
  portal notification, each notice once (the sent thresholds are stored on the relationship, under a row lock);
- relationships left in ``terminationRequested``/``terminating`` are finished.

Every function takes ``now`` (tests travel in time) and is idempotent. Subscriptions are never touched.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.language import language_of
from accounts.models import User
from core import events, workflow
from notifications.models import Level
from notifications.services import notification_create
from partners.roles import Capability, roles_granting

from .common import relationship_change_record, relationship_snapshot
from .gdap_services import gdap_event, relationship_termination_complete
from .models import GdapRelationship, GdapStatus
from .selectors import relationship_auto_extends
from .signals import grants_deferred

NOTICE_DAYS = (30, 7, 1)


def _ending(queryset):
    """Those of ``queryset`` that will end (not auto-extend); the role test runs in Python (JSON lists)."""
    extending = [
        r.pk
        for r in queryset.exclude(auto_extend_duration=timedelta(0)).only("pk", "auto_extend_duration", "unified_roles")
        if relationship_auto_extends(r)
    ]
    return queryset.exclude(pk__in=extending)


def _each_locked(queryset, now: datetime, step) -> int:
    """Run ``step(relationship)`` for every row of ``queryset``, each in its own transaction under a row lock,
    re-checking the condition on the locked row (a concurrent sweep or approval does not double the work)."""
    done = 0
    for pk in list(queryset.values_list("pk", flat=True)):
        with transaction.atomic(), grants_deferred():
            relationship = (
                queryset.select_for_update(of=("self",)).select_related("partner", "customer").filter(pk=pk).first()
            )
            if relationship is None:
                continue
            old = relationship_snapshot(relationship)
            if step(relationship):
                relationship_change_record(actor=None, relationship=relationship, old=old, now=now)
                done += 1
    return done


def relationships_lapse(*, now: datetime | None = None) -> int:
    """Requests not approved within 90 days → expired."""
    now = now or timezone.now()
    due = GdapRelationship.objects.lapsed(now)

    def step(relationship):
        workflow.transition(
            relationship, GdapStatus.EXPIRED, reason=_("The request was not approved within 90 days."), at=now
        )
        return True

    return _each_locked(due, now, step)


def relationships_expire_or_extend(*, now: datetime | None = None) -> dict[str, int]:
    """At ``endDateTime``: auto-extend by ``autoExtendDuration`` (as often as needed to pass ``now``), else expire."""
    now = now or timezone.now()
    due = GdapRelationship.objects.live_status().filter(end_date_time__lte=now)
    counts = {"extended": 0, "expired": 0}

    def step(relationship):
        if relationship_auto_extends(relationship):
            end = relationship.end_date_time
            while end <= now:
                end += relationship.auto_extend_duration
            workflow.transition(
                relationship,
                GdapStatus.ACTIVE,
                reason=_("Extended automatically until %(end)s.") % {"end": date_format(end, "DATETIME_FORMAT")},
                at=now,
                values={"end_date_time": end, "notices_sent": []},
            )
            counts["extended"] += 1
        else:
            workflow.transition(relationship, GdapStatus.EXPIRED, reason=_("The relationship reached its end."), at=now)
            gdap_event(events.GDAP_EXPIRED, relationship)
            counts["expired"] += 1
        return True

    _each_locked(due, now, step)
    return counts


def relationships_mark_expiring(*, now: datetime | None = None) -> int:
    """``active`` → ``expiring`` within 30 days of the end when the relationship will not auto-extend."""
    now = now or timezone.now()
    due = _ending(
        GdapRelationship.objects.filter(
            status=GdapStatus.ACTIVE, end_date_time__gt=now, end_date_time__lte=now + timedelta(days=max(NOTICE_DAYS))
        )
    )

    def step(relationship):
        workflow.transition(
            relationship, GdapStatus.EXPIRING, reason=_("Ends within 30 days and will not extend."), at=now
        )
        gdap_event(events.GDAP_EXPIRING, relationship)
        return True

    return _each_locked(due, now, step)


def notice_recipients(partner_id: int) -> list[User]:
    """The partner's active users whose roles may manage GDAP relationships (the role matrix's
    ``REQUEST_DELEGATED_ADMIN``: admin agents and global admins) with an email address."""
    return list(
        User.objects.filter(
            partner_id=partner_id,
            is_active=True,
            partner_roles__role__in=sorted(roles_granting(Capability.REQUEST_DELEGATED_ADMIN)),
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def _due_threshold(relationship: GdapRelationship, now: datetime) -> int | None:
    """The smallest notice threshold reached and not yet sent (a late run sends one notice, not three)."""
    if relationship.end_date_time is None:  # never ends: no notice
        return None
    left = relationship.end_date_time - now
    reached = [days for days in NOTICE_DAYS if left <= timedelta(days=days)]
    if not reached:
        return None
    threshold = min(reached)
    return None if threshold in (relationship.notices_sent or []) else threshold


def relationship_expiry_notices_send(*, now: datetime | None = None) -> int:
    """Send the 30/7/1-day notices that are due; each notice once. Returns the number of notices sent."""
    now = now or timezone.now()
    candidates = _ending(
        GdapRelationship.objects.live(now).filter(end_date_time__lte=now + timedelta(days=max(NOTICE_DAYS)))
    )
    sent = 0
    for pk in list(candidates.values_list("pk", flat=True)):
        with transaction.atomic():
            relationship = (
                candidates.select_for_update(of=("self",)).select_related("partner", "customer").filter(pk=pk).first()
            )
            threshold = relationship and _due_threshold(relationship, now)
            if not threshold:
                continue
            relationship.notices_sent = sorted(
                {*(relationship.notices_sent or []), *(d for d in NOTICE_DAYS if d >= threshold)}, reverse=True
            )
            GdapRelationship.objects.filter(pk=pk).update(notices_sent=relationship.notices_sent)
            _notify(relationship, threshold)
            sent += 1
    return sent


def _notice_text(relationship: GdapRelationship, days: int) -> tuple[str, str]:
    """The notice's subject and text in the active language."""
    values = {
        "name": relationship.display_name,
        "customer": relationship.customer.company_name,
        "days": days,
        "end": f"{date_format(relationship.end_date_time, 'DATETIME_FORMAT')} UTC"
        if relationship.end_date_time
        else "",
    }
    message = ngettext(
        "The delegated admin relationship %(name)s with %(customer)s ends in %(days)d day, on %(end)s. "
        "Ask the customer for a new relationship to keep access.",
        "The delegated admin relationship %(name)s with %(customer)s ends in %(days)d days, on %(end)s. "
        "Ask the customer for a new relationship to keep access.",
        days,
    )
    subject = ngettext(
        "Delegated admin relationship ends in %(days)d day: %(customer)s",
        "Delegated admin relationship ends in %(days)d days: %(customer)s",
        days,
    )
    return subject % values, message % values


def _notify(relationship: GdapRelationship, days: int) -> None:
    """The in-portal notice (in every language: each reader sees theirs) and one e-mail per recipient language,
    each recipient written to in their own (``accounts.language.language_of``)."""
    link = reverse("delegation:detail", args=[relationship.pk])
    notification_create(
        partner=relationship.partner,
        customer=relationship.customer,
        message=lambda: _notice_text(relationship, days)[1],
        link=link,
        level=Level.WARNING if days > 1 else Level.ERROR,
    )
    by_language: dict[str, list[str]] = {}
    for user in notice_recipients(relationship.partner_id):
        by_language.setdefault(language_of(user), []).append(user.email)
    for language, recipients in sorted(by_language.items()):
        with translation.override(language):
            subject, text = _notice_text(relationship, days)
        send_mail(subject=subject, message=text, from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=recipients)


def relationships_finish_terminations(*, now: datetime | None = None) -> int:
    pending = GdapRelationship.objects.terminations_pending()
    count = 0
    for pk in list(pending.values_list("pk", flat=True)):
        relationship_termination_complete(relationship_id=pk, now=now)
        count += 1
    return count


def relationships_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Everything time-driven, in order. Idempotent: running it twice at the same ``now`` does nothing more."""
    now = now or timezone.now()
    result = {"lapsed": relationships_lapse(now=now)}
    result.update(relationships_expire_or_extend(now=now))
    result["expiring"] = relationships_mark_expiring(now=now)
    result["notices"] = relationship_expiry_notices_send(now=now)
    result["terminated"] = relationships_finish_terminations(now=now)
    return result


__all__ = [
    "relationships_sweep",
    "relationship_expiry_notices_send",
    "relationships_lapse",
    "relationships_expire_or_extend",
    "relationships_mark_expiring",
    "relationships_finish_terminations",
    "notice_recipients",
]
