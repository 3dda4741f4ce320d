from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistriesConfig(AppConfig):
    name = "uslugi.registries"
    label = "registries"
    verbose_name = _("Sandbox agency registries")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The registries are reached only over the exchange: they register their message
        # types and handlers here, and no other app imports them.
        from uslugi.registries.messages.base import register_all

        register_all()
