"""Drop the single-column indexes of foreign keys that an index in Meta.indexes leads with: see
registry 0008_instrument_fk_indexes_in_composites."""


import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0009_jobs'),
        ('livelihood', '0003_plain_english_labels'),
        ('registry', '0007_standard_first_assessed'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='householdmeter',
                    name='region',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.region', verbose_name='region'),
                ),
                migrations.AlterField(
                    model_name='householdmeter',
                    name='utility',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='household_meters', to='registry.organisation', verbose_name='utility'),
                ),
            ],
            database_operations=[migrations.RunSQL(
                [
                    'DROP INDEX IF EXISTS "livelihood_householdmeter_region_id_472b5279"',
                    'DROP INDEX IF EXISTS "livelihood_householdmeter_region_id_472b5279_like"',
                    'DROP INDEX IF EXISTS "livelihood_householdmeter_utility_id_0e70b35e"',
                ],
                reverse_sql=[  # (the *_like ones are not made again: nothing needs them)
                    'CREATE INDEX IF NOT EXISTS "livelihood_householdmeter_region_id_472b5279" ON "livelihood_householdmeter" ("region_id")',
                    'CREATE INDEX IF NOT EXISTS "livelihood_householdmeter_utility_id_0e70b35e" ON "livelihood_householdmeter" ("utility_id")',
                ],
            )],
        ),
    ]
