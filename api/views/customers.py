from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from customers.selectors import acting_partner_id
from delegation.selectors import delegated_access_for
from partners.roles import Capability

from ..pagination import collection_body, paginate
from ..selectors import customers_for_api, licenses_for_api, tenant_users_for_api
from ..serializers.common import collection_of
from ..serializers.customers import CustomerSerializer, CustomerUserSerializer, LicenseSerializer
from .base import PartnerCenterAPIView, parse_guid
from .docs import ERRORS, PAGING


def _customer_context(actor, customers) -> dict:
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
        items = CustomerSerializer(rows, many=True, context=_customer_context(request.user, rows)).data
        return Response(collection_body(items, total=total, next_uri=next_uri))


class CustomerDetailView(PartnerCenterAPIView):
    capabilities = {"get": Capability.VIEW_CUSTOMERS}

    @extend_schema(operation_id="customers_retrieve", responses={200: CustomerSerializer, **ERRORS})
    def get(self, request, customer_id):
        customer = customers_for_api(request.user).get(pk=self.customer.pk)
        return Response(CustomerSerializer(customer, context=_customer_context(request.user, [customer])).data)


class CustomerUserListView(PartnerCenterAPIView):
    capabilities = {"get": Capability.VIEW_CUSTOMERS}

    @extend_schema(
        operation_id="customer_users_list",
        parameters=PAGING,
        responses={200: collection_of(CustomerUserSerializer), **ERRORS},
    )
    def get(self, request, customer_id):
        rows, total, next_uri = paginate(request, tenant_users_for_api(customer=self.customer))
        return Response(collection_body(CustomerUserSerializer(rows, many=True).data, total=total, next_uri=next_uri))


class UserLicenseListView(PartnerCenterAPIView):
    capabilities = {"get": Capability.VIEW_CUSTOMERS}

    @extend_schema(
        operation_id="customer_user_licenses_list", responses={200: collection_of(LicenseSerializer), **ERRORS}
    )
    def get(self, request, customer_id, user_id):
        object_id = parse_guid(user_id, field="userId")
        tenant_user = tenant_users_for_api(customer=self.customer).filter(object_id=object_id).first()
        if tenant_user is None:
            raise exceptions.NotFound(_("User %(id)s was not found.") % {"id": object_id})
        licenses = list(licenses_for_api(request.user, tenant_user=tenant_user))
        return Response(collection_body(LicenseSerializer(licenses, many=True).data))
