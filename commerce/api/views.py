"""``GET /v1/customers/{id}/subscriptions/{id}/transitionEligibilities``: the rules decide, this only adapts.

Partner Center's "Get transition eligibilities":
https://learn.microsoft.com/en-us/partner-center/developer/transition-a-new-commerce-subscription
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from api.pagination import collection_body
from api.serializers.common import collection_of
from api.views.base import PartnerCenterAPIView
from api.views.docs import ERRORS
from partners.roles import Capability

from ..selectors import transition_eligibilities_for
from .serializers import TransitionEligibilitySerializer


class TransitionEligibilityView(PartnerCenterAPIView):
    """The subscription's transition targets, each eligible or not with every reason."""

    capabilities = {"get": Capability.UPGRADE}

    @extend_schema(
        operation_id="customer_subscription_transition_eligibilities_list",
        parameters=[
            OpenApiParameter(
                "eligibilityType",
                str,
                enum=["immediate", "scheduled"],
                default="immediate",
                description=(
                    "`immediate`: a transition now, to a higher offer (with the existing subscriptions of the "
                    "target that could receive the seats); `scheduled`: a change at renewal (lower offers too)."
                ),
            ),
            OpenApiParameter(
                "termDuration",
                str,
                enum=["P1M", "P1Y", "P3Y"],
                description="Portal extension: evaluate for this target term (default: the source's).",
            ),
        ],
        responses={200: collection_of(TransitionEligibilitySerializer), **ERRORS},
    )
    def get(self, request, customer_id, subscription_id):
        items = transition_eligibilities_for(
            actor=request.user,
            customer_tenant_id=self.customer.tenant_id,
            subscription_id=self.subscription.pk,
            eligibility_type=request.query_params.get("eligibilityType"),
            term_duration=request.query_params.get("termDuration"),
        )
        return Response(collection_body(TransitionEligibilitySerializer(items, many=True).data))
