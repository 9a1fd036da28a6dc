from django.contrib import admin

from .models import IdempotencyRecord


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ("key", "actor", "method", "path", "state", "status_code", "created")
    list_filter = ("state", "method")
    search_fields = ("key", "actor", "path")
    readonly_fields = ("key", "actor", "method", "path", "body_hash", "state", "status_code", "response", "created")
    date_hierarchy = "created"

    def has_add_permission(self, request):
        return False
