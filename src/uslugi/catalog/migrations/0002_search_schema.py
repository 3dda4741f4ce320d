"""The database's own search structures (PostgreSQL tsvector + pg_trgm, SQLite FTS5):
vendor-specific DDL kept in one function, also run after every migrate (post_migrate)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from uslugi.catalog.search.schema import ensure_search_schema

    ensure_search_schema(schema_editor.connection)


def backwards(apps, schema_editor):
    from uslugi.catalog.search.schema import drop_search_schema

    drop_search_schema(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
