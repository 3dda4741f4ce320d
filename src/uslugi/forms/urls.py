from __future__ import annotations

from django.urls import path

from uslugi.forms import views, views_form

app_name = "forms"

urlpatterns = [
    path("<slug:form_code>/", views_form.start, name="start"),
    path("<slug:form_code>/step/<slug:step_id>", views_form.step, name="step"),
    path("<slug:form_code>/check", views_form.check, name="check"),
    path("<slug:form_code>/move", views_form.migrate, name="migrate"),
    path("<slug:form_code>/file/<uuid:upload_id>", views_form.file, name="file"),
    path("<slug:form_code>/spec", views.spec, name="spec"),
    path("<slug:form_code>/instruction", views.instruction, name="instruction"),
    path("<slug:form_code>/agency-schema.json", views.agency_schema, name="agency-schema"),
    path("<slug:form_code>/schema.json", views.schema, name="schema"),
]
