"""The opportunities of a partner's book: every upgradable source subscription with every target (domain.md §9).

The options are the eligibility engine's (``upgrades.eligibility``: ``load_book`` + ``evaluate_all``), the very
engine behind the wizard and ``/v1/customers/{c}/subscriptions/{s}/upgrades``; nothing here decides eligibility.

Figures (documented in the README):

- prices: ``catalog.OfferPrice`` of the source's billing cycle in the source offer's currency, for the source
  offer (today) and each target; per seat per MONTH (an annual price is divided by 12, rounded to cents). A
  target without a price there has no uplift (``None``: not comparable, e.g. an INR source and a USD target).
- ``monthly uplift`` = (target − current) × seats; ``yearly`` = 12 × monthly.
- best target: the eligible target with the highest monthly uplift (ties: matrix order); without an eligible
  one, the first target in matrix order.
- rows: sources this partner sold (``upgrades.policies.upgradable_subscriptions``), not cancelled, whose offer
  has a row in the upgrade matrix (add-ons and top offers have no opportunity). A source without a path in its
  market gets one line without a target carrying the source's reasons (code 7).
- filters on targets (``target``, ``status``, ``reason``) select source × target LINES; a row shows when one of
  its lines matches, with those lines only (and the CSV has exactly those lines).

Queries: a fixed number for the whole book (the loader's ~10, customers 1, assignments 1, cache key 1) whatever
its size; the evaluated book is kept per user for :data:`CACHE_SECONDS`, keyed by the latest audit record and
the scope's last subscription change.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import Lower

from audit.models import AuditRecord
from catalog.models import UpgradePath
from core.actors import acting_partner_id
from customers.selectors import customers_visible_to
from partners.roles import Capability, can
from subscriptions.models import LicenseAssignment, Subscription, SubscriptionStatus
from upgrades.billing import monthly_price
from upgrades.eligibility.context import load_book
from upgrades.eligibility.engine import evaluate_all, source_errors
from upgrades.eligibility.rules import memoized_gettext
from upgrades.eligibility.types import UpgradeError
from upgrades.policies import upgradable_subscriptions

CACHE_SECONDS = 60
CACHE_ENTRIES = 16
CENT = Decimal("0.01")
PAGE_SIZE = 25
SORTS = ("uplift", "customer", "seats")
STATUSES = ("eligible", "blocked")


@dataclass(eq=False)
class TargetLine:
    """One source × target option with its prices (per seat per month) and uplift (None: no comparable price)."""

    offer_id: str
    offer_name: str
    eligible: bool
    errors: tuple[UpgradeError, ...]
    target_monthly: Decimal | None
    monthly_uplift: Decimal | None
    upgrade_type: str = ""

    @property
    def reasons(self) -> tuple[str, ...]:
        """Distinct reason codes (``errorName``), in the engine's order."""
        return tuple(dict.fromkeys(error.error_name for error in self.errors))

    @property
    def yearly_uplift(self) -> Decimal | None:
        return None if self.monthly_uplift is None else self.monthly_uplift * 12


@dataclass(eq=False)
class Opportunity:
    """One source subscription and its lines (every target, or the ones the filter kept)."""

    subscription_id: Any
    customer_pk: int
    customer_tenant_id: Any
    customer_name: str
    customer_domain: str
    country: str
    segment: str
    market: str
    source_offer_id: str
    source_offer_name: str
    billing_cycle: str
    currency: str
    seats: int
    assigned: int
    current_monthly: Decimal | None
    lines: tuple[TargetLine, ...] = field(default_factory=tuple)

    @property
    def unused(self) -> int:
        return max(self.seats - self.assigned, 0)

    @cached_property
    def eligible(self) -> bool:
        return any(line.eligible for line in self.lines)

    @cached_property
    def best(self) -> TargetLine | None:
        """The eligible line with the highest monthly uplift (ties: matrix order); else the first line."""
        best = None
        for line in self.lines:
            if line.eligible and (best is None or _uplift(line) > _uplift(best)):
                best = line
        return best or (self.lines[0] if self.lines else None)

    @cached_property
    def monthly_uplift(self) -> Decimal:
        """The best eligible line's uplift (0 when nothing is eligible or comparable): what sorting uses."""
        best = self.best
        if best is None or not best.eligible or best.monthly_uplift is None:
            return Decimal("0")
        return best.monthly_uplift

    @property
    def yearly_uplift(self) -> Decimal:
        return self.monthly_uplift * 12

    @cached_property
    def others(self) -> tuple[TargetLine, ...]:
        best = self.best
        return tuple(line for line in self.lines if line is not best)


def _uplift(line: TargetLine) -> Decimal:
    return line.monthly_uplift if line.monthly_uplift is not None else Decimal("-Infinity")


@dataclass(frozen=True)
class OpportunityFilter:
    """What the page, the CSV and the API filter by (already validated: see ``opportunities.forms``)."""

    market: str = ""
    source: str = ""
    target: str = ""
    segment: str = ""
    country: str = ""
    status: str = ""  # "", "eligible", "blocked"
    reason: str = ""  # an ``errorName``: blocked lines carrying it
    search: str = ""
    sort: str = "uplift"

    @property
    def page_only(self) -> bool:
        """Whether a page can be evaluated alone (no line filter, sorted by customer): see :func:`opportunity_page`."""
        return not self.filters_lines and self.sort == "customer"

    @property
    def filters_lines(self) -> bool:
        return bool(self.target or self.status or self.reason)

    def keeps(self, line: TargetLine) -> bool:
        if self.target and line.offer_id != self.target:
            return False
        if self.status == "eligible" and not line.eligible:
            return False
        if self.status == "blocked" and line.eligible:
            return False
        if self.reason and (line.eligible or self.reason not in line.reasons):
            return False
        return True


@dataclass(frozen=True)
class BookSummary:
    """The home page's figure: eligible sources and the best targets' uplift (in the book's main currency)."""

    eligible_subscriptions: int
    monthly_uplift: Decimal
    yearly_uplift: Decimal
    currency: str
    totals: tuple[tuple[str, Decimal], ...] = ()  # (currency, monthly uplift) of every currency, sorted


def book_scope(actor, flt: OpportunityFilter | None = None) -> QuerySet[Subscription]:
    """The sources of the book (see the module docstring), narrowed by the filter's SQL part."""
    flt = flt or OpportunityFilter()
    queryset = (
        upgradable_subscriptions(actor)
        .exclude(status=SubscriptionStatus.DELETED)
        .filter(offer_id__in=UpgradePath.objects.values("source_id"))
    )
    if flt.market:
        queryset = queryset.filter(offer__market=flt.market)
    if flt.source:
        queryset = queryset.filter(offer_id=flt.source)
    if flt.segment:
        queryset = queryset.filter(customer__segment=flt.segment)
    if flt.country:
        queryset = queryset.filter(customer__country=flt.country)
    if flt.search:
        queryset = queryset.filter(
            Q(customer__company_name__icontains=flt.search) | Q(customer__domain__icontains=flt.search)
        )
    return queryset


def opportunities_for(actor, flt: OpportunityFilter | None = None) -> list[Opportunity]:
    """Every opportunity the filter shows, sorted; in a fixed number of queries (cached: see the docstring)."""
    flt = flt or OpportunityFilter()
    if not can(actor, Capability.UPGRADE):
        return []
    rows = evaluated_book(actor, flt)
    if flt.filters_lines:
        kept = []
        for row in rows:
            lines = tuple(line for line in row.lines if flt.keeps(line))
            if lines:
                kept.append(_with_lines(row, lines))
        rows = kept
    return sort_rows(rows, flt.sort)


def sort_rows(rows: list[Opportunity], sort: str) -> list[Opportunity]:
    if sort == "customer":
        return sorted(
            rows, key=lambda r: (r.customer_name.casefold(), r.customer_pk, r.source_offer_name, str(r.subscription_id))
        )
    if sort == "seats":
        return sorted(rows, key=lambda r: (-r.seats, r.customer_name.casefold(), str(r.subscription_id)))
    return sorted(rows, key=lambda r: (-r.monthly_uplift, r.customer_name.casefold(), str(r.subscription_id)))


def page_scope(actor, flt: OpportunityFilter) -> QuerySet[Subscription]:
    """The sources the full evaluation shows (book scope, visible customers) in the customer sort's order."""
    return (
        book_scope(actor, flt)
        .filter(customer_id__in=customers_visible_to(actor).values("pk"))
        .order_by(Lower("customer__company_name"), "customer_id", "offer__name", "pk")
    )


def opportunity_page(actor, flt: OpportunityFilter, page_number) -> tuple[Paginator, Page, list[Opportunity]]:
    """One page sorted by customer, evaluating only its sources (``flt.page_only``): count + slice + the page's
    evaluation, whatever the book's size. The rows are the full evaluation's for those sources."""
    paginator = Paginator(page_scope(actor, flt).values_list("pk", flat=True), PAGE_SIZE)
    page = paginator.get_page(page_number or 1)
    pks = list(page.object_list)
    rows = evaluate_book(actor, book_scope(actor, flt).filter(pk__in=pks)) if pks else []
    order = {pk: index for index, pk in enumerate(pks)}
    rows.sort(key=lambda row: order[row.subscription_id])
    return paginator, page, rows


def _with_lines(row: Opportunity, lines: tuple[TargetLine, ...]) -> Opportunity:
    values = {name: getattr(row, name) for name in row.__dataclass_fields__}
    values["lines"] = lines
    return Opportunity(**values)


def book_summary(actor) -> BookSummary:
    """Eligible sources and their best targets' uplift, in the currency most of the book is billed in."""
    return summarize(opportunities_for(actor))


def summarize(rows: list[Opportunity]) -> BookSummary:
    """:func:`book_summary` of some rows (the eligible ones count, in their main currency)."""
    rows = [row for row in rows if row.eligible]
    currencies = Counter(row.currency for row in rows)
    currency = currencies.most_common(1)[0][0] if currencies else "USD"
    totals: dict[str, Decimal] = {}
    for row in rows:
        totals[row.currency] = totals.get(row.currency, Decimal("0")) + row.monthly_uplift
    monthly = totals.get(currency, Decimal("0"))
    return BookSummary(
        eligible_subscriptions=len(rows),
        monthly_uplift=monthly,
        yearly_uplift=monthly * 12,
        currency=currency,
        totals=tuple(sorted(totals.items())),
    )


def uplift_by(rows: list[Opportunity], key: str) -> list[tuple[str, Decimal, str]]:
    """(label, monthly uplift, currency) of the eligible best lines grouped by ``target`` or ``market``, largest
    first; one group per label and currency."""
    totals: dict[tuple[str, str], Decimal] = {}
    for row in rows:
        best = row.best
        if best is None or not best.eligible or best.monthly_uplift is None:
            continue
        label = best.offer_name if key == "target" else row.market
        totals[(label, row.currency)] = totals.get((label, row.currency), Decimal("0")) + best.monthly_uplift
    return sorted(((label, value, cur) for (label, cur), value in totals.items()), key=lambda t: (-t[1], t[0]))


# --- evaluation (cached per user) --------------------------------------------------------------------------------

_cache: OrderedDict[tuple, tuple[float, list[Opportunity]]] = OrderedDict()
_lock = threading.Lock()


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def evaluated_book(actor, flt: OpportunityFilter) -> list[Opportunity]:
    """The book narrowed by the filter's SQL part, evaluated (every line), cached for :data:`CACHE_SECONDS`."""
    scope = book_scope(actor, flt)
    latest_audit = AuditRecord.objects.order_by("-operation_date", "-id").values_list("id", flat=True).first()
    partner_id = acting_partner_id(actor)
    stamp = upgradable_subscriptions(actor).aggregate(changed=Max("updated"), rows=Count("pk"))
    key = (
        getattr(actor, "pk", None),
        partner_id,
        bool(getattr(actor, "is_application", False)),
        flt.market,
        flt.source,
        flt.segment,
        flt.country,
        flt.search,
        stamp["changed"],
        stamp["rows"],
        str(latest_audit),
    )
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
        if hit is not None and now - hit[0] < CACHE_SECONDS:
            _cache.move_to_end(key)
            return hit[1]
    rows = evaluate_book(actor, scope)
    with _lock:
        _cache[key] = (now, rows)
        while len(_cache) > CACHE_ENTRIES:
            _cache.popitem(last=False)
    return rows


def evaluate_book(actor, scope: QuerySet[Subscription]) -> list[Opportunity]:
    """Every source of ``scope`` with every target's option and prices (not cached)."""
    book = load_book(actor=actor, scope=scope)
    if not book:
        return []
    customer_ids = {item.customer_id for item in book.values()}
    customers: dict[int, tuple[Any, str, str, str, str]] = {
        pk: (tenant_id, name, domain, country, segment)
        for pk, tenant_id, name, domain, country, segment in customers_visible_to(actor)
        .filter(pk__in=scope.values("customer_id"))
        .values_list("pk", "tenant_id", "company_name", "domain", "country", "segment")
        if pk in customer_ids
    }
    assigned = dict(
        LicenseAssignment.objects.filter(subscription_id__in=scope.values("pk"))
        .values("subscription_id")
        .annotate(n=Count("pk"))
        .values_list("subscription_id", "n")
    )
    monthly_cache: dict[tuple, Decimal | None] = {}
    rows = []
    with memoized_gettext():
        for pk, item in book.items():
            if item.customer_id not in customers:
                continue
            ctx = item.ctx
            source, source_offer = ctx.source, ctx.source_offer
            currency = source_offer.currency
            cycle = source.billing_cycle
            current = _monthly(item, source.offer_id, cycle, currency, monthly_cache)
            options = evaluate_all(ctx)
            lines = []
            for option in options:
                offer = option.target_offer
                target = _monthly(item, offer.id, cycle, currency, monthly_cache)
                uplift = None if target is None or current is None else (target - current) * source.quantity
                lines.append(
                    TargetLine(
                        offer_id=offer.id,
                        offer_name=offer.name,
                        eligible=option.is_eligible,
                        errors=option.errors,
                        target_monthly=target,
                        monthly_uplift=uplift,
                        upgrade_type=option.upgrade_type,
                    )
                )
            if not options:  # no path in its market: the source's reasons (code 7)
                lines.append(TargetLine("", "", False, source_errors(ctx), None, None))
            tenant_id, name, domain, country, segment = customers[item.customer_id]
            rows.append(
                Opportunity(
                    subscription_id=pk,
                    customer_pk=item.customer_id,
                    customer_tenant_id=tenant_id,
                    customer_name=name,
                    customer_domain=domain,
                    country=country,
                    segment=segment,
                    market=source_offer.market,
                    source_offer_id=source.offer_id,
                    source_offer_name=source_offer.name,
                    billing_cycle=cycle,
                    currency=currency,
                    seats=source.quantity,
                    assigned=assigned.get(pk, 0),
                    current_monthly=current,
                    lines=tuple(lines),
                )
            )
    return rows


def _monthly(item, offer_id: str, cycle: str, currency: str, memo: dict) -> Decimal | None:
    key = (offer_id, cycle, currency)
    if key not in memo:
        price = item.price(offer_id, cycle, currency)
        memo[key] = None if price is None else monthly_price(price, cycle)
    return memo[key]


# --- export (the CSV and /v1/opportunities: one record per source × target line) ---------------------------------

EXPORT_COLUMNS = (
    "customerId",
    "customerName",
    "country",
    "subscriptionId",
    "sourceOfferId",
    "seats",
    "assigned",
    "targetOfferId",
    "eligible",
    "reasons",
    "currency",
    "currentMonthly",
    "targetMonthly",
    "monthlyUplift",
    "yearlyUplift",
)


@dataclass(frozen=True)
class ExportRecord:
    """One line with the export's fields (``reasons``: codes; prices per seat per month)."""

    customerId: str
    customerName: str
    country: str
    subscriptionId: str
    sourceOfferId: str
    seats: int
    assigned: int
    targetOfferId: str
    eligible: bool
    reasons: tuple[str, ...]
    currency: str
    currentMonthly: Decimal | None
    targetMonthly: Decimal | None
    monthlyUplift: Decimal | None
    yearlyUplift: Decimal | None


def export_records(rows: list[Opportunity]):
    """Every line of ``rows`` in row order, best target first (a generator: the CSV streams it)."""
    for row in rows:
        best = row.best
        for line in (best, *row.others) if best is not None else ():
            yield ExportRecord(
                customerId=str(row.customer_tenant_id),
                customerName=row.customer_name,
                country=row.country,
                subscriptionId=str(row.subscription_id),
                sourceOfferId=row.source_offer_id,
                seats=row.seats,
                assigned=row.assigned,
                targetOfferId=line.offer_id,
                eligible=line.eligible,
                reasons=line.reasons,
                currency=row.currency,
                currentMonthly=row.current_monthly,
                targetMonthly=line.target_monthly,
                monthlyUplift=line.monthly_uplift,
                yearlyUplift=line.yearly_uplift,
            )


def _amount(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def csv_lines(rows: list[Opportunity]):
    """:func:`export_records` as CSV cells (amounts to cents, None empty), without building the records."""
    for row in rows:
        best = row.best
        if best is None:
            continue
        head = [
            str(row.customer_tenant_id),
            row.customer_name,
            row.country,
            str(row.subscription_id),
            row.source_offer_id,
            str(row.seats),
            str(row.assigned),
        ]
        current = _amount(row.current_monthly)
        for line in (best, *row.others):
            yield [
                *head,
                line.offer_id,
                "true" if line.eligible else "false",
                ";".join(line.reasons),
                row.currency,
                current,
                _amount(line.target_monthly),
                _amount(line.monthly_uplift),
                _amount(line.yearly_uplift),
            ]
