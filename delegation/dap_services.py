"""DAP (legacy) services: one flag per partner × customer."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import OperationType
from core.errors import Forbidden
from core.scoping import is_operator

from .common import DAP, delegation_audit, is_customer_global_admin
from .grants import grants_sync_pair
from .models import DapGrant
from .signals import grants_deferred


def dap_set(*, actor, partner, customer, enabled: bool, now: datetime | None = None) -> DapGrant:
    """Switch DAP for partner × customer. The customer's global administrator may switch it OFF (the reseller
    relationship stays); switching it on is a platform operator's action (DAP is legacy: no new DAP)."""
    now = now or timezone.now()
    if enabled and not is_operator(actor):
        raise Forbidden(_("DAP cannot be switched on again: ask the partner for a GDAP relationship instead."))
    if not enabled and not is_customer_global_admin(actor, customer):  # consent is the customer's (§3)
        raise Forbidden(
            _("Only a global administrator of %(customer)s can change delegated admin permissions.")
            % {"customer": customer.company_name}
        )
    with transaction.atomic(), grants_deferred():
        grant, _created = DapGrant.objects.select_for_update().get_or_create(
            partner=partner, customer=customer, defaults={"enabled": enabled}
        )
        old = {"enabled": None if _created else grant.enabled}
        if grant.enabled != enabled:
            grant.enabled = enabled
            grant.save()
        delegation_audit(
            actor=actor,
            operation_type=OperationType.UPDATE_DELEGATED_ADMIN_RELATIONSHIP,
            resource_type=DAP,
            partner=partner,
            customer=customer,
            old=old,
            new={"enabled": enabled},
            now=now,
        )
        grants_sync_pair(partner_id=partner.pk, customer_id=customer.pk, now=now)
    return grant
