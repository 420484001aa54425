"""Monthly partitions of the readings table on PostgreSQL (declarative partitioning, PostgreSQL ≥ 11).

``telemetry_reading`` is ``PARTITION BY RANGE (ts)`` with one partition per calendar month in UTC, named
``telemetry_reading_pYYYYMM``. The primary key (point_id, ts) starts with the metering point, so the table
can later be distributed by point (Citus) unchanged. There is deliberately no DEFAULT partition: a reading
for a month without a partition makes ingest create it first (:func:`ensure_for`), and
``jiliang telemetry-partitions`` creates the coming months ahead of time (run it daily from cron or a task).
Creating a partition takes a lock on the parent, so ingest does it in its own short transaction before the
ingest transaction opens. On SQLite (the embedded default) the table is a plain table and all of this is a no-op.
"""

from __future__ import annotations

import datetime as dt
import threading

from django.db import connection, transaction

TABLE = "telemetry_reading"

CREATE_PARTITIONED = f"""
DROP TABLE IF EXISTS {TABLE};
CREATE TABLE {TABLE} (
    point_id bigint NOT NULL REFERENCES telemetry_meteringpoint (id) DEFERRABLE INITIALLY DEFERRED,
    ts timestamp with time zone NOT NULL,
    value numeric(20, 6) NOT NULL,
    received_at timestamp with time zone NOT NULL,
    source varchar(10) NOT NULL,
    batch_id bigint NOT NULL,
    PRIMARY KEY (point_id, ts)
) PARTITION BY RANGE (ts);
"""

# A function so that any client (psql, cron, another service) can make partitions the same way. It is safe
# against concurrent callers: a partition created meanwhile by another process is not an error.
CREATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION telemetry_ensure_partition(month_start date) RETURNS text AS $$
DECLARE
    first date := date_trunc('month', month_start)::date;
    name text := '{TABLE}_p' || to_char(first, 'YYYYMM');
BEGIN
    IF to_regclass(name) IS NULL THEN
        BEGIN
            EXECUTE format('CREATE TABLE %I PARTITION OF {TABLE} FOR VALUES FROM (%L) TO (%L)', name,
                           (first::timestamp AT TIME ZONE 'UTC'),
                           ((first + interval '1 month')::timestamp AT TIME ZONE 'UTC'));
        EXCEPTION WHEN duplicate_table OR invalid_object_definition THEN
            NULL;  -- another process made it first
        END;
    END IF;
    RETURN name;
END;
$$ LANGUAGE plpgsql;
"""  # noqa: S608 - constant table name, no outside input

DROP_FUNCTION = "DROP FUNCTION IF EXISTS telemetry_ensure_partition(date);"

_known: set[tuple[str, dt.date]] = set()
_lock = threading.Lock()


def is_partitioned(conn=None) -> bool:
    return (conn or connection).vendor == "postgresql"


def month_start(ts: dt.datetime) -> dt.date:
    utc = ts.astimezone(dt.UTC)
    return dt.date(utc.year, utc.month, 1)


def next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def partition_name(first: dt.date) -> str:
    return f"{TABLE}_p{first:%Y%m}"


def ensure_months(months, conn=None) -> list[str]:
    """Make sure a partition exists for each month (dates of the 1st, UTC); returns the names created or
    confirmed. Runs outside any open transaction (autocommit), so the parent's lock is held briefly."""
    conn = conn or connection
    if not is_partitioned(conn):
        return []
    key = conn.settings_dict.get("NAME", "")
    wanted = sorted({m for m in months if (key, m) not in _known})
    if not wanted:
        return []
    names = []
    with _lock:
        # Inside a caller's transaction (the demo, tests) the partition joins it and is not cached: it
        # disappears if that transaction rolls back.
        outer = conn.in_atomic_block
        with transaction.atomic(using=conn.alias), conn.cursor() as cur:
            for first in wanted:
                cur.execute("SELECT telemetry_ensure_partition(%s)", [first])
                names.append(cur.fetchone()[0])
        if not outer:
            _known.update((key, m) for m in wanted)
    return names


def ensure_for(timestamps, conn=None) -> list[str]:
    """Partitions for every month that ``timestamps`` fall in."""
    return ensure_months({month_start(ts) for ts in timestamps}, conn)


def ensure_ahead(today: dt.date | None = None, months_ahead: int = 3, months_back: int = 1, conn=None) -> list[str]:
    """Partitions from ``months_back`` months ago to ``months_ahead`` months after this one."""
    first = (today or dt.datetime.now(dt.UTC).date()).replace(day=1)
    for _ in range(months_back):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    months = []
    for _ in range(months_back + 1 + months_ahead):
        months.append(first)
        first = next_month(first)
    return ensure_months(months, conn)


def forget() -> None:
    """Drop the per-process cache (tests that recreate the database)."""
    _known.clear()


def list_partitions(conn=None) -> list[str]:
    conn = conn or connection
    if not is_partitioned(conn):
        return []
    with conn.cursor() as cur:
        cur.execute("""SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                       JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s ORDER BY 1""", [TABLE])
        return [r[0] for r in cur.fetchall()]
