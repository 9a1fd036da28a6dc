"""Scoping of audit records (registered in ``core.scoping``): a partner's own records; operators: all."""

from __future__ import annotations

from django.db.models import QuerySet

from core.scoping import register, visible_to

from .models import AuditRecord


def audit_records_scope(actor) -> QuerySet[AuditRecord]:
    partner_id = getattr(actor, "partner_id", None)
    return AuditRecord.objects.filter(partner_id=partner_id) if partner_id else AuditRecord.objects.none()


def audit_records_visible_to(actor) -> QuerySet[AuditRecord]:
    return visible_to(AuditRecord, actor)


def register_scopes() -> None:
    register(AuditRecord, audit_records_scope)
