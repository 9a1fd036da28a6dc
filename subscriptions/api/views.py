"""``/customers/{id}/subscriptions`` and a tenant user's ``/licenses``."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from api.pagination import collection_body, paginate
from api.serializers.common import collection_of
from api.views.base import PartnerCenterAPIView, parse_guid
from api.views.docs import ERRORS, PAGING, REQUEST_HEADERS, WRITE_ERRORS
from customers.api.selectors import tenant_users_for_api
from partners.roles import Capability
from subscriptions.selectors import subscription_list_for_customer
from subscriptions.services import subscription_update_outcome

from .selectors import licenses_for_api
from .serializers import (
    LicenseSerializer,
    SubscriptionPatchResultSerializer,
    SubscriptionPatchSerializer,
    SubscriptionSerializer,
)


class SubscriptionListView(PartnerCenterAPIView):
    capabilities = {"get": Capability.VIEW_CUSTOMERS}

    @extend_schema(
        operation_id="customer_subscriptions_list",
        parameters=PAGING,
        responses={200: collection_of(SubscriptionSerializer), **ERRORS},
    )
    def get(self, request, customer_id):
        queryset = (
            subscription_list_for_customer(request.user, self.customer)
            .select_related("offer__commerce")
            .order_by("created", "pk")
        )
        rows, total, next_uri = paginate(request, queryset)
        return Response(collection_body(SubscriptionSerializer(rows, many=True).data, total=total, next_uri=next_uri))


class SubscriptionDetailView(PartnerCenterAPIView):
    capabilities = {"get": Capability.VIEW_CUSTOMERS, "patch": Capability.MANAGE_SUBSCRIPTIONS}

    @extend_schema(operation_id="customer_subscriptions_retrieve", responses={200: SubscriptionSerializer, **ERRORS})
    def get(self, request, customer_id, subscription_id):
        return Response(SubscriptionSerializer(self.subscription).data)

    @extend_schema(
        operation_id="customer_subscriptions_partial_update",
        parameters=REQUEST_HEADERS,
        request=SubscriptionPatchSerializer,
        responses={200: SubscriptionPatchResultSerializer, **WRITE_ERRORS},
    )
    def patch(self, request, customer_id, subscription_id):
        """Partner Center's PATCH; a new commerce subscription is cancelled with ``status: deleted`` inside its
        7-day window. ``warnings`` tells when a mid-term change deleted the scheduled changes at renewal."""
        body = SubscriptionPatchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        outcome = subscription_update_outcome(
            actor=request.user,
            subscription=self.subscription,
            changes=body.changes(self.subscription),
            correlation_id=self.correlation_id,
        )
        warnings = []
        if outcome.deleted_instructions is not None:
            warnings.append(
                {
                    "code": "scheduled_changes_deleted",
                    "description": _(
                        "This mid-term change deleted the changes scheduled for the renewal; schedule them again "
                        "if they still apply."
                    ),
                    "scheduledNextTermInstructions": outcome.deleted_instructions,
                }
            )
        return Response(SubscriptionPatchResultSerializer(outcome.subscription, context={"warnings": warnings}).data)


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
