"""Writing audit records: the one place every change is recorded (domain.md §7)."""

from __future__ import annotations

from typing import Any

from .models import AuditRecord, OperationStatus


def actor_fields(actor) -> dict[str, str]:
    """UPN or application id of whoever acted (a user, an application token, or nobody for system tasks)."""
    if actor is None:
        return {"user_principal_name": "system", "application_id": ""}
    if getattr(actor, "is_application", False):
        return {"user_principal_name": "", "application_id": str(actor.application_id)}
    return {"user_principal_name": actor.email or actor.username, "application_id": ""}


def audit_record_build(
    *,
    actor,
    operation_type: str,
    resource_type: str,
    partner=None,
    customer=None,
    old: Any = None,
    new: Any = None,
    status: str = OperationStatus.SUCCEEDED,
    correlation_id: str = "",
) -> AuditRecord:
    """An unsaved record (for ``bulk_create`` by callers that write many)."""
    return AuditRecord(
        partner=partner,
        customer=customer,
        customer_name=customer.company_name if customer is not None else "",
        resource_type=resource_type,
        resource_old_value=old,
        resource_new_value=new,
        operation_type=operation_type,
        operation_status=status,
        original_correlation_id=correlation_id or "",
        **actor_fields(actor),
    )


def audit_record_create(**kwargs) -> AuditRecord:
    record = audit_record_build(**kwargs)
    record.save(force_insert=True)
    return record
