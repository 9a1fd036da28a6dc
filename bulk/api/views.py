"""``/v1/upgradeBatches`` and ``/v1/upgradeEligibility`` (thin: parse, call bulk services/selectors, render).

The conventions (auth, role check, correlation id, ``MS-RequestId`` replay, ServiceFault errors) come from the
API's ``PartnerCenterAPIView``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from api.pagination import collection_body, paginate
from api.serializers.common import collection_of
from api.views.base import PartnerCenterAPIView, parse_guid, reason_of
from api.views.docs import ERRORS, PAGING, REQUEST_HEADERS, WRITE_ERRORS
from catalog.api.selectors import offer_queryset
from core.errors import InvalidInput
from partners.roles import Capability
from upgrades.api.serializers import RejectionSerializer

from .. import approval_services, selectors, services
from ..models import ItemStatus
from .parsing import parse_batch_request, parse_eligibility_request
from .serializers import (
    SubscriptionEligibilitySerializer,
    UpgradeBatchItemSerializer,
    UpgradeBatchRequestSerializer,
    UpgradeBatchSerializer,
    UpgradeEligibilityRequestSerializer,
)


class BatchView(PartnerCenterAPIView):
    def batch(self, batch_id):
        return selectors.upgrade_batch_with_progress(self.request.user, batch_id=parse_guid(batch_id, field="batchId"))


class UpgradeBatchListView(BatchView):
    capabilities = {"get": Capability.UPGRADE, "post": Capability.UPGRADE}

    @extend_schema(
        operation_id="upgrade_batches_list",
        parameters=PAGING,
        responses={200: collection_of(UpgradeBatchSerializer), **ERRORS},
    )
    def get(self, request):
        rows, total, next_uri = paginate(request, selectors.upgrade_batch_list_for(request.user))
        for batch in rows:
            batch.progress = selectors.progress_of_annotated(batch)
        return Response(collection_body(UpgradeBatchSerializer(rows, many=True).data, total=total, next_uri=next_uri))

    @extend_schema(
        operation_id="upgrade_batches_create",
        parameters=REQUEST_HEADERS,
        request=UpgradeBatchRequestSerializer,
        responses={202: UpgradeBatchSerializer, **WRITE_ERRORS},
    )
    def post(self, request):
        items, dry_run = parse_batch_request(request.data)
        batch = services.upgrade_batch_create(
            actor=request.user,
            items=items,
            dry_run=dry_run,
            correlation_id=self.correlation_id,
            request_id=self.request_id,
        )
        return Response(UpgradeBatchSerializer(self.batch(batch.pk)).data, status=status.HTTP_202_ACCEPTED)


class UpgradeBatchDetailView(BatchView):
    capabilities = {"get": Capability.UPGRADE}

    @extend_schema(operation_id="upgrade_batches_retrieve", responses={200: UpgradeBatchSerializer, **ERRORS})
    def get(self, request, batch_id):
        return Response(UpgradeBatchSerializer(self.batch(batch_id)).data)


class UpgradeBatchItemListView(BatchView):
    capabilities = {"get": Capability.UPGRADE}

    @extend_schema(
        operation_id="upgrade_batch_items_list",
        parameters=[
            *PAGING,
            OpenApiParameter("status", str, enum=list(ItemStatus.values), description="Only the items in this status."),
        ],
        responses={200: collection_of(UpgradeBatchItemSerializer), **ERRORS},
    )
    def get(self, request, batch_id):
        batch = selectors.upgrade_batch_for(request.user, batch_id=parse_guid(batch_id, field="batchId"))
        item_status = request.query_params.get("status") or None
        if item_status is not None and item_status not in ItemStatus.values:
            raise InvalidInput(
                _("must be one of %(choices)s.") % {"choices": ", ".join(ItemStatus.values)}, field="status"
            )
        rows, total, next_uri = paginate(request, selectors.upgrade_batch_items(batch, status=item_status))
        return Response(
            collection_body(UpgradeBatchItemSerializer(rows, many=True).data, total=total, next_uri=next_uri)
        )


class UpgradeBatchCancelView(BatchView):
    capabilities = {"post": Capability.UPGRADE}

    @extend_schema(
        operation_id="upgrade_batches_cancel",
        parameters=REQUEST_HEADERS,
        request=None,
        responses={200: UpgradeBatchSerializer, **WRITE_ERRORS},
    )
    def post(self, request, batch_id):
        batch = selectors.upgrade_batch_for(request.user, batch_id=parse_guid(batch_id, field="batchId"))
        services.upgrade_batch_cancel(actor=request.user, batch=batch)
        return Response(UpgradeBatchSerializer(self.batch(batch.pk)).data)


class BatchDecisionView(BatchView):
    """Four-eyes approval (domain.md §9): a second user with the approve capability, never the creator (403)."""

    capabilities = {"post": Capability.UPGRADE}  # the approve capability itself is the service's check

    def decided(self, request, batch_id, decide) -> Response:
        """``decide(batch)`` (a service) on the actor's batch, then the batch as it is now."""
        batch = selectors.upgrade_batch_for(request.user, batch_id=parse_guid(batch_id, field="batchId"))
        decide(batch)
        return Response(UpgradeBatchSerializer(self.batch(batch.pk)).data)


class UpgradeBatchApproveView(BatchDecisionView):
    @extend_schema(
        operation_id="upgrade_batches_approve",
        parameters=REQUEST_HEADERS,
        request=None,
        responses={200: UpgradeBatchSerializer, **WRITE_ERRORS},
        description="Approve a batch awaiting approval: it is queued and runs. 409 when it is not waiting.",
    )
    def post(self, request, batch_id):
        return self.decided(
            request, batch_id, lambda batch: approval_services.upgrade_batch_approve(actor=request.user, batch=batch)
        )


class UpgradeBatchRejectView(BatchDecisionView):
    @extend_schema(
        operation_id="upgrade_batches_reject",
        parameters=REQUEST_HEADERS,
        request=RejectionSerializer,
        responses={200: UpgradeBatchSerializer, **WRITE_ERRORS},
        description="Reject a batch awaiting approval (a reason is required): its items are cancelled, nothing runs.",
    )
    def post(self, request, batch_id):
        reason = reason_of(request.data)
        return self.decided(
            request,
            batch_id,
            lambda batch: approval_services.upgrade_batch_reject(actor=request.user, batch=batch, reason=reason),
        )


class UpgradeEligibilityView(PartnerCenterAPIView):
    capabilities = {"post": Capability.UPGRADE}

    @extend_schema(
        operation_id="upgrade_eligibility_create",
        parameters=REQUEST_HEADERS,
        request=UpgradeEligibilityRequestSerializer,
        responses={200: collection_of(SubscriptionEligibilitySerializer), **WRITE_ERRORS},
    )
    def post(self, request):
        pairs, billing_cycle = parse_eligibility_request(request.data)
        entries = selectors.upgrade_eligibility_for_many(
            actor=request.user, subscriptions=pairs, billing_cycle=billing_cycle
        )
        target_ids = {
            option.target_offer.pk for entry in entries for option in entry.options if option.target_offer is not None
        }
        offers = {offer.pk: offer for offer in offer_queryset().filter(pk__in=target_ids)} if target_ids else {}
        items = SubscriptionEligibilitySerializer(entries, many=True, context={"offers": offers}).data
        return Response(collection_body(items))
