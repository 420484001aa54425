"""Drop the single-column indexes of foreign keys that an index in Meta.indexes leads with: see
registry 0008_instrument_fk_indexes_in_composites."""


import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0009_jobs'),
        ('registry', '0008_instrument_fk_indexes_in_composites'),
        ('supervision', '0005_counter_period_indexes'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='dueoccurrence',
                    name='instrument',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='registry.instrument'),
                ),
                migrations.AlterField(
                    model_name='instrumentstate',
                    name='owner',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='registry.organisation', verbose_name='owner'),
                ),
                migrations.AlterField(
                    model_name='instrumentstate',
                    name='region',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.region', verbose_name='region'),
                ),
                migrations.AlterField(
                    model_name='verificationevent',
                    name='institution',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.organisation', verbose_name='institution'),
                ),
                migrations.AlterField(
                    model_name='verificationevent',
                    name='instrument',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='verification_events', to='registry.instrument', verbose_name='instrument'),
                ),
            ],
            database_operations=[migrations.RunSQL(
                [
                    'DROP INDEX IF EXISTS "supervision_dueoccurrence_instrument_id_fc85c8fc"',
                    'DROP INDEX IF EXISTS "supervision_instrumentstate_owner_id_6184abf8"',
                    'DROP INDEX IF EXISTS "supervision_instrumentstate_region_id_2d083dad"',
                    'DROP INDEX IF EXISTS "supervision_instrumentstate_region_id_2d083dad_like"',
                    'DROP INDEX IF EXISTS "supervision_verificationevent_institution_id_548b03af"',
                    'DROP INDEX IF EXISTS "supervision_verificationevent_instrument_id_183d6f86"',
                ],
                reverse_sql=[  # (the *_like ones are not made again: nothing needs them)
                    'CREATE INDEX IF NOT EXISTS "supervision_dueoccurrence_instrument_id_fc85c8fc" ON "supervision_dueoccurrence" ("instrument_id")',
                    'CREATE INDEX IF NOT EXISTS "supervision_instrumentstate_owner_id_6184abf8" ON "supervision_instrumentstate" ("owner_id")',
                    'CREATE INDEX IF NOT EXISTS "supervision_instrumentstate_region_id_2d083dad" ON "supervision_instrumentstate" ("region_id")',
                    'CREATE INDEX IF NOT EXISTS "supervision_verificationevent_institution_id_548b03af" ON "supervision_verificationevent" ("institution_id")',
                    'CREATE INDEX IF NOT EXISTS "supervision_verificationevent_instrument_id_183d6f86" ON "supervision_verificationevent" ("instrument_id")',
                ],
            )],
        ),
    ]
