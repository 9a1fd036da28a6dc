"""Load the reference catalog (``catalog/data/catalog.json``) and its new commerce products and prices
(``catalog/data/commerce.json``) into the database.

Used by the data migrations (with historical models) and by ``manage.py load_catalog``. Idempotent:
rows are keyed by their ids and updated in place.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

CATALOG_PATH = Path(__file__).resolve().parent / "data" / "catalog.json"
COMMERCE_PATH = Path(__file__).resolve().parent / "data" / "commerce.json"
ANNUAL_MONTHS = 12
# term → its billing cycles with their months (catalog.models.TERM_CYCLES / CYCLE_MONTHS, spelled out here so the
# historical models of a migration can use it)
COMMERCE_TERMS = {
    "P1M": {"monthly": 1},
    "P1Y": {"monthly": 1, "annual": 12},
    "P3Y": {"monthly": 1, "annual": 12, "triennial": 36},
}


def read_catalog(path: Path = CATALOG_PATH) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def load_commerce(models: dict, data: dict | None = None, catalog: dict | None = None) -> None:
    """``models`` maps CommerceProduct and CommercePrice to classes: each offer's new commerce product and its
    prices per term × billing cycle in the offer's currency (from its monthly demo price)."""
    data = data or read_catalog(COMMERCE_PATH)
    catalog = catalog or read_catalog()
    CommerceProduct, CommercePrice = models["CommerceProduct"], models["CommercePrice"]
    monthly_prices = {raw["id"]: (Decimal(raw["price"]), raw["currency"]) for raw in catalog["offers"]}
    premium = Decimal(data["monthlyTermPremium"])
    for offer_id, product in data["products"].items():
        CommerceProduct.objects.update_or_create(
            offer_id=offer_id,
            defaults={
                "product_id": product["productId"],
                "sku_id": product["skuId"],
                "availability_id": product["availabilityId"],
            },
        )
        monthly, currency = monthly_prices[offer_id]
        for term, cycles in COMMERCE_TERMS.items():
            per_month = (monthly * premium).quantize(Decimal("0.01")) if term == "P1M" else monthly
            for cycle, months in cycles.items():
                CommercePrice.objects.update_or_create(
                    offer_id=offer_id,
                    term_duration=term,
                    billing_cycle=cycle,
                    currency=currency,
                    defaults={"unit_price": per_month * months},
                )


def load_catalog(models: dict, data: dict | None = None) -> None:
    """``models`` maps names (ServiceFamily, ServicePlan, Offer, OfferPrice, UpgradePath, DirectOption) to classes."""
    data = data or read_catalog()
    ServiceFamily, ServicePlan, Offer = models["ServiceFamily"], models["ServicePlan"], models["Offer"]
    OfferPrice, UpgradePath, DirectOption = models["OfferPrice"], models["UpgradePath"], models["DirectOption"]

    for code, fam in data["serviceFamilies"].items():
        ServiceFamily.objects.update_or_create(
            code=code, defaults={"name": fam["name"], "data_related": fam["dataRelated"]}
        )
    for plan in data["servicePlans"]:
        ServicePlan.objects.update_or_create(
            code=plan["code"],
            defaults={"plan_id": plan["id"], "name": plan["name"], "family_id": plan["family"], "level": plan["level"]},
        )

    entries = [(o, False) for o in data["offers"]] + [(o, True) for o in data["addOns"]]
    for raw, is_addon in entries:
        offer, _ = Offer.objects.update_or_create(
            id=raw["id"],
            defaults={
                "name": raw["name"],
                "sku_part_number": raw["skuPartNumber"],
                "sku_id": raw["skuId"],
                "market": raw["market"],
                "currency": raw["currency"],
                "is_addon": is_addon,
                "retired": raw.get("retired", False),
                "unit": raw.get("unit", "Licenses"),
            },
        )
        offer.service_plans.set(raw["servicePlans"])
        monthly = Decimal(raw["price"])
        for cycle, amount in (("monthly", monthly), ("annual", monthly * ANNUAL_MONTHS)):
            OfferPrice.objects.update_or_create(
                offer=offer, billing_cycle=cycle, currency=raw["currency"], defaults={"unit_price": amount}
            )
    for raw in data["addOns"]:
        Offer.objects.get(id=raw["id"]).base_offers.set(raw["baseOffers"])

    for row in data["cspUpgradeMatrix"]["paths"]:
        for position, target in enumerate(row["to"]):
            footnote = "1" if row.get("footnote1") == target else ""
            UpgradePath.objects.update_or_create(
                source_id=row["from"],
                target_id=target,
                defaults={"position": position, "footnote": footnote, "extension": row.get("extension", False)},
            )

    e4 = data["e4DirectOptions"]
    for kind in ("upgrade", "change"):
        for position, target in enumerate(e4[kind]):
            DirectOption.objects.update_or_create(
                source_id="o365-e4", target_id=target, defaults={"kind": kind, "position": position}
            )


def load_plan_inclusions(models: dict, data: dict | None = None) -> None:
    """``ServicePlan.includes`` from the catalog's ``includes`` lists (a plan that provides another plan's service:
    Exchange Online (Plan 2) includes Exchange Online Archiving). ``models``: ``{"ServicePlan": cls}``."""
    data = data or read_catalog()
    ServicePlan = models["ServicePlan"]
    for plan in data["servicePlans"]:
        ServicePlan.objects.get(code=plan["code"]).includes.set(plan.get("includes", []))
