"""Renewals of the book (domain.md §8, §9): the new commerce subscriptions the actor may see whose term ends soon.

Rules (each names the Partner Center page it follows):

- a new commerce term ends on ``commitmentEndDate`` (its last day) and renews, when ``autoRenewEnabled``, from
  00:00 UTC the day after: the *renewal date* is ``commitment_end_date + 1 day``; with auto-renew off the
  subscription expires instead
  (https://learn.microsoft.com/en-us/partner-center/developer/update-autorenew-for-an-azure-marketplace-subscription);
- the window: terms ending from ``today`` (UTC) to ``today + within_days`` inclusive (30, 60 or 90); a term that
  ended yesterday has already renewed or expired;
- only active subscriptions renew (suspended, expired, disabled and deleted ones are not listed); legacy
  subscriptions have no term and never show;
- scheduled changes (``scheduledNextTermInstructions``: target catalog item, term, billing cycle, seats) apply
  at the renewal (https://learn.microsoft.com/en-us/partner-center/developer/create-scheduled-changes); their
  catalog item is resolved to its offer through ``catalog.CommerceProduct``;
- prices (``catalog.CommercePrice``) are per seat per billing period of a term × cycle, in the offer's currency:
  today's price is the subscription's offer, term and cycle; the next term's is the scheduled target's, term
  and cycle (none when nothing is scheduled). A period's price = unit price × seats.

Scope: ``subscriptions.selectors.subscriptions_visible_to`` (a partner sees only what it sold; another partner's
subscription never shows). Queries: :func:`renewals_for` is one lazy queryset (count + a page slice when
paginated); :func:`renewal_rows` adds two (every commerce product, the prices the rows need) whatever the number
of rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from catalog.models import CommercePrice, CommerceProduct, TermDuration
from core.errors import InvalidInput
from subscriptions.models import CommerceType, Subscription, SubscriptionStatus
from subscriptions.selectors import subscriptions_visible_to
from subscriptions.services import scheduling_refusal

WINDOWS = (30, 60, 90)
DEFAULT_WINDOW = 30
PAGE_SIZE = 25
SORTS = ("renewal", "-renewal")


def term_label(term: str) -> str:
    """``P1Y`` → "1 year" (the value itself when unknown)."""
    return str(TermDuration(term).label) if term in TermDuration.values else term


def billing_label(cycle: str) -> str:
    """``annual`` → "billed yearly": how often a term of ``cycle`` is billed, in words."""
    labels = {"monthly": _("billed monthly"), "annual": _("billed yearly"), "triennial": _("billed every 3 years")}
    return str(labels.get(cycle, cycle))


def period_label(cycle: str) -> str:
    """What one billing period of ``cycle`` is called next to its price."""
    labels = {"monthly": _("per month"), "annual": _("per year"), "triennial": _("per 3 years")}
    return str(labels.get(cycle, cycle))


ROW_FIELDS = (
    "pk",
    "customer__tenant_id",
    "customer__company_name",
    "customer__domain",
    "offer_id",
    "offer__name",
    "offer__currency",
    "quantity",
    "term_duration",
    "billing_cycle",
    "commitment_end_date",
    "auto_renew",
    "is_trial",
    "scheduled_next_term_instructions",
)


@dataclass(frozen=True)
class RenewalFilter:
    """What the page and its CSV filter by (validated by ``commerce.renewal_filtering``)."""

    within_days: int = DEFAULT_WINDOW
    search: str = ""
    auto_renew: bool | None = None  # None: on or off
    scheduled: bool | None = None  # None: with or without scheduled changes
    sort: str = "renewal"

    def as_kwargs(self) -> dict[str, Any]:
        return {
            "within_days": self.within_days,
            "search": self.search,
            "auto_renew": self.auto_renew,
            "scheduled": self.scheduled,
            "sort": self.sort,
        }


class TermLabels:
    """The words of a row's ``term_duration`` and ``billing_cycle`` (a scheduled change's or a subscription's)."""

    term_duration: str
    billing_cycle: str

    @property
    def term_label(self) -> str:
        return term_label(self.term_duration)

    @property
    def billing_label(self) -> str:
        return billing_label(self.billing_cycle)

    @property
    def period_label(self) -> str:
        return period_label(self.billing_cycle)


@dataclass(frozen=True)
class ScheduledChange(TermLabels):
    """``scheduledNextTermInstructions`` resolved: the target offer (empty name when its catalog item is unknown
    here), term, cycle, seats and the next term's price per seat per period (None: no price in the catalog)."""

    catalog_item_id: str
    offer_id: str
    offer_name: str
    term_duration: str
    billing_cycle: str
    quantity: int | None
    currency: str
    unit_price: Decimal | None

    @property
    def period_price(self) -> Decimal | None:
        if self.unit_price is None or self.quantity is None:
            return None
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class RenewalRow(TermLabels):
    """One subscription of the page or the CSV."""

    subscription_id: Any
    customer_tenant_id: Any
    customer_name: str
    customer_domain: str
    offer_id: str
    offer_name: str
    seats: int
    term_duration: str
    billing_cycle: str
    term_end: date
    auto_renew: bool
    is_trial: bool
    currency: str
    unit_price: Decimal | None
    scheduled: ScheduledChange | None
    days_left: int  # days from ``today`` to the renewal date

    @property
    def renewal_date(self) -> date:
        return self.term_end + timedelta(days=1)

    @property
    def schedule_refusal(self) -> str | None:
        """Why the row cannot be selected to schedule a change at renewal (None: it can)."""
        return scheduling_refusal(is_new_commerce=True, auto_renew=self.auto_renew)

    @property
    def period_price(self) -> Decimal | None:
        return None if self.unit_price is None else self.unit_price * self.seats


def schedule_targets() -> list[tuple[str, str]]:
    """``(catalog item id, label)`` of every new commerce product of an offer still sold, by offer name: the
    targets the renewals page offers for a scheduled change (one query)."""
    return [
        (f"{p}:{s}:{a}", f"{name} ({p}:{s}:{a})")
        for p, s, a, name in CommerceProduct.objects.filter(offer__retired=False)
        .order_by(Lower("offer__name"), "product_id", "sku_id", "availability_id")
        .values_list("product_id", "sku_id", "availability_id", "offer__name")
    ]


def utc_today() -> date:
    """Today in UTC: Partner Center processes renewals from 00:00 UTC."""
    return datetime.now(UTC).date()


def parse_instructions(instructions) -> tuple[str, str, str, int | None] | None:
    """``(catalog item id, term, cycle, quantity)`` of Partner Center's ``scheduledNextTermInstructions`` shape
    ``{"product": {productId, skuId, availabilityId, billingCycle, termDuration}, "quantity"}``; None when empty.
    Pure: tested without a database."""
    if not instructions or not isinstance(instructions, dict):
        return None
    product = instructions.get("product") or {}
    if not isinstance(product, dict):
        product = {}
    item = ":".join(str(product.get(key) or "") for key in ("productId", "skuId", "availabilityId"))
    quantity = instructions.get("quantity")
    return (
        item if item != "::" else "",
        str(product.get("termDuration") or ""),
        str(product.get("billingCycle") or ""),
        quantity if isinstance(quantity, int) and not isinstance(quantity, bool) else None,
    )


def renewals_for(
    *,
    actor,
    within_days: int = DEFAULT_WINDOW,
    search: str = "",
    auto_renew: bool | None = None,
    scheduled: bool | None = None,
    sort: str = "renewal",
    today: date | None = None,
) -> QuerySet[Subscription]:
    """The renewing subscriptions the actor may see (see the module docstring), sorted by renewal date (then
    customer name and id: a stable order for paging); a lazy queryset of ``ROW_FIELDS`` values.

    ``within_days`` outside :data:`WINDOWS` or an unknown ``sort`` is ``InvalidInput`` naming the field."""
    if within_days not in WINDOWS:
        raise InvalidInput(_("must be one of: %(values)s.") % {"values": ", ".join(map(str, WINDOWS))}, field="window")
    if sort not in SORTS:
        raise InvalidInput(_("must be one of: %(values)s.") % {"values": ", ".join(SORTS)}, field="sort")
    today = today or utc_today()
    queryset = subscriptions_visible_to(actor).filter(
        commerce=CommerceType.NEW,
        status=SubscriptionStatus.ACTIVE,
        commitment_end_date__gte=today,
        commitment_end_date__lte=today + timedelta(days=within_days),
    )
    if search:
        queryset = queryset.filter(Q(customer__company_name__icontains=search) | Q(customer__domain__icontains=search))
    if auto_renew is not None:
        queryset = queryset.filter(auto_renew=auto_renew)
    if scheduled is not None:
        queryset = queryset.filter(scheduled_next_term_instructions__isnull=not scheduled)
    end = "-commitment_end_date" if sort == "-renewal" else "commitment_end_date"
    return queryset.order_by(end, Lower("customer__company_name"), "customer_id", "offer__name", "pk").values(
        *ROW_FIELDS
    )


def renewal_rows(values: Iterable[dict], *, today: date | None = None) -> list[RenewalRow]:
    """The rows of ``values`` (a page of :func:`renewals_for`, or all of it) with the scheduled changes in words
    and the prices: two queries (commerce products, prices) whatever the number of rows; none for no rows."""
    values = list(values)
    if not values:
        return []
    today = today or utc_today()
    products = {
        f"{product_id}:{sku_id}:{availability_id}": (offer_id, name, currency)
        for product_id, sku_id, availability_id, offer_id, name, currency in CommerceProduct.objects.values_list(
            "product_id", "sku_id", "availability_id", "offer_id", "offer__name", "offer__currency"
        )
    }
    parsed = {value["pk"]: parse_instructions(value["scheduled_next_term_instructions"]) for value in values}
    offer_ids = {value["offer_id"] for value in values}
    offer_ids |= {products[p[0]][0] for p in parsed.values() if p is not None and p[0] in products}
    prices = {
        (offer_id, term, cycle, currency): unit_price
        for offer_id, term, cycle, currency, unit_price in CommercePrice.objects.filter(
            offer_id__in=offer_ids
        ).values_list("offer_id", "term_duration", "billing_cycle", "currency", "unit_price")
    }
    rows = []
    for value in values:
        currency = value["offer__currency"]
        change = None
        instructions = parsed[value["pk"]]
        if instructions is not None:
            item, term, cycle, quantity = instructions
            offer_id, name, target_currency = products.get(item, ("", "", currency))
            change = ScheduledChange(
                catalog_item_id=item,
                offer_id=offer_id,
                offer_name=name,
                term_duration=term,
                billing_cycle=cycle,
                quantity=quantity,
                currency=target_currency,
                unit_price=prices.get((offer_id, term, cycle, target_currency)),
            )
        end = value["commitment_end_date"]
        rows.append(
            RenewalRow(
                subscription_id=value["pk"],
                customer_tenant_id=value["customer__tenant_id"],
                customer_name=value["customer__company_name"],
                customer_domain=value["customer__domain"],
                offer_id=value["offer_id"],
                offer_name=value["offer__name"],
                seats=value["quantity"],
                term_duration=value["term_duration"],
                billing_cycle=value["billing_cycle"],
                term_end=end,
                auto_renew=value["auto_renew"],
                is_trial=value["is_trial"],
                currency=currency,
                unit_price=prices.get((value["offer_id"], value["term_duration"], value["billing_cycle"], currency)),
                scheduled=change,
                days_left=(end + timedelta(days=1) - today).days,
            )
        )
    return rows


# --- export (the CSV: the page's columns, ISO dates, amounts to cents, empty for none) ----------------------------

EXPORT_COLUMNS = (
    "customerId",
    "customerName",
    "subscriptionId",
    "offerId",
    "offerName",
    "seats",
    "termDuration",
    "billingCycle",
    "commitmentEndDate",
    "renewalDate",
    "autoRenewEnabled",
    "scheduledOfferId",
    "scheduledOfferName",
    "scheduledTermDuration",
    "scheduledBillingCycle",
    "scheduledQuantity",
    "currency",
    "currentUnitPrice",
    "currentPeriodPrice",
    "nextCurrency",
    "nextUnitPrice",
    "nextPeriodPrice",
)
EXPORT_CHUNK = 1000


def _amount(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def csv_lines(values: QuerySet, *, today: date | None = None) -> Iterator[list[str]]:
    """Every row of ``values`` (:func:`renewals_for`) as CSV cells, read :data:`EXPORT_CHUNK` rows at a time."""
    today = today or utc_today()
    chunk: list[dict] = []
    for value in values.iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(value)
        if len(chunk) == EXPORT_CHUNK:
            yield from _cells(renewal_rows(chunk, today=today))
            chunk = []
    yield from _cells(renewal_rows(chunk, today=today))


def _cells(rows: list[RenewalRow]) -> Iterator[list[str]]:
    for row in rows:
        change = row.scheduled
        yield [
            str(row.customer_tenant_id),
            row.customer_name,
            str(row.subscription_id),
            row.offer_id,
            row.offer_name,
            str(row.seats),
            row.term_duration,
            row.billing_cycle,
            row.term_end.isoformat(),
            row.renewal_date.isoformat(),
            "true" if row.auto_renew else "false",
            change.offer_id or change.catalog_item_id if change else "",
            change.offer_name if change else "",
            change.term_duration if change else "",
            change.billing_cycle if change else "",
            "" if change is None or change.quantity is None else str(change.quantity),
            row.currency,
            _amount(row.unit_price),
            _amount(row.period_price),
            change.currency if change else "",
            _amount(change.unit_price) if change else "",
            _amount(change.period_price) if change else "",
        ]
