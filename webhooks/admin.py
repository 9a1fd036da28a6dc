"""Webhooks in the Django admin: operators look (view only); partners manage theirs on their settings page
(/partner/settings/webhooks/) and the /v1/webhooks API, never here. The secret is never shown."""

from django.contrib import admin

from audit.admin_mixins import OperatorViewOnlyMixin

from .models import Attempt, Delivery, Event, Registration


@admin.register(Registration)
class RegistrationAdmin(OperatorViewOnlyMixin, admin.ModelAdmin):
    list_display = ("partner", "url", "active", "created", "secret_rotated")
    list_filter = ("active",)
    search_fields = ("url", "partner__name")
    exclude = ("secret",)
    readonly_fields = ("partner", "url", "events", "active", "created", "secret_rotated")


@admin.register(Event)
class EventAdmin(OperatorViewOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "name", "partner", "resource_name", "created")
    list_filter = ("name",)
    search_fields = ("id", "resource_uri", "partner__name")
    date_hierarchy = "created"


class AttemptInline(OperatorViewOnlyMixin, admin.TabularInline):
    model = Attempt
    extra = 0
    fields = ("number", "started", "duration_ms", "response_code", "error", "response_body")
    readonly_fields = fields


@admin.register(Delivery)
class DeliveryAdmin(OperatorViewOnlyMixin, admin.ModelAdmin):
    list_display = ("event", "partner", "url", "state", "attempts", "last_response_code", "next_attempt")
    list_filter = ("state",)
    search_fields = ("url", "event__id", "partner__name")
    list_select_related = ("event", "partner")
    inlines = [AttemptInline]


@admin.register(Attempt)
class AttemptAdmin(OperatorViewOnlyMixin, admin.ModelAdmin):
    list_display = ("delivery", "number", "started", "response_code", "error")
    list_select_related = ("delivery__event",)
