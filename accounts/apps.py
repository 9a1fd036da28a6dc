from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .mfa_middleware import mark_session_at_login

        user_logged_in.connect(mark_session_at_login, dispatch_uid="accounts.mfa.mark_session_at_login")

        from .actor import actor_factory_install
        from .selectors import register_scopes

        register_scopes()
        actor_factory_install()
