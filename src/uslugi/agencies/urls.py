"""The back office under /agency/ (namespace "agencies")."""

from django.urls import URLPattern, path
from django.views.decorators.cache import never_cache

from uslugi.agencies import views

app_name = "agencies"

# Every page shows personal data of applicants: never cached.
_urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk-accept/", views.bulk_accept, name="bulk_accept"),
    path("workload/", views.workload, name="workload"),
    path("statistics/", views.statistics, name="statistics"),
    path("autotests/", views.autotest_results, name="autotests"),
    path("staff/", views.staff, name="staff"),
    path("staff/<uuid:role_id>/revoke/", views.staff_revoke, name="staff_revoke"),
    path("<uuid:application_id>/", views.case, name="case"),
    path("<uuid:application_id>/claim/", views.claim, name="claim"),
    path("<uuid:application_id>/assign/", views.assign, name="assign"),
    path("<uuid:application_id>/act/<str:action>/", views.act, name="act"),
    path(
        "<uuid:application_id>/files/<uuid:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
]

urlpatterns = [
    URLPattern(p.pattern, never_cache(p.callback), p.default_args, p.name) for p in _urlpatterns
]

# Push mode: the webhook delivery log and replay (agency administrators).
from uslugi.agencies import views_webhooks  # noqa: E402 - appended section

urlpatterns += [
    path("webhooks/", never_cache(views_webhooks.webhook_log), name="webhooks"),
    path(
        "webhooks/replay/",
        never_cache(views_webhooks.webhook_replay_bulk),
        name="webhooks_replay_bulk",
    ),
    path(
        "webhooks/<uuid:delivery_id>/replay/",
        never_cache(views_webhooks.webhook_replay),
        name="webhook_replay",
    ),
]
