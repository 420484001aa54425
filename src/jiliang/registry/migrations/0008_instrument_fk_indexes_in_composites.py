"""Drop the single-column indexes Django made for these foreign keys: an index in Meta.indexes leads with
each column and serves every look-up the single one did (scoping uses IN, not LIKE, so the *_like
indexes served nothing). Only the indexes go: the constraints are not dropped and re-validated, which
AlterField would do on the whole table. (Every index is written by every bulk registration; issue 15.)"""


import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0009_jobs'),
        ('registry', '0007_standard_first_assessed'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='instrument',
                    name='category',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='instruments', to='registry.instrumentcategory', verbose_name='category'),
                ),
                migrations.AlterField(
                    model_name='instrument',
                    name='owner',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='instruments', to='registry.organisation', verbose_name='owner'),
                ),
                migrations.AlterField(
                    model_name='instrument',
                    name='region',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.region', verbose_name='location region'),
                ),
            ],
            database_operations=[migrations.RunSQL(
                [
                    'DROP INDEX IF EXISTS "registry_instrument_category_id_f247ab8e"',
                    'DROP INDEX IF EXISTS "registry_instrument_owner_id_24758fef"',
                    'DROP INDEX IF EXISTS "registry_instrument_region_id_d15df363"',
                    'DROP INDEX IF EXISTS "registry_instrument_region_id_d15df363_like"',
                ],
                reverse_sql=[  # (the *_like ones are not made again: nothing needs them)
                    'CREATE INDEX IF NOT EXISTS "registry_instrument_category_id_f247ab8e" ON "registry_instrument" ("category_id")',
                    'CREATE INDEX IF NOT EXISTS "registry_instrument_owner_id_24758fef" ON "registry_instrument" ("owner_id")',
                    'CREATE INDEX IF NOT EXISTS "registry_instrument_region_id_d15df363" ON "registry_instrument" ("region_id")',
                ],
            )],
        ),
    ]
