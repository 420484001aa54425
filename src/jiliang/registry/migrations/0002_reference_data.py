"""Designations and the shipped catalogue rows (registry/data/catalogue.csv, each row with its source)."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"

DESIGNATIONS = [
    ("national-industrial-test-centre", "国家产业计量测试中心", "National industrial metrology test centre"),
    ("provincial-metrology-centre", "省级计量测试中心", "Provincial metrology test centre"),
    ("public-service-platform", "计量公共服务平台", "Metrology public service platform"),
    ("key-energy-consumer", "重点用能单位", "Key energy-consuming unit"),
    ("international-mutual-recognition", "国际互认实验室", "Laboratory with international mutual recognition"),
    ("brand-laboratory", "品牌实验室", "Brand laboratory of international standing"),
]
BOOLS = ("mandatory_trade", "mandatory_safety", "mandatory_medical", "mandatory_environment")


def load(apps, schema_editor):
    Designation = apps.get_model("registry", "Designation")
    for code, name, name_en in DESIGNATIONS:
        Designation.objects.update_or_create(code=code, defaults={"name": name, "name_en": name_en})
    Category = apps.get_model("registry", "InstrumentCategory")
    with (DATA / "catalogue.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            values = {k: v for k, v in row.items() if k != "code"}
            for k in BOOLS:
                values[k] = values[k] == "1"
            for k in ("period_months", "service_life_years"):
                values[k] = int(values[k]) if values[k] else None
            Category.objects.update_or_create(code=row["code"], defaults=values)


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
