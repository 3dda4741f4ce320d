from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import include, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language
from oauth2_provider import urls as oauth2_urls

from uslugi.api import api
from uslugi.core import observability, views


def _admin_login(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """Staff sign in through the portal's own login (throttling, second factor, audit).

    A person already signed in without admin rights gets a 403: sending them to the login
    page would bounce straight back here, in a loop."""
    target = request.GET.get("next") or reverse("admin:index")
    if admin.site.has_permission(request):
        return redirect(target if url_has_allowed_host_and_scheme(target, None) else "admin:index")
    if request.user.is_authenticated:
        raise PermissionDenied
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
    # OAuth2 for agency systems (/o/token/); not the toolkit's client-management pages.
    path("o/", include((oauth2_urls.base_urlpatterns, "oauth2_provider"))),
    path("account/", include("uslugi.identity.urls")),
    path("dev/", include("uslugi.identity.dev_urls")),
    path("exchange/", include("uslugi.exchange.urls")),
    path("forms/", include("uslugi.forms.urls")),
    path("notifications/", include("uslugi.notifications.urls")),
    path("applications/", include("uslugi.applications.urls")),
    path("agency/", include("uslugi.agencies.urls")),
    path("", include("uslugi.catalog.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]

handler400 = "uslugi.core.views.error_400"
handler403 = "uslugi.core.views.error_403"
handler404 = "uslugi.core.views.error_404"
handler500 = "uslugi.core.views.error_500"
