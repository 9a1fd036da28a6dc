"""Scoping of the partners app's rows (registered in ``core.scoping`` from ``PartnersConfig.ready``)."""

from __future__ import annotations

from django.db.models import QuerySet

from core.scoping import register

from .models import Partner, SecurityGroup


def security_groups_scope(actor) -> QuerySet[SecurityGroup]:
    """A partner user's own partner's groups (an application manages none)."""
    if getattr(actor, "is_application", False) or not getattr(actor, "partner_id", None):
        return SecurityGroup.objects.none()
    return SecurityGroup.objects.filter(partner_id=actor.partner_id)


def partners_scope(actor) -> QuerySet[Partner]:
    partner_id = getattr(actor, "partner_id", None)
    return Partner.objects.filter(pk=partner_id) if partner_id else Partner.objects.none()


def register_scopes() -> None:
    register(SecurityGroup, security_groups_scope)
    register(Partner, partners_scope)
