"""Workflow definitions: a :class:`Workflow` per status field (its transition table and status sets), the
registry of them and :class:`IllegalTransition`. No model is imported here, so ``core.models`` can read the
labels and ``core.workflow`` (the moves and their history) builds on it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .errors import Conflict

REASON_MAX = 500


class IllegalTransition(Conflict):
    """A move the workflow's table does not allow, or one that lost a race (the status changed meanwhile)."""

    error_name = "illegal_status_transition"

    def __init__(self, workflow: str, current: str, target: str, *, message: str | None = None):
        super().__init__(
            message
            or _("%(workflow)s: status %(current)s cannot move to %(target)s.")
            % {"workflow": workflow, "current": current or "∅", "target": target},
            field="status",
        )
        self.workflow, self.current, self.target = workflow, current, target


@dataclass(frozen=True)
class Workflow:
    """One workflow: ``model`` is the model label ("app.Model"), ``field`` its status field."""

    name: str
    model: str
    transitions: Mapping[str, frozenset[str]]
    initial: frozenset[str]
    field: str = "status"
    live: frozenset[str] = frozenset()
    open: frozenset[str] = frozenset()
    verbose_name: str = ""
    labels: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None  # status → label (a TextChoices' ``choices``)

    def __post_init__(self):
        statuses = set(self.transitions)
        targets = set().union(*self.transitions.values()) if self.transitions else set()
        unknown = (targets | self.initial | self.live | self.open) - statuses
        if unknown:
            raise ValueError(f"workflow {self.name}: statuses {sorted(unknown)} are not in its table")
        REGISTRY[(self.model.lower(), self.field)] = self
        BY_NAME[self.name] = self

    def label(self, status: str) -> str:
        return str(dict(self.labels or {}).get(status, status)) if status else ""

    @property
    def final(self) -> frozenset[str]:
        """The statuses with no way out."""
        return frozenset(s for s, to in self.transitions.items() if not to)

    # -- the table -------------------------------------------------------------------------------------
    def can(self, current: str, target: str) -> bool:
        return target in self.transitions.get(current, frozenset())

    def check(self, current: str, target: str) -> None:
        if not self.can(current, target):
            raise IllegalTransition(self.name, current, target)

    def sources(self, target: str) -> frozenset[str]:
        """The statuses from which ``target`` may be reached."""
        return frozenset(s for s, to in self.transitions.items() if target in to)

    def moves(self) -> list[tuple[str, str]]:
        """Every allowed ``(from, to)``, in table order."""
        return [(s, t) for s, to in self.transitions.items() for t in sorted(to)]

    # -- the sets as predicates and filters -----------------------------------------------------------
    def is_live(self, status: str) -> bool:
        return status in self.live

    def is_open(self, status: str) -> bool:
        return status in self.open

    def is_final(self, status: str) -> bool:
        return status in self.final

    def q(self, statuses: Iterable[str], prefix: str = "") -> Q:
        return Q(**{f"{prefix}{self.field}__in": sorted(statuses)})


REGISTRY: dict[tuple[str, str], Workflow] = {}
BY_NAME: dict[str, Workflow] = {}


def workflow_of(obj_or_model: Any, field: str = "status") -> Workflow:
    model: Any = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    try:
        return REGISTRY[(model._meta.label_lower, field)]
    except KeyError:
        raise LookupError(f"{model._meta.label}.{field} is not a workflow field") from None


def workflows() -> list[Workflow]:
    return list(REGISTRY.values())
