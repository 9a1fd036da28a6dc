from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "direct"
    verbose_name = _("Direct purchases (admin center)")

    def ready(self):
        from .selectors import register_scopes

        register_scopes()
