from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _partner_admin_group_sync(sender, apps=None, **kwargs):
    """After ``migrate``: the partner global admins' group gets exactly the permissions of
    ``partners.services.PARTNER_ADMIN_PERMISSIONS``, also on databases created before a change. Runs after the
    last app's signal, when every app's permissions exist."""
    from django.apps import apps as global_apps

    last = [config for config in global_apps.get_app_configs() if config.models_module is not None][-1]
    if sender.label != last.label:
        return
    from .services import partner_admin_group_ensure

    partner_admin_group_ensure()


class PartnersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partners"

    def ready(self):
        post_migrate.connect(_partner_admin_group_sync, dispatch_uid="partner_admin_group_sync")
        from .selectors import register_scopes

        register_scopes()
