from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.common import ResourceSerializer

# The period one price covers (``OfferPrice`` is per seat per billing period).
TERM_DURATIONS = {"monthly": "P1M", "annual": "P1Y"}


class OfferPriceSerializer(serializers.Serializer):
    """One ``catalog.OfferPrice``: per seat per billing period (``termDuration``: the period it covers)."""

    billingCycle = serializers.CharField(source="billing_cycle")
    termDuration = serializers.SerializerMethodField()
    currency = serializers.CharField()
    unitPrice = serializers.DecimalField(source="unit_price", max_digits=12, decimal_places=2, coerce_to_string=False)

    @extend_schema_field(serializers.CharField())
    def get_termDuration(self, price) -> str:
        return TERM_DURATIONS.get(price.billing_cycle, "")


class OfferSerializer(ResourceSerializer):
    """An offer, prefetched by ``api.selectors.offer_queryset`` (paths, prices, base offers, add-ons).

    ``context["country"]``: the country the client asked for (else the offer's market).
    """

    object_type = "Offer"
    id = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    minimumQuantity = serializers.IntegerField(source="minimum_quantity")
    maximumQuantity = serializers.IntegerField(source="maximum_quantity")
    country = serializers.SerializerMethodField()
    market = serializers.CharField()
    currency = serializers.CharField()
    unitType = serializers.CharField(source="unit")
    billing = serializers.SerializerMethodField()
    isAddOn = serializers.BooleanField(source="is_addon")
    hasAddOns = serializers.SerializerMethodField()
    prerequisiteOffers = serializers.SerializerMethodField()
    supportedBillingCycles = serializers.SerializerMethodField()
    upgradeTargetOffers = serializers.SerializerMethodField()
    isAvailableForPurchase = serializers.BooleanField(source="is_available_for_purchase")
    isAutoRenewable = serializers.SerializerMethodField()
    prices = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField())
    def get_country(self, offer) -> str:
        return self.context.get("country") or offer.market

    @extend_schema_field(serializers.CharField())
    def get_billing(self, offer) -> str:
        return "license"

    @extend_schema_field(serializers.BooleanField())
    def get_isAutoRenewable(self, offer) -> bool:
        return True

    @extend_schema_field(serializers.BooleanField())
    def get_hasAddOns(self, offer) -> bool:
        return bool(offer.addons.all())

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_prerequisiteOffers(self, offer) -> list[str]:
        return [base.pk for base in offer.base_offers.all()] if offer.is_addon else []

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_supportedBillingCycles(self, offer) -> list[str]:
        return sorted({price.billing_cycle for price in offer.prices.all()})

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_upgradeTargetOffers(self, offer) -> list[str]:
        return [path.target_id for path in offer.upgrade_paths.all()]

    @extend_schema_field(OfferPriceSerializer(many=True))
    def get_prices(self, offer) -> list[dict]:
        """The prices the opportunities' uplift is computed from (prefetched: no query per offer)."""
        rows = sorted(offer.prices.all(), key=lambda p: (p.billing_cycle != "monthly", p.billing_cycle, p.currency))
        return list(OfferPriceSerializer(rows, many=True).data)
