"""``/v1/customers/{id}/subscriptions/{id}/transitions``: POST carries a transition out, GET lists them.

Partner Center: "Transition a new commerce subscription"
(https://learn.microsoft.com/en-us/partner-center/developer/transition-a-new-commerce-subscription) and "Get
transitions" (https://learn.microsoft.com/en-us/partner-center/developer/get-transitions). The service decides
(``commerce.services``), this only adapts; ``MS-RequestId`` replays the first answer (the base view).
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from api.pagination import collection_body
from api.serializers.common import collection_of
from api.views.base import PartnerCenterAPIView
from api.views.docs import ERRORS, REQUEST_HEADERS, WRITE_ERRORS
from core.errors import InvalidInput
from partners.roles import Capability

from ..selectors import transitions_of
from ..services import subscription_transition
from .transition_serializers import TransitionRequestSerializer, TransitionSerializer

FIELDS = {
    "fromCatalogItemId": "from_catalog_item_id",
    "toCatalogItemId": "to_catalog_item_id",
    "toSubscriptionId": "to_subscription_id",
    "quantity": "quantity",
    "termDuration": "term_duration",
    "billingCycle": "billing_cycle",
    "transitionType": "transition_type",
    "userIds": "user_ids",
}


class TransitionView(PartnerCenterAPIView):
    capabilities = {"get": Capability.UPGRADE, "post": Capability.UPGRADE}

    @extend_schema(
        operation_id="customer_subscription_transitions_list",
        responses={200: collection_of(TransitionSerializer), **ERRORS},
        description="The subscription's transitions (as source or target), newest first, with their events.",
    )
    def get(self, request, customer_id, subscription_id):
        rows = transitions_of(actor=self.actor, subscription=self.subscription)
        return Response(collection_body(TransitionSerializer(rows, many=True).data))

    @extend_schema(
        operation_id="customer_subscription_transitions_create",
        parameters=REQUEST_HEADERS,
        request=TransitionRequestSerializer,
        responses={200: TransitionSerializer, **WRITE_ERRORS},
        description=(
            "Transition now (mid-term), in one transaction. 400 names the bad field; 409 "
            "`transition_not_eligible` lists every reason (checked on the locked subscriptions). The source's "
            "`scheduledNextTermInstructions` are deleted (the answer's `removedScheduledNextTermInstructions`)."
        ),
    )
    def post(self, request, customer_id, subscription_id):
        if not isinstance(request.data, dict):
            raise InvalidInput(_("The body must be a JSON object."), field="body")
        arguments = {name: request.data.get(key) for key, name in FIELDS.items()}
        if arguments["to_catalog_item_id"] is None:
            raise InvalidInput(_("is required."), field="toCatalogItemId")
        row = subscription_transition(
            actor=self.actor,
            subscription_id=self.subscription.pk,
            customer_tenant_id=self.customer.tenant_id,
            correlation_id=self.correlation_id,
            request_id=self.request_id,
            **arguments,
        )
        return Response(TransitionSerializer(row).data)
