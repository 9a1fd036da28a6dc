"""Reads of the customers /v1/ endpoints; every customer read starts from the scoping selectors.

Each returns a queryset whose cost does not depend on the number of rows (annotations and prefetches).
"""

from __future__ import annotations

import json

from django.db.models import OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from core.errors import InvalidInput
from customers.models import Customer, RelationshipToPartner, ResellerRelationship, TenantUser
from customers.selectors import acting_partner_id, customers_visible_to

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
    # partner_id None (an operator) matches no row, so the relationship reads "none".
    relationship = ResellerRelationship.objects.filter(
        partner_id=partner_id,  # type: ignore[misc]  # None is a valid "no partner" lookup here (see above)
        customer=OuterRef("pk"),
    ).values("relationship")[:1]
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


def tenant_users_for_api(*, customer) -> QuerySet[TenantUser]:
    """Users of a customer already resolved through ``customer_for`` (so inside the actor's scope)."""
    return TenantUser.objects.filter(customer=customer).select_related("customer").order_by("user_principal_name", "pk")
