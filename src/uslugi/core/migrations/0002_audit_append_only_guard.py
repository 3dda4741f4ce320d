"""On PostgreSQL, a trigger that refuses UPDATE, DELETE and TRUNCATE of audit entries
(and lets the chain head only move forward). Nothing on other databases."""

from django.db import migrations


def install(apps, schema_editor):
    from uslugi.core.audit import install_append_only_trigger

    install_append_only_trigger(schema_editor.connection)


def uninstall(apps, schema_editor):
    from uslugi.core.audit import uninstall_append_only_trigger

    uninstall_append_only_trigger(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
