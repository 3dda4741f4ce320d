from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from uslugi.api import api
from uslugi.core import observability, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", observability.healthz, name="healthz"),
    path("readyz", observability.readyz, name="readyz"),
    path("metrics", observability.metrics, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path(settings.ADMIN_URL, admin.site.urls),
]

handler400 = "uslugi.core.views.error_400"
handler403 = "uslugi.core.views.error_403"
handler404 = "uslugi.core.views.error_404"
handler500 = "uslugi.core.views.error_500"
