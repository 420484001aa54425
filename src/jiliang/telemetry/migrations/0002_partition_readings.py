"""On PostgreSQL, recreate the readings table partitioned by month on ts (see telemetry/partitions.py).

SQLite keeps the plain table of 0001. The model state is unchanged: same columns, same key (point, ts).
"""

from django.db import migrations

from jiliang.telemetry import partitions


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cur:
        cur.execute(partitions.CREATE_PARTITIONED)
        cur.execute(partitions.CREATE_FUNCTION)  # raw cursor: the body has %I/%L format() placeholders
        # This month and the next three; ingest and `jiliang telemetry-partitions` make the others.
        import datetime as dt

        first = dt.datetime.now(dt.UTC).date().replace(day=1)
        for _ in range(4):
            cur.execute("SELECT telemetry_ensure_partition(%s)", [first])
            first = partitions.next_month(first)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(partitions.DROP_FUNCTION)
    schema_editor.execute(f"""
        DROP TABLE IF EXISTS {partitions.TABLE};
        CREATE TABLE {partitions.TABLE} (
            point_id bigint NOT NULL REFERENCES telemetry_meteringpoint (id) DEFERRABLE INITIALLY DEFERRED,
            ts timestamp with time zone NOT NULL, value numeric(20, 6) NOT NULL,
            received_at timestamp with time zone NOT NULL, source varchar(10) NOT NULL, batch_id bigint NOT NULL,
            PRIMARY KEY (point_id, ts));""")


class Migration(migrations.Migration):
    dependencies = [("telemetry", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
