"""``/customers/{id}/users``: the customer's tenant users."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from api.pagination import collection_body, paginate
from api.serializers.common import collection_of
from api.views.base import PartnerCenterAPIView
from api.views.docs import ERRORS, PAGING
from partners.roles import Capability

from .selectors import tenant_users_for_api
from .serializers import CustomerUserSerializer


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
