"""The catalog offer a subscription (or its scheduled next term) names: known, and of the customer's market."""

from __future__ import annotations

from django.utils.translation import gettext as _

from catalog.models import INDIA

from .fields import MISSING, join


def market_offer(c, plan, raw, path, country):
    """``raw["offer"]`` when it is a catalog offer sold in ``country``; MISSING (with an error) otherwise."""
    offer = c.string(raw, "offer", path)
    if not offer:
        return offer
    offers = plan.snapshot.offers
    if offer not in offers:
        c.error(join(path, "offer"), _("unknown offer '%(offer)s'") % {"offer": offer})
        return MISSING
    india_variant = f"{offer}-in"
    if offers[offer]["market"] == INDIA and country != INDIA:
        c.error(join(path, "offer"), _("offer '%(offer)s' is sold only to customers in India") % {"offer": offer})
        return MISSING
    if country == INDIA and india_variant in offers:
        c.error(
            join(path, "offer"),
            _("customers in India buy the India variant '%(variant)s'") % {"variant": india_variant},
        )
        return MISSING
    return offer
