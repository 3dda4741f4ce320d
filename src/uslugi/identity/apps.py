from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "uslugi.identity"
    label = "identity"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth import signals as auth_signals
        from django.db.models.signals import post_migrate

        from uslugi.identity import checks, roles, signals

        auth_signals.user_logged_in.connect(
            signals.on_logged_in, dispatch_uid="uslugi.identity.logged_in"
        )
        auth_signals.user_logged_out.connect(
            signals.on_logged_out, dispatch_uid="uslugi.identity.logged_out"
        )
        checks.register()
        # SMS notifications go through the configured SMS gateway plugin.
        from uslugi.identity.sms import SmsError, gateway
        from uslugi.notifications.channels import register_sms_gateway

        register_sms_gateway(
            lambda *, phone, text: gateway().send(phone=phone, text=text), safe_errors=(SmsError,)
        )
        # After auth's own handler has created the permissions.
        post_migrate.connect(roles.ensure_roles, dispatch_uid="uslugi.identity.roles")
