"""Store the texts shipped in data/templates.yaml as version 1 of each template."""

from django.db import migrations


def load(apps, schema_editor):
    from uslugi.notifications.rendering import templates_load

    templates_load(apps.get_model("notifications", "NotificationTemplate"))


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
