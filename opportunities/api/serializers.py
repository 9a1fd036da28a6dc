from rest_framework import serializers

from api.serializers.common import ResourceSerializer


def _amount(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False, allow_null=True, **kwargs)


class OpportunitySerializer(ResourceSerializer):
    """One source × target line (``opportunities.selectors.ExportRecord``): the CSV's columns, typed.

    Prices are per seat per month in ``currency``; amounts are null when the target has no price there.
    """

    object_type = "Opportunity"
    customerId = serializers.CharField()
    customerName = serializers.CharField()
    country = serializers.CharField()
    subscriptionId = serializers.CharField()
    sourceOfferId = serializers.CharField()
    seats = serializers.IntegerField()
    assigned = serializers.IntegerField()
    targetOfferId = serializers.CharField(help_text="Empty when the source has no upgrade path in its market.")
    eligible = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField(), help_text="UpgradeError names (errorName).")
    currency = serializers.CharField()
    currentMonthly = _amount()
    targetMonthly = _amount()
    monthlyUplift = _amount(help_text="(targetMonthly − currentMonthly) × seats.")
    yearlyUplift = _amount(help_text="12 × monthlyUplift.")
