from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        from core.events import DomainEvent, domain_event

        from .selectors import register_scopes
        from .services import domain_event_received

        register_scopes()
        domain_event.connect(domain_event_received, sender=DomainEvent, dispatch_uid="webhooks.domain_event")
