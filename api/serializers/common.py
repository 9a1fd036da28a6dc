"""Building blocks every resource shares: ``attributes.objectType``, the Collection envelope, ServiceFault."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class ResourceAttributesSerializer(serializers.Serializer):
    objectType = serializers.CharField(read_only=True)


@extend_schema_field(ResourceAttributesSerializer)
class AttributesField(serializers.Field):
    """``{"objectType": <parent.object_type>}``: every resource carries its type name."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        return {"objectType": self.parent.object_type}


class ResourceSerializer(serializers.Serializer):
    object_type = "Resource"
    attributes = AttributesField()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["attributes"] = data.pop("attributes")  # last, as Partner Center prints it
        return data


@extend_schema_field({"type": "string", "format": "date-time", "nullable": True})
class DateAsDateTimeField(serializers.Field):
    """A date rendered as Partner Center does: ``2025-01-31T00:00:00Z``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        if value is None:
            return None
        if isinstance(value, datetime):
            return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if isinstance(value, date):
            return datetime.combine(value, time.min, tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return str(value)


class LinkSerializer(serializers.Serializer):
    uri = serializers.CharField()
    method = serializers.CharField()


class CollectionLinksSerializer(serializers.Serializer):
    next = LinkSerializer(required=False)


class ServiceFaultSerializer(serializers.Serializer):
    """The body of every error response."""

    code = serializers.IntegerField()
    description = serializers.CharField()
    errorName = serializers.CharField()
    # A field named like Serializer.data: DRF's metaclass moves declared fields off the class, nothing is shadowed.
    data = serializers.ListField(child=serializers.CharField())  # type: ignore[assignment]
    attributes = ResourceAttributesSerializer()


_collections: dict[type, type] = {}


def collection_of(item_serializer: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The Collection envelope around ``item_serializer`` (for the schema; bodies are built by pagination)."""
    if item_serializer not in _collections:
        name = item_serializer.__name__.removesuffix("Serializer") + "CollectionSerializer"
        _collections[item_serializer] = type(
            name,
            (serializers.Serializer,),
            {
                "totalCount": serializers.IntegerField(),
                "items": item_serializer(many=True),
                "links": CollectionLinksSerializer(),
                "attributes": ResourceAttributesSerializer(),
                "__module__": __name__,
            },
        )
    return _collections[item_serializer]
