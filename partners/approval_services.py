"""Setting a partner's four-eyes approval threshold (portal settings page, Django admin, tenant import's
``approvalThreshold`` writes the same fields in bulk). The rule that reads it lives in ``partners.approval``."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import OperationType
from audit.services import audit_record_create
from core.errors import Forbidden, InvalidInput, NotFound

from .approval import ApprovalThreshold
from .models import Partner
from .roles import is_global_admin, is_operator


def can_set_approval_threshold(actor, partner) -> bool:
    """A platform operator, or a global admin of this partner (never an application token)."""
    if is_operator(actor):
        return True
    return is_global_admin(actor) and actor.partner_id == partner.pk


def approval_threshold_update(
    *, actor, partner: Partner, items: int | None, seats: int | None, monthly_value: Decimal | None
) -> Partner:
    """Store the thresholds (None: no limit on that measure; all None: no approval) and audit the change."""
    if not is_operator(actor) and getattr(actor, "partner_id", None) != partner.pk:
        raise NotFound(_("Partner not found."))
    if not can_set_approval_threshold(actor, partner):
        raise Forbidden(_("Only the partner's global admins set the approval threshold."))
    for field, value in (("items", items), ("seats", seats), ("monthlyValue", monthly_value)):
        if value is not None and value < 0:
            raise InvalidInput(_("must not be negative."), field=field)
    new = ApprovalThreshold(items=items, seats=seats, monthly_value=monthly_value)
    with transaction.atomic():
        locked = Partner.objects.select_for_update().get(pk=partner.pk)
        old = ApprovalThreshold.of(locked)
        if old == new:
            return locked
        Partner.objects.filter(pk=locked.pk).update(
            approval_items=items, approval_seats=seats, approval_monthly_value=monthly_value
        )
        locked.refresh_from_db()
        audit_record_create(
            actor=actor,
            operation_type=OperationType.UPDATE_PARTNER,
            resource_type="ApprovalThreshold",
            partner=locked,
            old={"approvalThreshold": old.as_dict()},
            new={"approvalThreshold": new.as_dict()},
        )
    return locked
