"""The GDAP relationship status pipeline (domain.md §3): every allowed move in one table, pure (no database).

    created → approvalPending → active ⇄ expiring → expired
                              ↘ expired (the request lapsed after 90 days)
                              ↘ terminated (the customer declined)
    active | expiring → terminationRequested → terminating → terminated

``active → active`` / ``expiring → active`` is an auto-extension. ``expired`` and ``terminated`` are final.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import Conflict

from .models import GdapStatus as S

TRANSITIONS: dict[str, frozenset[str]] = {
    S.CREATED: frozenset({S.APPROVAL_PENDING, S.EXPIRED, S.TERMINATED}),
    S.APPROVAL_PENDING: frozenset({S.ACTIVE, S.EXPIRED, S.TERMINATED}),
    S.ACTIVE: frozenset({S.ACTIVE, S.EXPIRING, S.EXPIRED, S.TERMINATION_REQUESTED}),
    S.EXPIRING: frozenset({S.ACTIVE, S.EXPIRED, S.TERMINATION_REQUESTED}),
    S.TERMINATION_REQUESTED: frozenset({S.TERMINATING}),
    S.TERMINATING: frozenset({S.TERMINATED}),
    S.EXPIRED: frozenset(),
    S.TERMINATED: frozenset(),
}


class IllegalTransition(Conflict):
    error_name = "illegal_status_transition"

    def __init__(self, current: str, target: str):
        super().__init__(
            _("A relationship in status %(current)s cannot move to %(target)s.")
            % {"current": current, "target": target},
            field="status",
        )
        self.current, self.target = current, target


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def check_transition(current: str, target: str) -> None:
    """Raise ``IllegalTransition`` (→ 409) unless ``current → target`` is in the table."""
    if not can_transition(current, target):
        raise IllegalTransition(current, target)
