"""Idempotency records of the API: platform operators view them; nobody edits them here."""

from django.contrib import admin

from audit.admin_mixins import OperatorViewOnlyMixin

from .models import IdempotencyRecord


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(OperatorViewOnlyMixin, admin.ModelAdmin):
    list_display = ("key", "actor", "method", "path", "state", "status_code", "created")
    list_filter = ("state", "method")
    search_fields = ("key", "actor", "path")
    readonly_fields = ("key", "actor", "method", "path", "body_hash", "state", "status_code", "response", "created")
    date_hierarchy = "created"
