"""Plain data of transition eligibility (domain.md §8): no ORM here, so the rules run without a database.

``TransitionContext`` is everything ONE evaluation needs; ``commerce.context`` builds it from the database in a
fixed number of queries, tests build it by hand. It wraps the legacy engine's ``EligibilityContext`` (delegated
access, status, add-ons, holdings, open operations), whose §5 rules apply to transitions too.

Partner Center's resources: https://learn.microsoft.com/en-us/partner-center/developer/transition-resources
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import IntEnum
from typing import Any

from upgrades.eligibility.types import EligibilityContext, OfferData


class EligibilityType:
    """``?eligibilityType=``: a transition now (mid-term) or a change scheduled for the renewal."""

    IMMEDIATE = "immediate"
    SCHEDULED = "scheduled"
    ALL = (IMMEDIATE, SCHEDULED)


class TransitionType:
    TRANSITION_ONLY = "transition_only"
    TRANSITION_WITH_LICENSE_TRANSFER = "transition_with_license_transfer"
    ALL = (TRANSITION_ONLY, TRANSITION_WITH_LICENSE_TRANSFER)


class Direction:
    """Where a target sits in the upgrade matrix relative to the source's offer."""

    HIGHER = "higher"  # a matrix row source → target
    LOWER = "lower"  # a matrix row target → source (a change at renewal only)


class TransitionErrorCode(IntEnum):
    """Errors of a transition type. 0–10 are Partner Center's ``UpgradeErrorCode`` (domain.md §5, the same
    meaning for transitions); 11 and up are the new commerce reasons of §8 (portal numbers: Partner Center's
    transition errors carry a code and a description, their numbers are not published)."""

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
    LEGACY_SUBSCRIPTION = 11
    LICENSE_TRANSFER_ROLE_REQUIRED = 12
    CONFLICTING_SUBSCRIPTIONS_FOR_LICENSE_TRANSFER = 13
    DOWNGRADE_NOT_ALLOWED_MID_TERM = 14
    SHORTER_TERM_NOT_ALLOWED_MID_TERM = 15
    TERM_NOT_OFFERED = 16
    AUTO_RENEW_REQUIRED = 17

    @property
    def error_name(self) -> str:
        return self.name.lower()


class MergeTargetErrorCode(IntEnum):
    """Why an existing subscription of the target cannot receive the seats (domain.md §8, codes 1–4)."""

    NOT_ACTIVE = 1
    IN_CANCELLATION_WINDOW = 2
    SHORTER_TERM = 3
    ENDS_BEFORE_SOURCE = 4

    @property
    def error_name(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class TransitionError:
    code: TransitionErrorCode | MergeTargetErrorCode
    description: str
    additional_details: str = ""

    @property
    def error_name(self) -> str:
        return self.code.error_name


@dataclass(frozen=True)
class CommerceSubscriptionData:
    """A subscription as the transition rules see it (the source or one of the customer's others)."""

    id: Any
    offer_id: str
    status: str = "active"
    commerce: str = "new"
    channel: str = "csp"
    partner_id: Any = None
    friendly_name: str = ""
    term_duration: str = "P1Y"
    billing_cycle: str = "annual"
    commitment_end_date: date | None = None
    cancellation_allowed_until: datetime | None = None
    auto_renew: bool = True
    quantity: int = 1

    @property
    def is_new_commerce(self) -> bool:
        return self.commerce == "new"


@dataclass(frozen=True)
class TargetData:
    """A candidate target: an offer of the matrix that has a new commerce product.

    ``terms``: the terms the offer has a price for in its own currency.
    """

    offer: OfferData
    catalog_item_id: str
    direction: str = Direction.HIGHER
    title: str = ""
    description: str = ""
    terms: frozenset[str] = frozenset({"P1M", "P1Y", "P3Y"})

    @property
    def offer_id(self) -> str:
        return self.offer.id


@dataclass(frozen=True)
class TransitionContext:
    """Everything one evaluation needs.

    ``legacy``: the §5 context of the source (its ``path_ids`` and ``offers`` cover the higher targets, the
    lower ones and the customer's holdings). ``holdings``: the customer's other subscriptions (every channel,
    every status but ``deleted``) with their new commerce fields. ``targets``: higher targets in matrix order,
    then lower ones. ``term_duration``: the term asked for (None = the source's). ``now``: the evaluation time.
    """

    legacy: EligibilityContext
    source: CommerceSubscriptionData
    targets: tuple[TargetData, ...]
    now: datetime
    holdings: tuple[CommerceSubscriptionData, ...] = ()
    term_duration: str | None = None

    @property
    def partner_id(self) -> Any:
        return self.source.partner_id

    @property
    def effective_term(self) -> str:
        return self.term_duration or self.source.term_duration


@dataclass(frozen=True)
class TypeEligibility:
    """Partner Center's ``TransitionEligibilityDetail``: one transition type of one target."""

    transition_type: str
    is_eligible: bool
    errors: tuple[TransitionError, ...] = ()


@dataclass(frozen=True)
class MergeTargetEligibility:
    """Partner Center's ``TargetSubscriptionEligibilityDetail``: an existing subscription of the target."""

    subscription: CommerceSubscriptionData
    is_eligible: bool
    errors: tuple[TransitionError, ...] = ()


@dataclass(frozen=True)
class TransitionEligibility:
    """Partner Center's ``TransitionEligibility``: one target catalog item."""

    target: TargetData
    quantity: int
    eligibilities: tuple[TypeEligibility, ...]
    subscription_eligibilities: tuple[MergeTargetEligibility, ...] = field(default_factory=tuple)

    def of_type(self, transition_type: str) -> TypeEligibility:
        return next(e for e in self.eligibilities if e.transition_type == transition_type)
