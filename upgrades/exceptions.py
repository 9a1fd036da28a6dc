"""Errors of the upgrades app; all derive from ``core.errors.DomainError`` (mapped to HTTP once)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.errors import DomainError, InvalidInput
from core.workflow import IllegalTransition


class UpgradeNotEligible(DomainError):
    """The upgrade is blocked. ``.result`` is the ``UpgradeResult`` carrying every ``upgrade_errors`` item;
    ``.code``/``.error_name`` are those of the first error, ``.data`` lists them all (Partner Center shape)."""

    http_status = 400
    error_name = "upgrade_not_eligible"

    def __init__(self, result):
        errors = tuple(result.upgrade_errors)
        first = errors[0] if errors else None
        message = first.description if first else _("The upgrade is not eligible.")
        super().__init__(
            message,
            error_name=first.error_name if first else None,
            code=int(first.code) if first else None,
            data=[error.as_dict() for error in errors],
        )
        self.result = result
        self.errors = errors

    @property
    def codes(self) -> frozenset[int]:
        return frozenset(int(error.code) for error in self.errors)


class InvalidUpgradeInput(InvalidInput):
    """Bad input (``field`` names it: quantity, upgradeType, billingCycle, targetOfferId)."""


# An operation was asked to move to a status its current status does not allow: the kernel's one error.
IllegalStatusTransition = IllegalTransition
