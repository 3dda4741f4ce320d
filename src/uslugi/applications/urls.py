from __future__ import annotations

from django.urls import path

from uslugi.applications import views

app_name = "applications"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("submit/<slug:form_code>", views.submit, name="submit"),
    path("drafts/<uuid:draft_id>/delete", views.draft_delete, name="draft-delete"),
    path("answers/<uuid:answer_id>", views.answer, name="answer"),
    path("<uuid:application_id>/", views.detail, name="detail"),
    path("<uuid:application_id>/reply", views.reply, name="reply"),
    path("<uuid:application_id>/cancel", views.cancel, name="cancel"),
    path(
        "<uuid:application_id>/files/<uuid:attachment_id>",
        views.attachment,
        name="attachment",
    ),
]
