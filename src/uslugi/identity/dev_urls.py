"""Development pages under /dev/ (namespace "identity-dev"); none in production."""

from django.conf import settings
from django.urls import path

from uslugi.identity.views import dev

app_name = "identity-dev"

urlpatterns = (
    []
    if settings.PRODUCTION
    else [
        path("sms-outbox/", dev.sms_outbox, name="sms_outbox"),
        path("post-outbox/", dev.post_outbox, name="post_outbox"),
    ]
)
