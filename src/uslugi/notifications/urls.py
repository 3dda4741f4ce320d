"""Pages of the notifications app under /notifications/ (namespace "notifications")."""

from django.conf import settings
from django.urls import path

from uslugi.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read-all", views.read_all, name="read_all"),
    path("preferences", views.preferences, name="preferences"),
    path("<uuid:notification_id>/", views.notification_open, name="open"),
]
if not settings.PRODUCTION:
    urlpatterns.append(path("dev/email-outbox/", views.email_outbox, name="email_outbox"))
