"""The default production calendar (2025-2027) from agencies/data/calendar.yaml.

Days already in the table are left as they are (an administrator may have edited them);
`uslugi agencies calendar load` puts the file's days in again on purpose.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.db import migrations

CALENDAR = Path(__file__).resolve().parent.parent / "data" / "calendar.yaml"


def load(apps: Any, schema_editor: Any) -> None:
    holiday = apps.get_model("agencies", "Holiday")
    data = yaml.safe_load(CALENDAR.read_text(encoding="utf-8")) or {}
    rows = [
        holiday(date=day, kind=kind, note=str(note)[:120])
        for _year, kinds in sorted(data.items())
        for kind in ("holiday", "working")
        for day, note in kinds.get(kind) or []
    ]
    holiday.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("agencies", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
