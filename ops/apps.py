from django.apps import AppConfig


class OpsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ops"
    verbose_name = "Operations"

    def ready(self):
        # Celery signals (task metrics, the correlation id of tasks) and core.signals.operation_finished.
        from . import receivers  # noqa: F401
