"""Who acts: a partner user, a customer admin, an operator, or an application (app-only API token).

Services take ``actor`` as their first keyword argument; it is either a ``User`` (``is_application``
False) or an ``ApplicationPrincipal`` (``is_application`` True, belongs to a partner, has no user).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ApplicationPrincipal:
    partner: object
    application_id: uuid.UUID
    token_id: int | None = None
    is_application: bool = field(default=True, init=False)
    is_superuser: bool = field(default=False, init=False)
    is_authenticated: bool = field(default=True, init=False)
    is_active: bool = field(default=True, init=False)
    is_staff: bool = field(default=False, init=False)
    role_codes: frozenset = field(default=frozenset(), init=False)

    @property
    def partner_id(self):
        return self.partner.pk

    @property
    def pk(self):
        return None

    id = pk

    @property
    def username(self) -> str:
        return f"app:{self.application_id}"

    email = ""

    def has_perm(self, *args, **kwargs) -> bool:
        return False
