"""Set-based license moves between two subscriptions of one tenant (called inside the caller's transaction).

Queries, whatever the number of users: the two subscriptions (1), the selected assignments' count (1), the
target's used seats (1), delete the source rows of users already in the target (1), move the rest (1), audit (1).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record_create
from core.errors import InvalidInput
from subscriptions.models import LicenseAssignment, Subscription

from .selectors import admin_customers_for


@dataclass(frozen=True)
class MoveResult:
    moved: int
    already_in_target: int


def _clean_user_ids(user_ids) -> list[uuid.UUID]:
    if not isinstance(user_ids, (list, tuple, set)) or not user_ids:
        raise InvalidInput(_("Select at least one user, or move all users."), field="user_ids")
    cleaned = []
    for value in user_ids:
        try:
            cleaned.append(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
        except (ValueError, TypeError, AttributeError):
            raise InvalidInput(_("%(value)s is not a user object id.") % {"value": value}, field="user_ids") from None
    return list(dict.fromkeys(cleaned))


def _as_uuid(value) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


def move_assignments(*, actor, customer, source_id, target_id, user_ids=None, all_users: bool = False):
    ids = None if all_users else _clean_user_ids(user_ids)
    source_id, target_id = _as_uuid(source_id), _as_uuid(target_id)
    pair = {
        s.pk: s
        for s in Subscription.objects.select_for_update(of=("self",))
        .filter(
            customer__in=admin_customers_for(actor),
            customer=customer,
            pk__in=[i for i in (source_id, target_id) if i is not None],
        )
        .select_related("offer")
    }
    source, target = pair.get(source_id), pair.get(target_id)
    if source is None:
        raise InvalidInput(_("Choose the subscription to move users from."), field="source_id")
    if target is None:
        raise InvalidInput(_("Choose the subscription to move users to."), field="target_id")
    if source.pk == target.pk:
        raise InvalidInput(_("The two subscriptions must differ."), field="target_id")
    if target.status != "active" or target.provisioning_state != "provisioned":
        raise InvalidInput(
            _("%(offer)s isn't ready yet (it is %(status)s, %(state)s): wait until it is set up.")
            % {"offer": target.offer.name, "status": target.status, "state": target.provisioning_state},
            field="target_id",
        )
    selected = LicenseAssignment.objects.filter(subscription=source)
    if ids is not None:
        selected = selected.filter(user__object_id__in=ids)
    in_target = LicenseAssignment.objects.filter(subscription=target).values("user_id")
    counts = selected.aggregate(total=Count("pk"))
    if ids is not None and counts["total"] != len(ids):
        raise InvalidInput(
            _("%(missing)s of the selected users don't hold a license of %(offer)s.")
            % {"missing": len(ids) - counts["total"], "offer": source.offer.name},
            field="user_ids",
        )
    if counts["total"] == 0:
        raise InvalidInput(_("Nobody holds a license of %(offer)s.") % {"offer": source.offer.name}, field="user_ids")
    used = LicenseAssignment.objects.filter(subscription=target).count()
    duplicates = selected.filter(user_id__in=in_target)
    already = duplicates.count()
    needed = counts["total"] - already
    if used + needed > target.quantity:
        raise InvalidInput(
            _("%(offer)s has %(free)s free licenses; %(needed)s are needed. Buy more licenses first.")
            % {"offer": target.offer.name, "free": max(target.quantity - used, 0), "needed": needed},
            field="target_id",
        )
    if already:
        duplicates.delete()
    moved = selected.update(subscription=target, disabled_service_plans=[], assigned=timezone.now())
    audit_record_create(
        actor=actor,
        operation_type="update_customer_user_licenses",
        resource_type="license",
        customer=customer,
        old={"subscriptionId": str(source.pk)},
        new={"subscriptionId": str(target.pk), "moved": moved, "alreadyInTarget": already},
    )
    return MoveResult(moved=moved, already_in_target=already)
