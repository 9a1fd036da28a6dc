from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from core.events import DomainEvent, domain_event

        from .models import Registration
        from .selectors import register_scopes, registered_partners
        from .services import domain_event_received

        register_scopes()
        domain_event.connect(domain_event_received, sender=DomainEvent, dispatch_uid="webhooks.domain_event")
        for signal in (post_save, post_delete):
            signal.connect(registered_partners.forget, sender=Registration, dispatch_uid=f"webhooks.forget.{signal}")
