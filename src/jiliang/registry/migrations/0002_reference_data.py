"""Designations and the shipped catalogue rows (registry/data/catalogue.csv, each row with its source)."""

from django.db import migrations

from jiliang.registry.reference import load_catalogue, load_designations


def load(apps, schema_editor):
    load_designations(apps.get_model("registry", "Designation"))
    load_catalogue(apps.get_model("registry", "InstrumentCategory"))


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
