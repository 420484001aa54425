# Increments waiting to be folded into the rollups (JILIANG_TELEMETRY_ROLLUPS = "deferred", rollups.py).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0002_reference_data'),
        ('telemetry', '0004_online_snapshot'),
    ]

    operations = [
        migrations.CreateModel(
            name='RollupIncrement',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField()),
                ('consumption', models.DecimalField(decimal_places=12, max_digits=30)),
                ('u', models.FloatField()),
                ('tce_equivalent', models.DecimalField(decimal_places=15, max_digits=30)),
                ('tce_equal_price', models.DecimalField(decimal_places=15, max_digits=30)),
                ('readings', models.IntegerField()),
                ('misaligned', models.IntegerField()),
                ('energy_type', models.CharField(max_length=20)),
                ('unit', models.CharField(max_length=20)),
                ('sign', models.SmallIntegerField()),
                ('tce_unit', models.FloatField()),
                ('enterprise', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='registry.organisation')),
                ('point', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='telemetry.meteringpoint')),
            ],
            options={
                'verbose_name': 'rollup increment',
                'verbose_name_plural': 'rollup increments',
            },
        ),
    ]
