"""Idempotency records of the API: platform operators view them; nobody edits them here."""

from django.contrib import admin

from audit.admin_mixins import is_operator_request

from .models import IdempotencyRecord


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ("key", "actor", "method", "path", "state", "status_code", "created")
    list_filter = ("state", "method")
    search_fields = ("key", "actor", "path")
    readonly_fields = ("key", "actor", "method", "path", "body_hash", "state", "status_code", "response", "created")
    date_hierarchy = "created"

    def has_module_permission(self, request):
        return is_operator_request(request)

    def has_view_permission(self, request, obj=None):
        return is_operator_request(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
