"""``/v1/webhooks/registration`` and its sub-resources, following Partner Center's webhook API (thin: parse, call
webhooks services/selectors, render). Only the partner's global admins (``Capability.MANAGE_WEBHOOKS``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from api.pagination import collection_body, paginate
from api.serializers.common import collection_of
from api.views.base import PartnerCenterAPIView, parse_guid
from api.views.docs import ERRORS, PAGING, REQUEST_HEADERS, WRITE_ERRORS
from core.errors import InvalidInput
from partners.roles import Capability

from .. import selectors, services
from ..rules import EVENT_NAMES, is_success, validation_state
from .serializers import (
    DeliverySerializer,
    RegistrationRequestSerializer,
    RegistrationSerializer,
    RegistrationUpdateSerializer,
    RegistrationWithSecretSerializer,
    ValidationEventCreatedSerializer,
    ValidationEventSerializer,
)

MANAGE = Capability.MANAGE_WEBHOOKS


def body_of(request) -> dict:
    if not isinstance(request.data, dict):
        raise InvalidInput(_("The body must be a JSON object."), field="body")
    return request.data


def with_secret(registration, secret: str) -> dict:
    return RegistrationWithSecretSerializer(registration, context={"secret": secret}).data


class RegistrationView(PartnerCenterAPIView):
    capabilities = {"get": MANAGE, "post": MANAGE, "put": MANAGE, "delete": MANAGE}

    @extend_schema(operation_id="webhook_registration_retrieve", responses={200: RegistrationSerializer, **ERRORS})
    def get(self, request):
        return Response(RegistrationSerializer(selectors.registration_required(request.user)).data)

    @extend_schema(
        operation_id="webhook_registration_create",
        parameters=REQUEST_HEADERS,
        request=RegistrationRequestSerializer,
        responses={201: RegistrationWithSecretSerializer, **WRITE_ERRORS},
        description="Register the partner's webhook; the response shows the signing secret once. 409 when the "
        "partner already has a registration.",
    )
    def post(self, request):
        data = body_of(request)
        created = services.registration_create(
            actor=request.user,
            url=data.get("WebhookUrl"),
            events=data.get("WebhookEvents"),
            active=data.get("Active", True),
        )
        return Response(with_secret(created.registration, created.secret), status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="webhook_registration_update",
        parameters=REQUEST_HEADERS,
        request=RegistrationUpdateSerializer,
        responses={200: RegistrationSerializer, **WRITE_ERRORS},
    )
    def put(self, request):
        data = body_of(request)
        registration = services.registration_update(
            actor=request.user, url=data.get("WebhookUrl"), events=data.get("WebhookEvents"), active=data.get("Active")
        )
        return Response(RegistrationSerializer(registration).data)

    @extend_schema(operation_id="webhook_registration_destroy", request=None, responses={204: None, **WRITE_ERRORS})
    def delete(self, request):
        services.registration_delete(actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SecretView(PartnerCenterAPIView):
    capabilities = {"post": MANAGE}

    @extend_schema(
        operation_id="webhook_registration_secret_rotate",
        parameters=REQUEST_HEADERS,
        request=None,
        responses={200: RegistrationWithSecretSerializer, **WRITE_ERRORS},
        description="A new signing secret (shown in this response only); the old one stops signing at once.",
    )
    def post(self, request):
        rotated = services.registration_secret_rotate(actor=request.user)
        return Response(with_secret(rotated.registration, rotated.secret))


class EventListView(PartnerCenterAPIView):
    capabilities = {"get": MANAGE}

    @extend_schema(
        operation_id="webhook_registration_events_list",
        responses={200: {"type": "array", "items": {"type": "string", "enum": list(EVENT_NAMES)}}, **ERRORS},
        description="The event names a registration may ask for (Partner Center answers a plain array).",
    )
    def get(self, request):
        return Response(list(EVENT_NAMES))


def validation_status(event) -> dict:
    deliveries = list(event.deliveries.all())
    attempts = [attempt for delivery in deliveries for attempt in delivery.attempt_log.all()]
    state = validation_state([d.state for d in deliveries])
    results = [
        {
            "responseCode": str(a.response_code) if a.response_code is not None else "",
            "responseMessage": a.response_body,
            "systemMessage": a.error or (_("Request successfully delivered") if is_success(a.response_code) else ""),
            "dateTimeUtc": a.started,
        }
        for a in attempts
    ]
    body = {"correlationId": event.pk, "partnerId": str(event.partner_id), "status": state, "results": results}
    return ValidationEventSerializer(body).data


class ValidationEventListView(PartnerCenterAPIView):
    capabilities = {"post": MANAGE}

    @extend_schema(
        operation_id="webhook_validation_events_create",
        parameters=REQUEST_HEADERS,
        request=None,
        responses={200: ValidationEventCreatedSerializer, **WRITE_ERRORS},
        description="Send a test-created event to the registration; follow it with GET .../validationEvents/{id}.",
    )
    def post(self, request):
        event = services.test_event_send(actor=request.user)
        return Response(ValidationEventCreatedSerializer({"correlationId": event.pk}).data)


class ValidationEventDetailView(PartnerCenterAPIView):
    capabilities = {"get": MANAGE}

    @extend_schema(
        operation_id="webhook_validation_events_retrieve", responses={200: ValidationEventSerializer, **ERRORS}
    )
    def get(self, request, batch_id):
        event = selectors.test_event_for(request.user, event_id=parse_guid(batch_id, field="batchId"))
        return Response(validation_status(event))


class DeliveryListView(PartnerCenterAPIView):
    capabilities = {"get": MANAGE}

    @extend_schema(
        operation_id="webhook_deliveries_list",
        parameters=PAGING,
        responses={200: collection_of(DeliverySerializer), **ERRORS},
        description="The partner's deliveries, newest first, each with its attempts (portal extension).",
    )
    def get(self, request):
        rows, total, next_uri = paginate(request, selectors.deliveries_of(request.user))
        return Response(collection_body(DeliverySerializer(rows, many=True).data, total=total, next_uri=next_uri))


class RedeliverView(PartnerCenterAPIView):
    capabilities = {"post": MANAGE}

    @extend_schema(
        operation_id="webhook_deliveries_redeliver",
        parameters=REQUEST_HEADERS,
        request=None,
        responses={202: DeliverySerializer, **WRITE_ERRORS},
        description="Send a delivery again now (portal extension).",
    )
    def post(self, request, delivery_id):
        delivery = selectors.delivery_for(request.user, delivery_id=parse_guid(delivery_id, field="deliveryId"))
        services.delivery_resend(actor=request.user, delivery=delivery)
        fresh = selectors.delivery_for(request.user, delivery_id=delivery.pk)
        return Response(DeliverySerializer(fresh).data, status=status.HTTP_202_ACCEPTED)
