"""Reads the API needs beyond the apps' own selectors; every customer read starts from the scoping selectors.

Each returns a queryset whose cost does not depend on the number of rows (annotations and prefetches).
"""

from __future__ import annotations

import json
from datetime import datetime

from django.db.models import OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from audit.models import AuditRecord
from catalog.models import GLOBAL, INDIA, Offer, UpgradePath
from core.errors import InvalidInput
from customers.models import Customer, RelationshipToPartner, ResellerRelationship, TenantUser
from customers.selectors import acting_partner_id, customers_visible_to
from subscriptions.models import LicenseAssignment
from subscriptions.selectors import assignments_visible_to

# Partner Center's customer filter: {"Field": "CompanyName"|"Domain", "Value": "...", "Operator": "starts_with"}
FILTER_FIELDS = {
    "companyname": "company_name",
    "displayname": "company_name",
    "domain": "domain",
    "defaultdomainname": "domain",
}


def customers_for_api(actor, *, q: str = "", pc_filter: str = "") -> QuerySet[Customer]:
    """The actor's customers with ``relationship_to_partner`` annotated (one query per page)."""
    queryset = customers_visible_to(actor)
    partner_id = acting_partner_id(actor)
    # partner_id None (an operator): IS NULL on a non-null FK matches no row, so no relationship.
    relationship = ResellerRelationship.objects.filter(
        partner_id=partner_id, customer=OuterRef("pk")
    ).values(  # type: ignore[misc]
        "relationship"
    )[:1]
    queryset = queryset.annotate(
        relationship_to_partner=Coalesce(Subquery(relationship), Value(RelationshipToPartner.NONE.value))
    )
    if q:
        queryset = queryset.filter(Q(company_name__icontains=q) | Q(domain__icontains=q))
    if pc_filter:
        queryset = queryset.filter(**_parse_partner_center_filter(pc_filter))
    return queryset.order_by("company_name", "pk")


def _parse_partner_center_filter(raw: str) -> dict:
    try:
        spec = json.loads(raw)
    except ValueError:
        raise InvalidInput(
            _('must be a JSON object like {"Field": "CompanyName", "Value": "Con", "Operator": "starts_with"}.'),
            field="filter",
        ) from None
    if not isinstance(spec, dict):
        raise InvalidInput(_("must be a JSON object."), field="filter")
    spec = {str(k).lower(): v for k, v in spec.items()}
    field = FILTER_FIELDS.get(str(spec.get("field", "")).lower())
    value = spec.get("value")
    operator = str(spec.get("operator", "starts_with")).lower().replace("_", "")
    if field is None:
        raise InvalidInput(_("Field must be CompanyName or Domain."), field="filter")
    if not isinstance(value, str) or not value:
        raise InvalidInput(_("Value must be a non-empty string."), field="filter")
    if operator != "startswith":
        raise InvalidInput(_("Operator must be starts_with."), field="filter")
    return {f"{field}__istartswith": value}


def offer_queryset() -> QuerySet[Offer]:
    """Offers with everything the Offer representation reads, in a fixed number of queries."""
    return Offer.objects.prefetch_related("upgrade_paths", "prices", "base_offers", "addons").order_by("market", "name")


def offers_for_country(country: str) -> QuerySet[Offer]:
    """India (``IN``): the India variants plus the global offers India sources upgrade to (the matrix targets).
    Any other country: the global offers (retired ones included; they are marked not purchasable)."""
    if country == INDIA:
        targets = UpgradePath.objects.filter(source__market=INDIA, target__market=GLOBAL).values("target_id")
        return offer_queryset().filter(Q(market=INDIA) | Q(pk__in=targets))
    return offer_queryset().filter(market=GLOBAL)


def tenant_users_for_api(*, customer) -> QuerySet[TenantUser]:
    """Users of a customer already resolved through ``customer_for`` (so inside the actor's scope)."""
    return TenantUser.objects.filter(customer=customer).select_related("customer").order_by("user_principal_name", "pk")


def licenses_for_api(actor, *, tenant_user) -> QuerySet[LicenseAssignment]:
    """A user's licenses in the subscriptions the actor may see."""
    return (
        assignments_visible_to(actor)
        .filter(user=tenant_user)
        .select_related("subscription__offer")
        .prefetch_related("subscription__offer__service_plans")
        .order_by("assigned", "pk")
    )


def audit_records_for_api(actor, *, start: datetime, end: datetime) -> QuerySet[AuditRecord]:
    """Audit records of the actor's partner (every partner's for operators) between ``start`` and ``end``."""
    queryset = AuditRecord.objects.select_related("partner", "customer").filter(
        operation_date__gte=start, operation_date__lt=end
    )
    if not getattr(actor, "is_superuser", False):
        partner_id = acting_partner_id(actor)
        if partner_id is None:
            return queryset.none()
        queryset = queryset.filter(partner_id=partner_id)
    return queryset.order_by("-operation_date", "pk")
