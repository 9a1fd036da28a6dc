"""The Microsoft 365 catalog: service families and plans, offers, add-ons, prices and upgrade paths (§4, §5), and
each offer's new commerce product with its prices per term and billing cycle (§8).

All of it is data (seeded by migrations from ``catalog/data/catalog.json`` and ``catalog/data/commerce.json``)
and editable in the admin.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

GLOBAL = "global"
INDIA = "IN"
MARKETS = [(GLOBAL, _("Global")), (INDIA, _("India"))]


class BillingCycle(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    ANNUAL = "annual", _("Annual")


class TermDuration(models.TextChoices):
    """A new commerce subscription's term (ISO 8601 durations, as Partner Center writes them)."""

    P1M = "P1M", _("1 month")
    P1Y = "P1Y", _("1 year")
    P3Y = "P3Y", _("3 years")


class CommerceBillingCycle(models.TextChoices):
    """How often a new commerce term is billed (Partner Center's ``BillingCycleType`` values, in lower case)."""

    MONTHLY = "monthly", _("Monthly")
    ANNUAL = "annual", _("Annual")
    TRIENNIAL = "triennial", _("Triennial")


# The billing cycles each term allows (Partner Center: a monthly term is billed monthly; a year monthly or once;
# three years monthly, yearly or once). Longest term last: "a shorter term" compares positions.
TERM_CYCLES: dict[str, tuple[str, ...]] = {
    TermDuration.P1M: (CommerceBillingCycle.MONTHLY,),
    TermDuration.P1Y: (CommerceBillingCycle.MONTHLY, CommerceBillingCycle.ANNUAL),
    TermDuration.P3Y: (CommerceBillingCycle.MONTHLY, CommerceBillingCycle.ANNUAL, CommerceBillingCycle.TRIENNIAL),
}
TERM_MONTHS: dict[str, int] = {TermDuration.P1M: 1, TermDuration.P1Y: 12, TermDuration.P3Y: 36}
CYCLE_MONTHS: dict[str, int] = {
    CommerceBillingCycle.MONTHLY: 1,
    CommerceBillingCycle.ANNUAL: 12,
    CommerceBillingCycle.TRIENNIAL: 36,
}


def term_cycle_condition() -> models.Q:
    """The database's form of ``TERM_CYCLES`` (a check constraint on every row holding a term and a cycle)."""
    condition = models.Q(pk__in=[])
    for term, cycles in TERM_CYCLES.items():
        condition |= models.Q(term_duration=term, billing_cycle__in=list(cycles))
    return condition


class ServiceFamily(models.Model):
    code = models.SlugField(_("code"), max_length=40, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    data_related = models.BooleanField(_("holds user data"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = _("service families")

    def __str__(self):
        return self.name


class ServicePlan(models.Model):
    code = models.CharField(_("code"), max_length=64, primary_key=True)
    plan_id = models.UUIDField(_("service plan id"), null=True, blank=True, unique=True)
    name = models.CharField(_("name"), max_length=200)
    family = models.ForeignKey(ServiceFamily, on_delete=models.PROTECT, related_name="plans")
    level = models.PositiveSmallIntegerField(
        _("level"), help_text=_("Order inside the family: a higher level is a higher version of the same service.")
    )
    includes = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="included_in",
        verbose_name=_("includes"),
        help_text=_(
            "Service plans whose service this plan provides too (Exchange Online (Plan 2) includes archiving)."
        ),
    )

    class Meta:
        ordering = ["family_id", "level"]
        constraints = [models.CheckConstraint(condition=models.Q(level__gte=1), name="service_plan_level_positive")]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Offer(models.Model):
    """A product a customer can hold (base offer or add-on)."""

    id = models.SlugField(_("offer id"), max_length=64, primary_key=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    sku_part_number = models.CharField(_("SKU part number"), max_length=64)
    sku_id = models.UUIDField(_("SKU id"), null=True, blank=True)
    market = models.CharField(_("market"), max_length=8, choices=MARKETS, default=GLOBAL)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    unit = models.CharField(_("unit"), max_length=16, default="Licenses")
    is_addon = models.BooleanField(_("add-on"), default=False)
    retired = models.BooleanField(_("retired"), default=False, help_text=_("Can be upgraded from, never bought."))
    minimum_quantity = models.PositiveIntegerField(default=1)
    maximum_quantity = models.PositiveIntegerField(default=300_000)
    service_plans = models.ManyToManyField(ServicePlan, related_name="offers", blank=True)
    base_offers = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="addons",
        help_text=_("For an add-on: the base offers it may be bought for."),
    )

    class Meta:
        ordering = ["market", "name"]

    def __str__(self):
        return self.name

    @property
    def is_available_for_purchase(self) -> bool:
        return not self.retired

    def quantity_problem(self, quantity: int) -> str | None:
        """Why ``quantity`` seats are outside this offer's limits, or None: the ONE check of ``minimum_quantity``
        and ``maximum_quantity`` (subscription changes, upgrades, the direct cart ask it)."""
        if self.minimum_quantity <= quantity <= self.maximum_quantity:
            return None
        return _("must be between %(min)d and %(max)d for %(offer)s.") % {
            "min": self.minimum_quantity,
            "max": self.maximum_quantity,
            "offer": self.name,
        }


class OfferPrice(models.Model):
    """Price of one seat for one billing period (a month, or a year) in one currency."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="prices")
    billing_cycle = models.CharField(_("billing cycle"), max_length=8, choices=BillingCycle.choices)
    currency = models.CharField(_("currency"), max_length=3)
    unit_price = models.DecimalField(_("price per seat per billing period"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["offer_id", "billing_cycle", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "billing_cycle", "currency"], name="unique_offer_price"),
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="offer_price_non_negative"),
        ]

    def __str__(self):
        return f"{self.offer_id} {self.billing_cycle} {self.unit_price} {self.currency}"


class CommerceProduct(models.Model):
    """The new commerce product an offer is sold as: its catalog item id ``productId:skuId:availabilityId``
    (one availability per market: the India variants share the product and SKU of the global offer)."""

    offer = models.OneToOneField(Offer, on_delete=models.CASCADE, primary_key=True, related_name="commerce")
    product_id = models.CharField(_("product id"), max_length=16)
    sku_id = models.CharField(_("SKU id"), max_length=8)
    availability_id = models.CharField(_("availability id"), max_length=16)

    class Meta:
        ordering = ["offer_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product_id", "sku_id", "availability_id"], name="unique_commerce_catalog_item"
            ),
        ]

    def __str__(self):
        return self.catalog_item_id

    @property
    def catalog_item_id(self) -> str:
        return f"{self.product_id}:{self.sku_id}:{self.availability_id}"


class CommercePrice(models.Model):
    """New commerce price of one seat for one billing period of a term (a month, a year or three years) in one
    currency: a month-to-month term costs more than a committed year (Partner Center's price list)."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="commerce_prices")
    term_duration = models.CharField(_("term"), max_length=3, choices=TermDuration.choices)
    billing_cycle = models.CharField(_("billing cycle"), max_length=9, choices=CommerceBillingCycle.choices)
    currency = models.CharField(_("currency"), max_length=3)
    unit_price = models.DecimalField(_("price per seat per billing period"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["offer_id", "term_duration", "billing_cycle", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "term_duration", "billing_cycle", "currency"], name="unique_commerce_price"
            ),
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="commerce_price_non_negative"),
            models.CheckConstraint(condition=term_cycle_condition(), name="commerce_price_cycle_of_term"),
        ]

    def __str__(self):
        return f"{self.offer_id} {self.term_duration} {self.billing_cycle} {self.unit_price} {self.currency}"


class UpgradePath(models.Model):
    """One row of the CSP upgrade matrix: ``source`` can be upgraded to ``target`` (the source's market)."""

    source = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="upgrade_paths")
    target = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="upgrade_sources")
    position = models.PositiveSmallIntegerField(default=0)
    footnote = models.CharField(_("footnote"), max_length=200, blank=True)
    extension = models.BooleanField(_("extension"), default=False, help_text=_("Not in Partner Center's seed table."))

    class Meta:
        ordering = ["source_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="unique_upgrade_path"),
            models.CheckConstraint(condition=~models.Q(source=models.F("target")), name="upgrade_path_not_self"),
        ]

    def __str__(self):
        return f"{self.source_id} → {self.target_id}"


class DirectOptionKind(models.TextChoices):
    UPGRADE = "upgrade", _("Upgrade")
    CHANGE = "change", _("Plan change")


class DirectOption(models.Model):
    """Targets listed on the admin center Upgrade tab for a directly bought offer (e.g. Office 365 E4)."""

    source = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="direct_options")
    target = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="direct_option_sources")
    kind = models.CharField(_("kind"), max_length=8, choices=DirectOptionKind.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["source_id", "kind", "position"]
        constraints = [models.UniqueConstraint(fields=["source", "target"], name="unique_direct_option")]

    def __str__(self):
        return f"{self.source_id} → {self.target_id} ({self.kind})"
