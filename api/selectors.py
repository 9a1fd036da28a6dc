"""Reads of the /v1/ endpoints that stay in the framework app: the audit records (``audit`` sits below ``api``,
so its endpoint cannot live in ``audit``).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from audit.models import AuditRecord
from core.actors import acting_partner_id


def audit_records_for_api(actor, *, start: datetime, end: datetime) -> QuerySet[AuditRecord]:
    """Audit records of the actor's partner (every partner's for operators) between ``start`` and ``end``."""
    queryset = AuditRecord.objects.select_related("partner", "customer").filter(
        operation_date__gte=start, operation_date__lt=end
    )
    if not getattr(actor, "is_superuser", False):
        partner_id = acting_partner_id(actor)
        if partner_id is None:
            return queryset.none()
        queryset = queryset.filter(partner_id=partner_id)
    return queryset.order_by("-operation_date", "pk")
