"""The reference catalog as loaded by the data migration (domain.md §4, §5, §6)."""

from decimal import Decimal

import pytest

from catalog.models import DirectOption, Offer, OfferPrice, ServicePlan, UpgradePath

pytestmark = pytest.mark.django_db

# domain.md §5, by offer name (the "Matrix" table with footnote 1 applied to the India variants).
MATRIX_BY_NAME = {
    "Microsoft 365 Apps for business": [
        "Microsoft 365 Business Premium",
        "Microsoft 365 Apps for enterprise",
        "Office 365 E3",
        "Office 365 E5",
    ],
    "Microsoft 365 Business Standard": ["Office 365 E3", "Office 365 E5"],
    "Microsoft 365 Business Basic": [
        "Microsoft 365 Business Standard",
        "Office 365 E1",
        "Office 365 E3",
        "Office 365 E5",
    ],
    "Microsoft 365 Apps for business (India)": [
        "Microsoft 365 Business Standard (India)",
        "Microsoft 365 Apps for enterprise",
        "Office 365 E3",
        "Office 365 E5",
    ],
    "Microsoft 365 Business Basic (India)": [
        "Microsoft 365 Business Standard (India)",
        "Office 365 E1",
        "Office 365 E3",
        "Office 365 E5",
    ],
    "Microsoft 365 Business Standard (India)": ["Office 365 E3", "Office 365 E5"],
}


def targets_of(offer_id):
    return list(UpgradePath.objects.filter(source_id=offer_id).order_by("position").values_list("target_id", flat=True))


def test_every_offer_named_in_the_matrix_exists():
    names = set(MATRIX_BY_NAME) | {name for targets in MATRIX_BY_NAME.values() for name in targets}
    found = set(Offer.objects.filter(name__in=names).values_list("name", flat=True))
    assert found == names


def test_matrix_rows_match_domain_table_in_order():
    for source_name, target_names in MATRIX_BY_NAME.items():
        source = Offer.objects.get(name=source_name)
        assert [Offer.objects.get(pk=t).name for t in targets_of(source.pk)] == target_names, source_name
    assert UpgradePath.objects.count() == sum(len(targets) for targets in MATRIX_BY_NAME.values())


def test_matrix_paths_point_to_existing_offers():
    ids = set(Offer.objects.values_list("id", flat=True))
    for source_id, target_id in UpgradePath.objects.values_list("source_id", "target_id"):
        assert source_id in ids and target_id in ids


def test_india_sources_go_to_india_business_standard_never_to_the_global_one():
    for source in ("m365-apps-for-business-in", "m365-business-basic-in"):
        targets = targets_of(source)
        assert targets[0] == "m365-business-standard-in"
        assert "m365-business-standard" not in targets
        assert "m365-business-premium" not in targets
    assert targets_of("m365-apps-for-business-in") == [
        "m365-business-standard-in",
        "m365-apps-for-enterprise",
        "o365-e3",
        "o365-e5",
    ]
    assert targets_of("m365-business-basic-in") == ["m365-business-standard-in", "o365-e1", "o365-e3", "o365-e5"]
    assert not UpgradePath.objects.filter(source__market="IN", target_id="m365-business-standard").exists()


def test_footnoted_targets_of_the_global_rows():
    footnoted = set(UpgradePath.objects.filter(footnote="1").values_list("source_id", "target_id"))
    assert footnoted == {
        ("m365-apps-for-business", "m365-business-premium"),
        ("m365-business-basic", "m365-business-standard"),
    }


def test_india_business_standard_is_an_extension_row_with_the_global_targets():
    rows = UpgradePath.objects.filter(source_id="m365-business-standard-in").order_by("position")
    assert [row.target_id for row in rows] == targets_of("m365-business-standard") == ["o365-e3", "o365-e5"]
    assert all(row.extension for row in rows)
    assert not UpgradePath.objects.filter(extension=True).exclude(source_id="m365-business-standard-in").exists()


def test_india_variants_are_in_the_india_market_in_rupees():
    for offer in Offer.objects.filter(id__endswith="-in"):
        assert offer.market == "IN" and offer.currency == "INR", offer.pk
    assert set(Offer.objects.filter(market="IN").values_list("id", flat=True)) == {
        "m365-apps-for-business-in",
        "m365-business-basic-in",
        "m365-business-standard-in",
    }


def test_e4_is_retired_but_present_with_its_direct_options():
    e4 = Offer.objects.get(pk="o365-e4")
    assert e4.name == "Office 365 E4"
    assert e4.retired is True
    assert e4.is_available_for_purchase is False
    assert set(Offer.objects.filter(retired=True).values_list("id", flat=True)) == {"o365-e4"}
    options = {
        kind: list(
            DirectOption.objects.filter(source=e4, kind=kind)
            .order_by("position")
            .values_list("target__name", flat=True)
        )
        for kind in ("upgrade", "change")
    }
    assert options == {
        "upgrade": ["Office 365 E5", "Microsoft 365 E5", "Microsoft 365 E5 without Audio Conferencing"],
        "change": ["Office 365 E3", "Microsoft 365 E3"],
    }


def test_addons_carry_their_base_offers():
    addons = {offer.pk: offer for offer in Offer.objects.filter(is_addon=True).prefetch_related("base_offers")}
    assert set(addons) == {"audio-conferencing", "phone-system", "extra-file-storage", "exchange-online-archiving"}
    bases = {pk: {b.pk for b in offer.base_offers.all()} for pk, offer in addons.items()}
    assert "o365-e4" in bases["audio-conferencing"] and "o365-e5" not in bases["audio-conferencing"]
    assert bases["phone-system"] == {"o365-e1", "o365-e3", "o365-e4", "m365-e3"}
    assert bases["exchange-online-archiving"] == {"m365-business-basic", "m365-business-standard", "o365-e1"}
    for pk, base_ids in bases.items():
        assert base_ids, pk
        assert not Offer.objects.filter(pk__in=base_ids, is_addon=True).exists()
    assert not Offer.objects.filter(is_addon=False, base_offers__isnull=False).exists()


def test_every_offer_has_a_monthly_and_an_annual_price_in_its_currency():
    for offer in Offer.objects.prefetch_related("prices"):
        prices = {(p.billing_cycle, p.currency): p.unit_price for p in offer.prices.all()}
        assert set(prices) == {("monthly", offer.currency), ("annual", offer.currency)}, offer.pk
        assert prices[("annual", offer.currency)] == prices[("monthly", offer.currency)] * 12


def test_some_reference_prices():
    def price(offer_id, cycle):
        return OfferPrice.objects.get(offer_id=offer_id, billing_cycle=cycle).unit_price

    assert price("m365-business-basic", "monthly") == Decimal("6.00")
    assert price("o365-e5", "annual") == Decimal("456.00")
    assert price("m365-business-standard-in", "monthly") == Decimal("660.00")
    assert OfferPrice.objects.get(offer_id="m365-business-basic-in", billing_cycle="monthly").currency == "INR"


def test_service_plan_levels_order_versions_inside_a_family():
    def level(code):
        return ServicePlan.objects.get(code=code).level

    assert level("EXCHANGE_S_FOUNDATION") < level("EXCHANGE_S_STANDARD") < level("EXCHANGE_S_ENTERPRISE")
    assert level("ONEDRIVESTANDARD") < level("SHAREPOINTSTANDARD") < level("SHAREPOINTENTERPRISE")
    assert level("SHAREPOINTWAC") < level("OFFICE_BUSINESS") < level("OFFICESUBSCRIPTION")
    assert level("MCOVOICECONF") < level("MCOEV")
    assert level("RMS_S_ENTERPRISE") < level("RMS_S_PREMIUM")
    assert {p.family_id for p in ServicePlan.objects.filter(code__in=["MCOVOICECONF", "MCOEV"])} == {"voice"}
    assert not ServicePlan.objects.filter(level__lt=1).exists()


def test_e4_services_are_kept_by_its_upgrade_targets():
    """Each E4 upgrade target holds, for every family of E4, a plan at the same or a higher level (§6)."""

    def best_levels(offer_id):
        levels = {}
        for plan in Offer.objects.get(pk=offer_id).service_plans.all():
            levels[plan.family_id] = max(levels.get(plan.family_id, 0), plan.level)
        return levels

    e4 = best_levels("o365-e4")
    for target in DirectOption.objects.filter(source_id="o365-e4", kind="upgrade").values_list("target_id", flat=True):
        levels = best_levels(target)
        assert all(levels.get(family, 0) >= level for family, level in e4.items()), target
    for target in DirectOption.objects.filter(source_id="o365-e4", kind="change").values_list("target_id", flat=True):
        levels = best_levels(target)
        assert not all(levels.get(family, 0) >= level for family, level in e4.items()), target
