"""The queue's service filter by region and office too, so that a role limited to one
sees the services of its own applications; the rows are rebuilt from the applications."""

from __future__ import annotations

from typing import Any

from django.db import migrations, models


def rebuild(apps: Any, schema_editor: Any) -> None:
    """The filter's rows again, now by region and office: one per (department, region,
    office, service) of the delivered applications."""
    QueueService = apps.get_model("agencies", "QueueService")
    Application = apps.get_model("applications", "Application")
    QueueService.objects.all().delete()
    rows = (
        Application.objects.exclude(status="submitted")
        .exclude(department_code="")
        .values("department_code", "region_code", "office_code", "service_code")
        .annotate(title=models.Max("title"))
        .order_by()
    )
    QueueService.objects.bulk_create(
        [QueueService(**row) for row in rows.iterator()], batch_size=1000, ignore_conflicts=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0006_due_on_application"),
        ("applications", "0005_queue_indexes"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="queueservice",
            name="agencies_queue_service_unique",
        ),
        migrations.AddField(
            model_name="queueservice",
            name="office_code",
            field=models.CharField(blank=True, default="", max_length=80, verbose_name="office"),
        ),
        migrations.AddField(
            model_name="queueservice",
            name="region_code",
            field=models.CharField(blank=True, default="", max_length=3, verbose_name="region"),
        ),
        migrations.AddConstraint(
            model_name="queueservice",
            constraint=models.UniqueConstraint(
                fields=("department_code", "region_code", "office_code", "service_code"),
                name="agencies_queue_service_where",
            ),
        ),
        migrations.RunPython(rebuild, migrations.RunPython.noop),
    ]
