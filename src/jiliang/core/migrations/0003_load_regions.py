"""Load the GB/T 2260 regions of Jiangsu shipped in core/data (source and date in core/data/README.md)."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def load(apps, schema_editor):
    Region = apps.get_model("core", "Region")
    with (DATA / "regions-jiangsu-2024.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            Region.objects.update_or_create(code=row["code"], defaults={
                "name": row["name"], "level": row["level"], "parent_id": row["parent_code"] or None,
                "is_current": True, "source": row["source"][:300]})
    with (DATA / "regions-jiangsu-historical.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            Region.objects.update_or_create(code=row["code"], defaults={
                "name": row["name"], "level": row["level"], "parent_id": row["parent_code"],
                "is_current": False, "retired_year": int(row["retired_year"]),
                "successor_id": row["successor_code"] or None, "source": row["source"][:300]})


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
