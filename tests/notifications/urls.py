"""The portal's URLs plus the notifications API mounted as `uslugi.api` is meant to mount
it (`/api/v1/me/notifications`); once it is mounted there, the portal's own answers first."""

from django.urls import path
from ninja import NinjaAPI

from uslugi import urls as portal
from uslugi.core import problems
from uslugi.notifications.api import router

api = NinjaAPI(urls_namespace="notifications-test-api", docs_url=None)
problems.install(api)
api.add_router("/me/notifications", router)

urlpatterns = [*portal.urlpatterns, path("api/v1/", api.urls)]
handler404 = portal.handler404
