"""/v1/delegatedAdminRelationships and .../{id}/accessAssignments (Graph field names; ServiceFault errors).

Built on the API's ``PartnerCenterAPIView`` (capability per method, correlation id, idempotent POSTs).
Reads are scoped by ``delegation.gdap_selectors`` (another partner's relationship → 404); writes call
``delegation.services``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from api.pagination import collection_body, paginate
from api.parsers import parse_ascii_int
from api.serializers.common import collection_of
from api.views.base import PartnerCenterAPIView, parse_guid
from api.views.docs import ERRORS, WRITE_ERRORS
from core.errors import InvalidInput
from customers.selectors import customers_visible_to
from partners.models import SecurityGroup
from partners.roles import Capability

from .. import gdap_selectors, services
from ..models import GdapRelationship
from .serializers import (
    AccessAssignmentSerializer,
    AccessAssignmentWriteSerializer,
    DelegatedAdminRelationshipSerializer,
    RelationshipCreateSerializer,
    RelationshipRequestActionSerializer,
)


def _valid(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _role_names(access_details) -> list[str]:
    return [role["displayName"] for role in access_details.get("unifiedRoles", [])]


class RelationshipScopedView(PartnerCenterAPIView):
    def relationship(self) -> GdapRelationship:
        relationship_id = parse_guid(self.kwargs["relationship_id"], field="delegatedAdminRelationshipId")
        try:
            return gdap_selectors.relationship_detail_for(self.request.user, relationship_id)
        except GdapRelationship.DoesNotExist:
            raise exceptions.NotFound(
                _("Delegated admin relationship %(id)s was not found.") % {"id": relationship_id}
            ) from None


class RelationshipListView(PartnerCenterAPIView):
    capabilities = {"get": Capability.VIEW_CUSTOMERS, "post": Capability.REQUEST_DELEGATED_ADMIN}

    @extend_schema(
        operation_id="delegatedAdminRelationships_list",
        responses={200: collection_of(DelegatedAdminRelationshipSerializer), **ERRORS},
    )
    def get(self, request):
        queryset = gdap_selectors.relationships_visible_to(request.user).order_by("-created_date_time", "pk")
        rows, total, next_uri = paginate(request, queryset)
        return Response(
            collection_body(DelegatedAdminRelationshipSerializer(rows, many=True).data, total=total, next_uri=next_uri)
        )

    @extend_schema(
        operation_id="delegatedAdminRelationships_create",
        request=RelationshipCreateSerializer,
        responses={201: DelegatedAdminRelationshipSerializer, **WRITE_ERRORS},
    )
    def post(self, request):
        data = _valid(RelationshipCreateSerializer, request.data)
        customer = customers_visible_to(request.user).filter(tenant_id=data["customer"]["tenantId"]).first()
        if customer is None:
            raise InvalidInput(
                _("customer.tenantId: no customer %(id)s in your scope.") % {"id": data["customer"]["tenantId"]},
                field="customer.tenantId",
            )
        relationship = services.relationship_request_create(
            actor=request.user,
            customer=customer,
            display_name=data["displayName"],
            unified_roles=_role_names(data["accessDetails"]),
            duration=data["duration"],
            auto_extend_duration=data["autoExtendDuration"],
        )
        relationship.customer = customer
        return Response(DelegatedAdminRelationshipSerializer(relationship).data, status=status.HTTP_201_CREATED)


class RelationshipDetailView(RelationshipScopedView):
    capabilities = {"get": Capability.VIEW_CUSTOMERS}

    @extend_schema(
        operation_id="delegatedAdminRelationships_retrieve",
        responses={200: DelegatedAdminRelationshipSerializer, **ERRORS},
    )
    def get(self, request, relationship_id):
        return Response(DelegatedAdminRelationshipSerializer(self.relationship()).data)


class RelationshipRequestView(RelationshipScopedView):
    """``POST .../{id}/requests {"action": "terminate"}`` (Graph's relationship requests)."""

    capabilities = {"post": Capability.REQUEST_DELEGATED_ADMIN}

    @extend_schema(
        operation_id="delegatedAdminRelationships_requests_create",
        request=RelationshipRequestActionSerializer,
        responses={202: DelegatedAdminRelationshipSerializer, **WRITE_ERRORS},
    )
    def post(self, request, relationship_id):
        _valid(RelationshipRequestActionSerializer, request.data)
        relationship = services.relationship_termination_request(
            actor=request.user, relationship_id=self.relationship().pk
        )
        return Response(DelegatedAdminRelationshipSerializer(relationship).data, status=status.HTTP_202_ACCEPTED)


class AccessAssignmentListView(RelationshipScopedView):
    capabilities = {"get": Capability.VIEW_CUSTOMERS, "post": Capability.REQUEST_DELEGATED_ADMIN}

    @extend_schema(
        operation_id="accessAssignments_list", responses={200: collection_of(AccessAssignmentSerializer), **ERRORS}
    )
    def get(self, request, relationship_id):
        rows, total, next_uri = paginate(request, gdap_selectors.assignments_of(self.relationship()))
        return Response(
            collection_body(AccessAssignmentSerializer(rows, many=True).data, total=total, next_uri=next_uri)
        )

    @extend_schema(
        operation_id="accessAssignments_create",
        request=AccessAssignmentWriteSerializer,
        responses={201: AccessAssignmentSerializer, **WRITE_ERRORS},
    )
    def post(self, request, relationship_id):
        data = _valid(AccessAssignmentWriteSerializer, request.data)
        relationship = self.relationship()
        container = data.get("accessContainer") or {}
        group = None
        raw = str(container.get("accessContainerId", ""))
        group_id = parse_ascii_int(raw)  # ASCII digits only, bounded: "²", "①" or 5,000 digits find no group
        if group_id is not None and group_id > 0:
            group = SecurityGroup.objects.filter(pk=group_id, partner_id=relationship.partner_id).first()
        if group is None:
            raise InvalidInput(
                _("accessContainer.accessContainerId: no security group %(id)r of your partner.") % {"id": raw[:40]},
                field="accessContainer.accessContainerId",
            )
        assignment = services.access_assignment_create(
            actor=request.user,
            relationship_id=relationship.pk,
            group=group,
            unified_roles=_role_names(data["accessDetails"]),
        )
        return Response(AccessAssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)


class AccessAssignmentDetailView(RelationshipScopedView):
    capabilities = {
        "get": Capability.VIEW_CUSTOMERS,
        "patch": Capability.REQUEST_DELEGATED_ADMIN,
        "delete": Capability.REQUEST_DELEGATED_ADMIN,
    }

    def assignment(self):
        assignment_id = parse_guid(self.kwargs["assignment_id"], field="accessAssignmentId")
        assignment = gdap_selectors.assignments_of(self.relationship()).filter(pk=assignment_id).first()
        if assignment is None:
            raise exceptions.NotFound(_("Access assignment %(id)s was not found.") % {"id": assignment_id})
        return assignment

    @extend_schema(operation_id="accessAssignments_retrieve", responses={200: AccessAssignmentSerializer, **ERRORS})
    def get(self, request, relationship_id, assignment_id):
        return Response(AccessAssignmentSerializer(self.assignment()).data)

    @extend_schema(
        operation_id="accessAssignments_update",
        request=AccessAssignmentWriteSerializer,
        responses={200: AccessAssignmentSerializer, **WRITE_ERRORS},
    )
    def patch(self, request, relationship_id, assignment_id):
        data = _valid(AccessAssignmentWriteSerializer, request.data)
        assignment = services.access_assignment_update(
            actor=request.user, assignment_id=self.assignment().pk, unified_roles=_role_names(data["accessDetails"])
        )
        return Response(AccessAssignmentSerializer(assignment).data)

    @extend_schema(operation_id="accessAssignments_delete", responses={204: None, **WRITE_ERRORS})
    def delete(self, request, relationship_id, assignment_id):
        services.access_assignment_delete(actor=request.user, assignment_id=self.assignment().pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
