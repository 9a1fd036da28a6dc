"""Four-eyes approval rules (domain.md §9), written once for batches and single upgrades.

A job (a batch, or one upgrade) is measured as ``JobSize`` (items, seats, monthly value added); it waits for
approval when it is ABOVE any threshold its partner set (``Partner.approval_*``; none set: never).
``require_approver`` is the one check of who may approve or reject it: a user with ``Capability.APPROVE`` who
did not create it (an application token never: it is nobody's second pair of eyes).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .roles import Capability, require


@dataclass(frozen=True)
class ApprovalThreshold:
    """A partner's thresholds; ``None`` means "no limit on this measure"."""

    items: int | None = None
    seats: int | None = None
    monthly_value: Decimal | None = None

    @classmethod
    def of(cls, partner) -> ApprovalThreshold:
        if partner is None:
            return cls()
        return cls(
            items=partner.approval_items, seats=partner.approval_seats, monthly_value=partner.approval_monthly_value
        )

    @property
    def is_set(self) -> bool:
        return any(value is not None for value in (self.items, self.seats, self.monthly_value))

    def as_dict(self) -> dict:
        """The tenant import's / API's ``approvalThreshold`` shape (only the measures that are set)."""
        out: dict = {}
        if self.items is not None:
            out["items"] = self.items
        if self.seats is not None:
            out["seats"] = self.seats
        if self.monthly_value is not None:
            out["monthlyValue"] = f"{self.monthly_value:.2f}"
        return out


@dataclass(frozen=True)
class JobSize:
    """What a job would change: its items, the seats they move and the monthly value they add."""

    items: int
    seats: int
    monthly_value: Decimal = Decimal("0")


def exceeded(threshold: ApprovalThreshold, size: JobSize) -> list[str]:
    """The measures (``items``, ``seats``, ``monthlyValue``) on which ``size`` is above ``threshold``."""
    out = []
    if threshold.items is not None and size.items > threshold.items:
        out.append("items")
    if threshold.seats is not None and size.seats > threshold.seats:
        out.append("seats")
    if threshold.monthly_value is not None and size.monthly_value > threshold.monthly_value:
        out.append("monthlyValue")
    return out


def needs_approval(partner, size: JobSize) -> list[str]:
    """Why a job of ``partner`` waits for approval (the exceeded measures); empty: it runs at once."""
    return exceeded(ApprovalThreshold.of(partner), size)


def exceeded_text(measures: list[str]) -> str:
    """The exceeded measures in words, for notices and reasons."""
    words = {"items": _("items"), "seats": _("seats"), "monthlyValue": _("monthly value")}
    return ", ".join(str(words[m]) for m in measures)


def require_approver(actor, *, created_by_user_id) -> None:
    """``PermissionDenied`` (403) unless ``actor`` may approve a job created by ``created_by_user_id``."""
    if getattr(actor, "is_application", False):
        raise PermissionDenied(_("An application token cannot approve: approval needs a second person."))
    require(actor, Capability.APPROVE)
    if created_by_user_id is not None and getattr(actor, "pk", None) == created_by_user_id:
        raise PermissionDenied(_("You created this job: a second user with the approve right must approve it."))
