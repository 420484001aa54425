# A migration of its own: on PostgreSQL the codes written by 0004 must be committed before the unique index
# is built (an ALTER TABLE in the same transaction as the update would meet pending trigger events).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0004_instrument_codes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='instrument',
            name='instrument_code',
            field=models.CharField(blank=True, help_text='GB/T 36377 or State Grid code as printed on the instrument; left empty, jiliang issues its own', max_length=40, unique=True, verbose_name='instrument code'),
        ),
    ]
