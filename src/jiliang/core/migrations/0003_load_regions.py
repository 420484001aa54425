"""Load the GB/T 2260 regions of Jiangsu shipped in core/data (source and date in core/data/README.md)."""

from django.db import migrations

from jiliang.core.regions import load_regions


def load(apps, schema_editor):
    load_regions(apps.get_model("core", "Region"))


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
