"""Load the reference catalog (``catalog/data/catalog.json``) into the database.

Used by the data migration (with historical models) and by ``manage.py load_catalog``. Idempotent:
rows are keyed by their ids and updated in place.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

CATALOG_PATH = Path(__file__).resolve().parent / "data" / "catalog.json"
ANNUAL_MONTHS = 12


def read_catalog(path: Path = CATALOG_PATH) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


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
