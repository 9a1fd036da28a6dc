"""Bodies of /v1/webhooks: the registration in Partner Center's PascalCase (``WebhookUrl``, ``WebhookEvents``,
``SubscriberId``), the validation-event status in Partner Center's camelCase (``correlationId``, ``results``),
and our extension, the deliveries (camelCase like the rest of /v1/)."""

from __future__ import annotations

from rest_framework import serializers

from ..rules import EVENT_NAMES


class RegistrationRequestSerializer(serializers.Serializer):
    WebhookUrl = serializers.URLField(max_length=500, help_text="http(s) URL that receives the POSTs.")
    WebhookEvents = serializers.ListField(child=serializers.ChoiceField(choices=list(EVENT_NAMES)), min_length=1)
    Active = serializers.BooleanField(required=False, help_text="Deliveries stop while false (default true).")


class RegistrationUpdateSerializer(serializers.Serializer):
    WebhookUrl = serializers.URLField(max_length=500, required=False)
    WebhookEvents = serializers.ListField(
        child=serializers.ChoiceField(choices=list(EVENT_NAMES)), min_length=1, required=False
    )
    Active = serializers.BooleanField(required=False)


class RegistrationSerializer(serializers.Serializer):
    SubscriberId = serializers.CharField(source="partner.code")
    RegistrationId = serializers.UUIDField(source="pk")
    WebhookUrl = serializers.CharField(source="url")
    WebhookEvents = serializers.ListField(child=serializers.CharField(), source="events")
    Active = serializers.BooleanField(source="active")
    SecretRotatedUtcDate = serializers.DateTimeField(source="secret_rotated")


class RegistrationWithSecretSerializer(RegistrationSerializer):
    WebhookSecret = serializers.SerializerMethodField(
        help_text="The signing secret: shown in this response only (rotate it to get a new one)."
    )

    def get_WebhookSecret(self, obj) -> str:
        return self.context["secret"]


class ValidationEventCreatedSerializer(serializers.Serializer):
    correlationId = serializers.UUIDField()


class ValidationResultSerializer(serializers.Serializer):
    responseCode = serializers.CharField()
    responseMessage = serializers.CharField(allow_blank=True)
    systemMessage = serializers.CharField(allow_blank=True)
    dateTimeUtc = serializers.DateTimeField()


class ValidationEventSerializer(serializers.Serializer):
    correlationId = serializers.UUIDField()
    partnerId = serializers.CharField()
    status = serializers.ChoiceField(choices=["pending", "completed", "failed"])
    results = ValidationResultSerializer(many=True)


class AttemptSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    startedAt = serializers.DateTimeField(source="started")
    durationMs = serializers.IntegerField(source="duration_ms")
    responseCode = serializers.IntegerField(source="response_code", allow_null=True)
    responseBody = serializers.CharField(source="response_body", allow_blank=True)
    error = serializers.CharField(allow_blank=True)


class DeliverySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    eventId = serializers.UUIDField(source="event_id")
    eventName = serializers.CharField(source="event.name")
    resourceUri = serializers.CharField(source="event.resource_uri")
    url = serializers.CharField()
    status = serializers.ChoiceField(choices=["pending", "delivered", "failed"], source="state")
    attempts = serializers.IntegerField()
    nextAttemptAt = serializers.DateTimeField(source="next_attempt", allow_null=True)
    lastResponseCode = serializers.IntegerField(source="last_response_code", allow_null=True)
    lastResponseBody = serializers.CharField(source="last_response_body", allow_blank=True)
    lastError = serializers.CharField(source="last_error", allow_blank=True)
    createdAt = serializers.DateTimeField(source="created")
    deliveredAt = serializers.DateTimeField(source="delivered", allow_null=True)
    attemptLog = AttemptSerializer(many=True, source="attempt_log.all")
