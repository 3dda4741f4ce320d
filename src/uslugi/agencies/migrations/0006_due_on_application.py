"""The due date moves from the case file to the application (the queue's index), and the
services of each department's queue get a table of their own."""

from __future__ import annotations

from typing import Any

from django.db import migrations, models
from django.db.models import Max


def forwards(apps: Any, schema_editor: Any) -> None:
    CaseFile = apps.get_model("agencies", "CaseFile")
    Application = apps.get_model("applications", "Application")
    QueueService = apps.get_model("agencies", "QueueService")
    batch = []
    for case in CaseFile.objects.only("application_id", "due_on").iterator(chunk_size=2000):
        batch.append(Application(pk=case.application_id, due_on=case.due_on))
        if len(batch) >= 2000:
            Application.objects.bulk_update(batch, ["due_on"])
            batch = []
    if batch:
        Application.objects.bulk_update(batch, ["due_on"])
    rows = (
        Application.objects.exclude(status="submitted")
        .exclude(department_code="")
        .values("department_code", "service_code")
        .annotate(title=Max("title"))
    )
    QueueService.objects.bulk_create(
        [QueueService(**row) for row in rows], batch_size=500, ignore_conflicts=True
    )


def backwards(apps: Any, schema_editor: Any) -> None:
    CaseFile = apps.get_model("agencies", "CaseFile")
    for case in CaseFile.objects.select_related("application").iterator(chunk_size=2000):
        if case.application.due_on is not None:
            CaseFile.objects.filter(pk=case.pk).update(due_on=case.application.due_on)


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0005_staff_office"),
        ("applications", "0004_due_on"),
    ]

    operations = [
        migrations.CreateModel(
            name="QueueService",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("department_code", models.CharField(max_length=64, verbose_name="department")),
                ("service_code", models.CharField(max_length=64, verbose_name="service code")),
                ("title", models.CharField(max_length=300, verbose_name="service")),
            ],
            options={
                "verbose_name": "service in a queue",
                "verbose_name_plural": "services in queues",
            },
        ),
        migrations.AddConstraint(
            model_name="queueservice",
            constraint=models.UniqueConstraint(
                fields=("department_code", "service_code"), name="agencies_queue_service_unique"
            ),
        ),
        migrations.AlterField(  # nullable while the data moves back, on the way back
            model_name="casefile",
            name="due_on",
            field=models.DateField(null=True, verbose_name="due on"),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveIndex(model_name="casefile", name="agencies_case_due"),
        migrations.RemoveField(model_name="casefile", name="due_on"),
    ]
