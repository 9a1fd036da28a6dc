"""Delegated admin services (domain.md §3), one module per concern; this module is their public surface:

- ``delegation.gdap_services``: the GDAP relationship lifecycle (request, approve/decline, termination);
- ``delegation.assignment_services``: access assignments;
- ``delegation.dap_services``: DAP;
- ``delegation.expiry``: time-driven work (lapse, expiry, auto-extension, notices);
- ``delegation.common``: snapshots, the audit record, locks and checks they share;
- ``delegation.grants``: the guardian grants.

Status moves go through the workflow kernel (``core.workflow``): one history row per move.
"""

from __future__ import annotations

from .assignment_services import access_assignment_create, access_assignment_delete, access_assignment_update
from .common import (
    ASSIGNMENT,
    AUTO_EXTEND_CHOICES,
    DAP,
    DISPLAY_NAME_MAX,
    NEVER_AUTO_EXTENDED_ROLE,
    RELATIONSHIP,
    assignment_snapshot,
    auto_extend_validate,
    delegation_audit,
    is_customer_global_admin,
    parse_duration,
    relationship_snapshot,
)
from .dap_services import dap_set
from .expiry import relationship_expiry_notices_send, relationships_sweep
from .gdap_services import (
    relationship_approve,
    relationship_decline,
    relationship_request_create,
    relationship_termination_complete,
    relationship_termination_request,
)
from .grants import grants_resync, grants_sync_pair

__all__ = [
    "ASSIGNMENT",
    "AUTO_EXTEND_CHOICES",
    "DAP",
    "DISPLAY_NAME_MAX",
    "NEVER_AUTO_EXTENDED_ROLE",
    "RELATIONSHIP",
    "access_assignment_create",
    "access_assignment_delete",
    "access_assignment_update",
    "assignment_snapshot",
    "auto_extend_validate",
    "dap_set",
    "delegation_audit",
    "grants_resync",
    "grants_sync_pair",
    "is_customer_global_admin",
    "parse_duration",
    "relationship_approve",
    "relationship_decline",
    "relationship_expiry_notices_send",
    "relationship_request_create",
    "relationship_snapshot",
    "relationship_termination_complete",
    "relationship_termination_request",
    "relationships_sweep",
]
