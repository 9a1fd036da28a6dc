from django.apps import AppConfig


class DelegationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "delegation"

    def ready(self):
        from . import signals  # noqa: F401  (keeps guardian grants in step with relationship writes)
        from .gdap_selectors import register_scopes

        register_scopes()
