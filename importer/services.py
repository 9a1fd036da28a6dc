"""Tenant import (the documented tenant-import JSON file): validate a whole document, then apply it in one transaction.

Public API::

    tenant_import(*, actor, document) -> ImportSummary          # parse + apply, all or nothing
    tenant_import_parse(*, document) -> ImportPlan             # raises TenantImportInvalid with every issue
    tenant_import_apply(*, actor, plan) -> ImportSummary
    tenant_import_read(text: str) -> dict                      # JSON text → document (TenantImportInvalid)

Ids are the keys (partner id, tenant id, user object id, subscription id, username, GDAP partner + displayName):
importing the same document twice changes nothing the second time. Rows the document does not mention are
left alone; passwords are set when a user is created, never on re-import.
"""

from __future__ import annotations

import json

from django.db import transaction
from django.utils.translation import gettext as _

from .apply import ImportSummary, apply_plan
from .errors import ImportIssue, TenantImportInvalid
from .fields import Collector
from .plan import ImportPlan
from .snapshot import Snapshot, collect_keys
from .validate_customers import validate_customers
from .validate_partners import validate_partners

__all__ = [
    "ImportIssue",
    "ImportPlan",
    "ImportSummary",
    "TenantImportInvalid",
    "tenant_import",
    "tenant_import_apply",
    "tenant_import_parse",
    "tenant_import_read",
]

DOCUMENT_KEYS = frozenset({"partners", "customers"})


def tenant_import_read(text: str) -> dict:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise TenantImportInvalid([ImportIssue("", _("not valid JSON: %(error)s") % {"error": exc})]) from exc


def tenant_import_parse(*, document) -> ImportPlan:
    """Validate ``document`` against the catalog and the database; every problem is reported at once."""
    collector = Collector()
    plan = ImportPlan(snapshot=Snapshot.load(collect_keys(document)))
    if collector.obj(document, "", DOCUMENT_KEYS) is not None:
        usernames: dict[str, str] = {}
        validate_partners(collector, plan, document, usernames)
        validate_customers(collector, plan, document, usernames)
    if collector.issues:
        raise TenantImportInvalid(collector.issues)
    return plan


def tenant_import_apply(*, actor, plan: ImportPlan) -> ImportSummary:
    return apply_plan(plan, actor=actor)


def tenant_import(*, actor, document) -> ImportSummary:
    """Validate and apply ``document`` in one transaction; raises ``TenantImportInvalid`` and changes nothing
    when the document has any error."""
    with transaction.atomic():
        return apply_plan(tenant_import_parse(document=document), actor=actor)
