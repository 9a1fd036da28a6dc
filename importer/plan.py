"""The validated content of an import document, keyed by natural ids (partner code, tenant id, object id,
subscription id, username). ``apply`` turns it into rows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from .snapshot import Snapshot


@dataclass
class ImportPlan:
    snapshot: Snapshot
    now: datetime = field(default_factory=lambda: timezone.now())  # when "is the cancellation window open" is asked
    partners: dict[str, dict] = field(default_factory=dict)
    declared_partners: set[str] = field(default_factory=set)  # partner ids of the file, valid or not
    groups: set[tuple[str, str]] = field(default_factory=set)  # (partner code, group name)
    users: dict[str, dict] = field(default_factory=dict)  # username → {email, partner (code or None)}
    passwords: dict[str, str] = field(default_factory=dict)  # username → raw password, used on create only
    user_roles: set[tuple[str, str]] = field(default_factory=set)  # (username, partner role)
    memberships: set[tuple[str, str, str]] = field(default_factory=set)  # (partner code, group name, username)
    customers: dict[uuid.UUID, dict] = field(default_factory=dict)
    relationships: dict[tuple[str, uuid.UUID], str] = field(default_factory=dict)
    dap: dict[tuple[str, uuid.UUID], bool] = field(default_factory=dict)
    admin_roles: set[tuple[str, uuid.UUID, str]] = field(default_factory=set)
    gdap: dict[tuple[str, str], dict] = field(default_factory=dict)  # (partner code, displayName) → values
    access: dict[tuple[str, str, str], dict] = field(default_factory=dict)  # (code, displayName, group) → values
    tenant_users: dict[uuid.UUID, dict] = field(default_factory=dict)
    subscriptions: dict[uuid.UUID, dict] = field(default_factory=dict)
    assignments: dict[tuple[uuid.UUID, uuid.UUID], list] = field(default_factory=dict)  # (object id, sub id)

    def known_partner(self, code: str) -> bool:
        return code in self.declared_partners or code in self.snapshot.existing["partners"]

    def known_group(self, code: str, name: str) -> bool:
        return (code, name) in self.groups or (code, name) in self.snapshot.group_names
