"""The first assessment date of a measurement standard (建标, for the plan's indicator 3) and the designation of
national type-evaluation laboratories (专栏9)."""

from django.db import migrations, models

from jiliang.registry.reference import load_designations


def add_designations(apps, schema_editor):
    load_designations(apps.get_model("registry", "Designation"))


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0006_utilities_household_electricity"),
    ]

    operations = [
        migrations.AddField(
            model_name="measurementstandard",
            name="first_assessed_on",
            field=models.DateField(blank=True, help_text="the date of the standard's first assessment certificate",
                                   null=True, verbose_name="first assessed on"),
        ),
        migrations.RunPython(add_designations, migrations.RunPython.noop),
    ]
