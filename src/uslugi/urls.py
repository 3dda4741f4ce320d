from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from uslugi.api import api
from uslugi.core import observability, views


def _admin_login(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """Staff sign in through the portal's own login (throttling, second factor, audit)."""
    target = request.GET.get("next") or reverse("admin:index")
    return redirect_to_login(target, reverse("identity:login"))


admin.site.login = _admin_login  # type: ignore[method-assign]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", observability.healthz, name="healthz"),
    path("readyz", observability.readyz, name="readyz"),
    path("metrics", observability.metrics, name="metrics"),
    # Choosing a language changes nothing but the language: no CSRF token is needed, so
    # the switch on every page carries none and its markup can be cached.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("api/v1/", api.urls),
    path("account/", include("uslugi.identity.urls")),
    path("dev/", include("uslugi.identity.dev_urls")),
    path("exchange/", include("uslugi.exchange.urls")),
    path("forms/", include("uslugi.forms.urls")),
    path("", include("uslugi.catalog.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]

handler400 = "uslugi.core.views.error_400"
handler403 = "uslugi.core.views.error_403"
handler404 = "uslugi.core.views.error_404"
handler500 = "uslugi.core.views.error_500"
