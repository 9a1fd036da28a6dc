"""Reads of the /v1/ endpoints that stay in the framework app: the audit records (``audit`` sits below ``api``,
so its endpoint cannot live in ``audit``).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from audit.models import AuditRecord
from core.scoping import visible_to


def audit_records_for_api(actor, *, start: datetime, end: datetime) -> QuerySet[AuditRecord]:
    """Audit records of the actor's partner (every partner's for operators) between ``start`` and ``end``."""
    queryset = AuditRecord.objects.select_related("partner", "customer").filter(
        operation_date__gte=start, operation_date__lt=end
    )
    return visible_to(queryset, actor).order_by("-operation_date", "pk")
