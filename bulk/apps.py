from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulkConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "bulk"
    verbose_name = _("Bulk upgrades")

    def ready(self):
        from .selectors import register_scopes

        register_scopes()
