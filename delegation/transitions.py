"""The GDAP relationship table as pure checks (no database): the table is ``models.GDAP_WORKFLOW`` on the
workflow kernel (``core.workflow``); moves go through ``core.workflow.transition``."""

from __future__ import annotations

from core.workflow import IllegalTransition

from .models import GDAP_WORKFLOW

TRANSITIONS = GDAP_WORKFLOW.transitions

__all__ = ["TRANSITIONS", "IllegalTransition", "can_transition", "check_transition"]


def can_transition(current: str, target: str) -> bool:
    return GDAP_WORKFLOW.can(current, target)


def check_transition(current: str, target: str) -> None:
    """Raise ``IllegalTransition`` (→ 409) unless ``current → target`` is in the table."""
    GDAP_WORKFLOW.check(current, target)
