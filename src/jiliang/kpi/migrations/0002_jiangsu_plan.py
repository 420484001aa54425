"""The Jiangsu plan 2014–2020 as shipped data (kpi/data/jiangsu-2014-2020.toml, each number from the plan's text)."""

from django.db import migrations


def load(apps, schema_editor):
    from jiliang.kpi.services import load_shipped_plan

    Region = apps.get_model("core", "Region")
    if not Region.objects.filter(code="320000").exists():
        return  # no regions loaded (a database without the reference data): nothing the plan could name
    load_shipped_plan("jiangsu-2014-2020.toml", Plan=apps.get_model("kpi", "Plan"),
                      Indicator=apps.get_model("kpi", "Indicator"), Target=apps.get_model("kpi", "Target"),
                      Region=Region)


def unload(apps, schema_editor):
    apps.get_model("kpi", "Plan").objects.filter(code="jiangsu-2014-2020").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("kpi", "0001_initial"),
        ("core", "0009_jobs"),
    ]

    operations = [migrations.RunPython(load, unload)]
