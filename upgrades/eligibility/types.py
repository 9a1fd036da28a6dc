"""Plain data of the eligibility engine: no ORM here, so the rules run (and are tested) without a database.

``EligibilityContext`` is everything ONE evaluation needs; ``upgrades.eligibility.context`` builds it from the
database in a fixed number of queries, tests build it by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any


class UpgradeErrorCode(IntEnum):
    """Partner Center's ``UpgradeErrorCode`` numbers (domain.md §5)."""

    OTHER = 0
    DELEGATED_ADMIN_PERMISSIONS_DISABLED = 1
    SUBSCRIPTION_STATUS_NOT_ACTIVE = 2
    CONFLICTING_SERVICE_TYPES = 3
    CONCURRENCY_CONFLICTS = 4
    USER_CONTEXT_REQUIRED = 5
    SUBSCRIPTION_ADD_ONS_PRESENT = 6
    SUBSCRIPTION_DOES_NOT_HAVE_ANY_UPGRADE_PATHS = 7
    SUBSCRIPTION_TARGET_OFFER_NOT_FOUND = 8
    SUBSCRIPTION_NOT_PROVISIONED = 9
    OFFER_DOES_NOT_SUPPORT_BILLING_CYCLE = 10

    @property
    def error_name(self) -> str:
        """``delegated_admin_permissions_disabled`` etc."""
        return self.name.lower()


class UpgradeTypeName:
    NONE = "none"
    UPGRADE_ONLY = "upgrade_only"
    UPGRADE_WITH_LICENSE_TRANSFER = "upgrade_with_license_transfer"


@dataclass(frozen=True)
class UpgradeError:
    code: UpgradeErrorCode
    description: str
    additional_details: str = ""

    @property
    def error_name(self) -> str:
        return self.code.error_name

    def as_dict(self) -> dict[str, Any]:
        """Partner Center's shape (camelCase), as stored on operations and results."""
        return {
            "code": int(self.code),
            "errorName": self.error_name,
            "description": str(self.description),
            "additionalDetails": str(self.additional_details),
        }


@dataclass(frozen=True)
class UpgradeOption:
    """One source × target option. ``target_offer`` is the ``catalog.Offer`` (None only when the requested id
    is not in the catalog at all: then ``errors`` holds code 8)."""

    target_offer: Any
    upgrade_type: str
    is_eligible: bool
    quantity: int
    errors: tuple[UpgradeError, ...] = ()

    @property
    def error_codes(self) -> frozenset[UpgradeErrorCode]:
        return frozenset(error.code for error in self.errors)


@dataclass(frozen=True)
class OfferData:
    """An offer as the rules see it. ``levels``: service family → highest plan level the offer contains."""

    id: str
    name: str
    market: str = "global"
    currency: str = "USD"
    is_addon: bool = False
    retired: bool = False
    maximum_quantity: int = 300_000
    levels: Mapping[str, int] = field(default_factory=dict)
    # Billing cycles with a price in the offer's own currency.
    billing_cycles: frozenset[str] = frozenset({"monthly", "annual"})
    # True for a global offer that has an India variant (same SKU): never offered to an India source.
    has_india_variant: bool = False


@dataclass(frozen=True)
class SubscriptionData:
    id: Any
    offer_id: str
    status: str = "active"
    provisioning_state: str = "provisioned"
    channel: str = "csp"
    channel_label: str = ""
    quantity: int = 1
    billing_cycle: str = "monthly"
    parent_id: Any = None


@dataclass(frozen=True)
class OperationData:
    id: Any
    source_id: Any
    status: str
    target_offer_id: str = ""


@dataclass(frozen=True)
class ActorData:
    is_application: bool = False
    has_delegated_access: bool = True
    can_transfer_licenses: bool = True
    delegated_roles: frozenset[str] = frozenset()


@dataclass(frozen=True)
class EligibilityContext:
    """Everything one evaluation needs.

    ``path_ids``: the source offer's matrix targets for its market, in matrix order (already filtered by
    :func:`upgrades.eligibility.rules.paths_for_market`). ``offers``: the source offer, the targets, the
    requested target and the offers of ``others``. ``others``: the customer's other subscriptions in any
    channel whose status is active, pending or suspended (the source's add-ons included).
    """

    actor: ActorData
    source: SubscriptionData
    source_offer: OfferData
    path_ids: tuple[str, ...]
    offers: Mapping[str, OfferData]
    others: tuple[SubscriptionData, ...] = ()
    open_operations: tuple[OperationData, ...] = ()
    billing_cycle: str | None = None  # the requested cycle; None = the source's
    family_names: Mapping[str, str] = field(default_factory=dict)  # service family code → display name

    @property
    def effective_billing_cycle(self) -> str:
        return self.billing_cycle or self.source.billing_cycle

    @property
    def active_addons(self) -> tuple[SubscriptionData, ...]:
        source_id = self.source.id
        return tuple(
            s for s in self.others if s.parent_id is not None and s.parent_id == source_id and s.status == "active"
        )
