"""``/customers/{id}/subscriptions/{id}/upgrades``: the engine (``upgrades``) decides, this only adapts."""

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from api.pagination import collection_body
from api.serializers.common import ServiceFaultSerializer, collection_of
from api.views.base import PartnerCenterAPIView, parse_guid, reason_of
from api.views.docs import ERRORS, REQUEST_HEADERS, WRITE_ERRORS
from catalog.api.selectors import offer_queryset
from core.errors import InvalidInput
from partners.roles import Capability
from upgrades.approval_services import (
    subscription_upgrade_request,
    upgrade_operation_approve,
    upgrade_operation_reject,
)
from upgrades.exceptions import UpgradeNotEligible
from upgrades.policies import prefers_respond_async
from upgrades.selectors import upgrade_options_for

from .serializers import (
    RejectionSerializer,
    UpgradeOperationSerializer,
    UpgradeRequestSerializer,
    UpgradeResultSerializer,
    UpgradeSerializer,
)

PREFER = OpenApiParameter(
    "Prefer",
    str,
    OpenApiParameter.HEADER,
    description=(
        "RFC 7240. `respond-async`: answer 202 with the upgrade operation at once (its `Location` to poll); the "
        "upgrade runs in the background. Without it the call answers the UpgradeResult when the upgrade is done."
    ),
)

# A 400 is an UpgradeResult (not eligible: its upgradeErrors say why) or a ServiceFault (a malformed body).
UPGRADE_400 = PolymorphicProxySerializer(
    component_name="UpgradeRefusal",
    resource_type_field_name=None,
    serializers=[UpgradeResultSerializer, ServiceFaultSerializer],
)


class UpgradeView(PartnerCenterAPIView):
    capabilities = {"get": Capability.UPGRADE, "post": Capability.UPGRADE}

    @extend_schema(
        operation_id="customer_subscription_upgrades_list",
        parameters=[
            OpenApiParameter(
                "billingCycle",
                str,
                enum=["monthly", "annual"],
                description="Evaluate the targets for this billing cycle.",
            ),
        ],
        responses={200: collection_of(UpgradeSerializer), **ERRORS},
    )
    def get(self, request, customer_id, subscription_id):
        billing_cycle = request.query_params.get("billingCycle") or None
        if billing_cycle not in (None, "monthly", "annual"):
            raise InvalidInput(_("must be monthly or annual."), field="billingCycle")
        options = upgrade_options_for(actor=request.user, subscription=self.subscription, billing_cycle=billing_cycle)
        target_ids = [option.target_offer.pk for option in options if option.target_offer is not None]
        offers = {offer.pk: offer for offer in offer_queryset().filter(pk__in=target_ids)}
        items = UpgradeSerializer(options, many=True, context={"offers": offers}).data
        return Response(collection_body(items))

    @extend_schema(
        operation_id="customer_subscription_upgrades_create",
        parameters=[*REQUEST_HEADERS, PREFER],
        request=UpgradeRequestSerializer,
        responses={
            **WRITE_ERRORS,
            200: UpgradeResultSerializer,
            202: OpenApiResponse(
                UpgradeOperationSerializer,
                description=(
                    "`Prefer: respond-async`: the upgrade operation, running in the background; or, above the "
                    "partner's approval threshold, the operation `awaiting_approval` (it runs once a second user "
                    "approves it, `.../approve`). Headers: `Location` (the operation: GET it until its status is "
                    "succeeded, failed or rejected; its `result` is then the UpgradeResult), "
                    "`Preference-Applied: respond-async`, `Retry-After` (seconds)."
                ),
            ),
            400: UPGRADE_400,
        },
    )
    def post(self, request, customer_id, subscription_id):
        body = UpgradeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        arguments = {
            "actor": request.user,
            "subscription_id": self.subscription.pk,
            "target_offer_id": data["targetOffer"]["id"],
            "upgrade_type": data.get("upgradeType"),
            "quantity": data.get("quantity"),
            "billing_cycle": data.get("billingCycle"),
            "correlation_id": self.correlation_id,
            "request_id": self.request_id,
        }
        try:
            outcome = subscription_upgrade_request(
                **arguments, respond_async=prefers_respond_async(request.headers.get("Prefer"))
            )
        except UpgradeNotEligible as exc:
            return Response(UpgradeResultSerializer(exc.result).data, status=status.HTTP_400_BAD_REQUEST)
        if outcome.operation is not None:  # respond-async, or above the partner's approval threshold: waiting
            operation = outcome.operation
            return accepted(operation, UpgradeOperationSerializer(operation, context=operation_context(operation)))
        return Response(UpgradeResultSerializer(outcome.result).data, status=status.HTTP_200_OK)

    def handle_exception(self, exc):
        """A replayed 202 (same ``MS-RequestId``) carries its ``Location`` again."""
        response = super().handle_exception(exc)
        if response.status_code == status.HTTP_202_ACCEPTED and isinstance(response.data, dict):
            uri = response.data.get("links", {}).get("self", {}).get("uri")
            if uri:
                response["Location"] = uri
                response["Preference-Applied"] = "respond-async"
        return response


def operation_uri(operation) -> str:
    return reverse(
        "api:subscription-upgrade-operation",
        kwargs={
            "customer_id": str(operation.source.customer.tenant_id),
            "subscription_id": str(operation.source_id),
            "operation_id": str(operation.pk),
        },
    )


def operation_context(operation) -> dict:
    return {"self_uri": operation_uri(operation)}


def accepted(operation, serializer) -> Response:
    """202 Accepted (RFC 7240 ``respond-async``): the operation, where to follow it, and that the preference held."""
    return Response(
        serializer.data,
        status=status.HTTP_202_ACCEPTED,
        headers={"Location": operation_uri(operation), "Preference-Applied": "respond-async", "Retry-After": "3"},
    )


class UpgradeOperationView(PartnerCenterAPIView):
    """``GET .../upgrades/{operationId}``: an upgrade operation of this subscription, its status and result."""

    capabilities = {"get": Capability.UPGRADE}

    @extend_schema(
        operation_id="customer_subscription_upgrade_operation_retrieve",
        responses={200: UpgradeOperationSerializer, **ERRORS},
    )
    def get(self, request, customer_id, subscription_id, operation_id):
        from upgrades.models import UpgradeOperation
        from upgrades.selectors import upgrade_operation_for

        pk = parse_guid(operation_id, field="operationId")
        try:
            operation = upgrade_operation_for(request.user, operation_id=pk, source=self.subscription)
        except UpgradeOperation.DoesNotExist:
            raise NotFound(_("Upgrade operation %(id)s was not found.") % {"id": pk}) from None
        return Response(UpgradeOperationSerializer(operation, context=operation_context(operation)).data)


class UpgradeOperationDecisionView(PartnerCenterAPIView):
    """``POST .../upgrades/{operationId}/approve`` and ``/reject``: four-eyes approval (domain.md §9) of an upgrade
    above the partner's threshold; a second user with the approve capability, never its creator (403)."""

    capabilities = {"post": Capability.UPGRADE}  # the approve capability itself is the service's check

    def operation(self, operation_id):
        from upgrades.models import UpgradeOperation
        from upgrades.selectors import upgrade_operation_for

        pk = parse_guid(operation_id, field="operationId")
        try:
            return upgrade_operation_for(self.request.user, operation_id=pk, source=self.subscription)
        except UpgradeOperation.DoesNotExist:
            raise NotFound(_("Upgrade operation %(id)s was not found.") % {"id": pk}) from None

    def answer(self, operation_id):
        operation = self.operation(operation_id)
        return Response(UpgradeOperationSerializer(operation, context=operation_context(operation)).data)


class UpgradeOperationApproveView(UpgradeOperationDecisionView):
    @extend_schema(
        operation_id="customer_subscription_upgrade_operation_approve",
        parameters=REQUEST_HEADERS,
        request=None,
        responses={200: UpgradeOperationSerializer, **WRITE_ERRORS},
        description="Approve an upgrade awaiting approval: it runs. 409 when it is not waiting.",
    )
    def post(self, request, customer_id, subscription_id, operation_id):
        upgrade_operation_approve(actor=request.user, operation=self.operation(operation_id))
        return self.answer(operation_id)


class UpgradeOperationRejectView(UpgradeOperationDecisionView):
    @extend_schema(
        operation_id="customer_subscription_upgrade_operation_reject",
        parameters=REQUEST_HEADERS,
        request=RejectionSerializer,
        responses={200: UpgradeOperationSerializer, **WRITE_ERRORS},
        description="Reject an upgrade awaiting approval (a reason is required): nothing is changed.",
    )
    def post(self, request, customer_id, subscription_id, operation_id):
        reason = reason_of(request.data)
        upgrade_operation_reject(actor=request.user, operation=self.operation(operation_id), reason=reason)
        return self.answer(operation_id)
