"""The outcome of an upgrade (Partner Center's ``UpgradeResult`` plus what the portal adds)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .eligibility.types import UpgradeError, UpgradeErrorCode


@dataclass
class UpgradeResult:
    source_subscription_id: str
    target_subscription_id: str | None
    upgrade_type: str
    upgrade_errors: tuple[UpgradeError, ...] = ()
    # [{userObjectId, name, email, userPrincipalName, errors: [{code, description}]}]
    license_errors: list[dict[str, Any]] = field(default_factory=list)
    # [{userObjectId, name, email, userPrincipalName, reasons: [{code, description, ...}]}]
    affected_accounts: list[dict[str, Any]] = field(default_factory=list)
    operation_id: str | None = None
    # {"credit": {"amount": "-12.34", "currency": "USD", ...}, "charge": {...}}
    billing: dict[str, Any] = field(default_factory=dict)
    status: str = ""
    licenses_moved: int = 0

    @property
    def succeeded(self) -> bool:
        return self.target_subscription_id is not None and not self.upgrade_errors

    def as_dict(self) -> dict[str, Any]:
        """JSON-able, camelCase (stored on the operation; the API serializer may start from it)."""
        return {
            "sourceSubscriptionId": self.source_subscription_id,
            "targetSubscriptionId": self.target_subscription_id,
            "upgradeType": self.upgrade_type,
            "upgradeErrors": [error.as_dict() for error in self.upgrade_errors],
            "licenseErrors": self.license_errors,
            "affectedAccounts": self.affected_accounts,
            "operationId": self.operation_id,
            "billing": self.billing,
            "status": self.status,
            "licensesMoved": self.licenses_moved,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> UpgradeResult:
        errors = tuple(
            UpgradeError(UpgradeErrorCode(e["code"]), e.get("description", ""), e.get("additionalDetails", ""))
            for e in data.get("upgradeErrors", [])
        )
        return cls(
            source_subscription_id=str(data.get("sourceSubscriptionId") or ""),
            target_subscription_id=data.get("targetSubscriptionId"),
            upgrade_type=data.get("upgradeType", "none"),
            upgrade_errors=errors,
            license_errors=list(data.get("licenseErrors", [])),
            affected_accounts=list(data.get("affectedAccounts", [])),
            operation_id=data.get("operationId"),
            billing=dict(data.get("billing", {})),
            status=data.get("status", ""),
            licenses_moved=int(data.get("licensesMoved", 0)),
        )
