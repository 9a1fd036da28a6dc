"""``/customers`` and ``/customers/{id}``: a customer resource carries the partner's delegated access to it
(``allowDelegatedAccess``), so these endpoints live in ``delegation``, the app that owns that concept."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from api.pagination import collection_body, paginate
from api.serializers.common import collection_of
from api.views.base import PartnerCenterAPIView
from api.views.docs import ERRORS, PAGING
from customers.api.selectors import customers_for_api
from customers.api.serializers import CustomerSerializer
from customers.selectors import acting_partner_id
from partners.roles import Capability

from ..selectors import delegated_access_for


def customer_context(actor, customers) -> dict:
    partner_id = acting_partner_id(actor)
    if partner_id is None:
        return {"delegated": {}}
    return {"delegated": delegated_access_for(partner_id=partner_id, customer_ids=[c.pk for c in customers])}


class CustomerListView(PartnerCenterAPIView):
    capabilities = {"get": Capability.VIEW_CUSTOMERS}

    @extend_schema(
        operation_id="customers_list",
        parameters=PAGING
        + [
            OpenApiParameter("q", str, description="Company name or domain contains this text."),
            OpenApiParameter(
                "filter",
                str,
                description='Partner Center filter: {"Field": "CompanyName", '
                '"Value": "Con", "Operator": "starts_with"}.',
            ),
        ],
        responses={200: collection_of(CustomerSerializer), **ERRORS},
    )
    def get(self, request):
        queryset = customers_for_api(
            request.user,
            q=request.query_params.get("q", "").strip(),
            pc_filter=request.query_params.get("filter", "").strip(),
        )
        rows, total, next_uri = paginate(request, queryset)
        items = CustomerSerializer(rows, many=True, context=customer_context(request.user, rows)).data
        return Response(collection_body(items, total=total, next_uri=next_uri))


class CustomerDetailView(PartnerCenterAPIView):
    capabilities = {"get": Capability.VIEW_CUSTOMERS}

    @extend_schema(operation_id="customers_retrieve", responses={200: CustomerSerializer, **ERRORS})
    def get(self, request, customer_id):
        customer = customers_for_api(request.user).get(pk=self.customer.pk)
        return Response(CustomerSerializer(customer, context=customer_context(request.user, [customer])).data)
