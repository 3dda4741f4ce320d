from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "uslugi.agencies"
    label = "agencies"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Webhooks hear of application events through a signal of the applications app,
        # which knows nothing of agencies (agencies sits above it in the layers).
        from uslugi.agencies import admin_webhooks  # noqa: F401 - registers the admin
        from uslugi.agencies.services import on_application_event as open_case
        from uslugi.agencies.webhooks import on_application_event
        from uslugi.applications.signals import application_event

        # A delivered application's case (due date, case file) is opened in the delivering
        # transaction, before the webhooks are queued.
        application_event.connect(open_case, dispatch_uid="agencies.cases")
        application_event.connect(on_application_event, dispatch_uid="agencies.webhooks")
