from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "uslugi.exchange"
    label = "exchange"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from uslugi.exchange import checks, example  # noqa: F401 - registers checks and a type
