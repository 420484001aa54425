"""Incremental rollups: consumption per point and per enterprise, per hour, day and month (Asia/Shanghai).

Ingest hands over :class:`Increments`, one row per (point, instant): the consumption of the intervals that
end at that instant (an interval that an out-of-order reading split comes back with sign −1), their
standard uncertainty, their tce, and the readings received at that instant with how many of them lie off the
collection grid. :func:`write` files each row under the hour, day and month that hold ``instant − 1 µs``
(the reading at 00:00 closes the previous day, ``consumption.bucket_starts``), adds it to the point rollups,
then adds the enterprise's share (points of role energy in, minus energy out; GB 17167 4.3) to the
enterprise rollups. Nothing is recomputed from the readings.

Uncertainty: a point's u within a period adds linearly (one meter, r = 1, JCGM 100 5.2.2); an enterprise's
variance is the sum of its points' u² (independent meters, JCGM 100 5.1.2), so it changes by
u_after² − u_before². The point upsert returns u_after under the points' state locks held by ingest, and
u_before = u_after − increment.

On PostgreSQL the rows are copied into a temporary table and one statement does the fan-out and both upserts
(``date_trunc`` in Asia/Shanghai): the per-row work in Python is the COPY alone. Elsewhere (SQLite, the
embedded default) :func:`_write_generic` does the same in Python.

``JILIANG_TELEMETRY_ROLLUPS = "deferred"`` takes the rollups out of the ingest transaction: ingest stores the
increments (:class:`~jiliang.telemetry.models.RollupIncrement`) with the readings, and :func:`fold` later adds
a batch of them to the rollups and deletes them in one transaction (``jiliang telemetry-rollups``, or an idle
``ingest-mqtt``). Readings are then acknowledged sooner and the rollups, seconds behind, are written in larger
batches; the result is the same as inline, increment for increment.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction

from jiliang.core.bulk import copy_rows
from jiliang.core.values.chunks import chunks

from .consumption import Delta, bucket_starts

D0 = Decimal(0)
Q6 = Decimal("1e-6")
Q9 = Decimal("1e-9")
PERIODS = ("hour", "day", "month")


class Increments:
    """Rollup increments of one ingest transaction (or one fold), keyed by (point id, instant).

    ``points`` holds, per point, what the enterprise rollups need: (enterprise id, energy type, unit, sign in
    the enterprise total, tce per unit).
    """

    __slots__ = ("rows", "points")

    def __init__(self):
        self.rows: dict[tuple[int, dt.datetime], list] = {}
        self.points: dict[int, tuple[int, str, str, int, float]] = {}

    def _row(self, info, at: dt.datetime) -> list:
        row = self.rows.get((info.id, at))
        if row is None:
            row = self.rows[(info.id, at)] = [D0, 0.0, D0, D0, 0, 0]
            if info.id not in self.points:
                self.points[info.id] = (info.enterprise_id, info.energy_type, info.unit, info.sign,
                                        float(info.tce_equivalent or 0))
        return row

    def delta(self, info, d: Delta, sign: int) -> None:
        """Add (sign +1) or take back (sign −1) the consumption of one interval."""
        consumption = d.consumption if sign > 0 else -d.consumption
        row = self._row(info, d.end)
        row[0] += consumption
        row[1] += info.params.relative_u * float(abs(d.consumption)) * sign
        if info.tce_equivalent is not None:
            row[2] += consumption * info.tce_equivalent
        equal_price = info.equal_price_factor(d.end)
        if equal_price is not None:
            row[3] += consumption * equal_price

    def reading(self, info, ts: dt.datetime, misaligned: bool) -> None:
        row = self._row(info, ts)
        row[4] += 1
        row[5] += misaligned

    def add_row(self, point_id: int, at: dt.datetime, values, point: tuple) -> None:
        """Add a stored increment (a :class:`RollupIncrement` being folded)."""
        row = self.rows.get((point_id, at))
        if row is None:
            row = self.rows[(point_id, at)] = [D0, 0.0, D0, D0, 0, 0]
            self.points[point_id] = point
        for i, v in enumerate(values):
            row[i] += v

    def copy_rows(self):
        """The rows in the column order of ``COPY_COLUMNS``."""
        points = self.points
        for (point_id, at), (c, u, eq, ep, n, mis) in self.rows.items():
            yield (point_id, at, c, u if math.isfinite(u) else 0.0, eq, ep, n, mis, *points[point_id])


MODES = ("inline", "deferred")


def deferred() -> bool:
    return settings.JILIANG_TELEMETRY_ROLLUPS == "deferred"


def check_mode(app_configs=None, **kwargs) -> list:
    """System check: ``JILIANG_TELEMETRY_ROLLUPS`` names a mode (a typo would silently mean inline)."""
    from django.core.checks import Error

    mode = settings.JILIANG_TELEMETRY_ROLLUPS
    if mode in MODES:
        return []
    return [Error(f"JILIANG_TELEMETRY_ROLLUPS is {mode!r}; use one of: {', '.join(MODES)}",
                  id="telemetry.E001")]


def write(inc: Increments) -> None:
    """Add the increments to the rollups now, or queue them for :func:`fold` when rollups are deferred."""
    if not inc.rows:
        return
    if deferred():
        _queue(inc)
    elif connection.vendor == "postgresql":
        with connection.cursor() as cur:
            _to_temp(cur, inc)
            cur.execute(PG_ROLLUP)
    else:
        _write_generic(inc)


COPY_NAMES = ("point_id", "at", "consumption", "u", "tce_equivalent", "tce_equal_price", "readings", "misaligned",
              "enterprise_id", "energy_type", "unit", "sign", "tce_unit")
COPY_COLUMNS = ", ".join(COPY_NAMES)


def _queue(inc: Increments) -> None:
    from .models import RollupIncrement

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            copy_rows(cur, "telemetry_rollupincrement", COPY_NAMES, inc.copy_rows())
        return
    RollupIncrement.objects.bulk_create([RollupIncrement(**dict(zip(COPY_NAMES, row))) for row in inc.copy_rows()],
                                        batch_size=1000)


def pending() -> int:
    """Increments waiting to be folded."""
    from .models import RollupIncrement

    return RollupIncrement.objects.count()


PG_TAKE = f"""WITH d AS (
    DELETE FROM telemetry_rollupincrement WHERE id IN (
        SELECT id FROM telemetry_rollupincrement ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED)
    RETURNING {COPY_COLUMNS})
INSERT INTO telemetry_increment ({COPY_COLUMNS}) SELECT {COPY_COLUMNS} FROM d"""  # noqa: S608 - constant


def fold(limit: int = 50_000) -> int:
    """Fold up to ``limit`` queued increments into the rollups, oldest first; returns how many.

    Several folders may run at once: each takes rows the others have not locked (SKIP LOCKED), and the
    additions commute; the rollup rows' locks order the variance updates.
    """
    from .models import RollupIncrement

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute(PG_TEMP)
                cur.execute("DELETE FROM telemetry_increment")
                cur.execute(PG_TAKE, [limit])
                taken = cur.rowcount
                if taken:
                    cur.execute(PG_ROLLUP)
            return taken
        rows = list(RollupIncrement.objects.order_by("id").values_list("id", *COPY_NAMES)[:limit])
        inc = Increments()
        for row in rows:
            inc.add_row(row[1], row[2], row[3:9], row[9:])
        _write_generic(inc)
        ids = [row[0] for row in rows]
        for chunk in chunks(ids, 500):
            RollupIncrement.objects.filter(id__in=chunk)._raw_delete(connection.alias)
        return len(rows)


# --- PostgreSQL: COPY the increments, one statement for both rollups -------------------------------------

PG_TEMP = """CREATE TEMP TABLE IF NOT EXISTS telemetry_increment (
    point_id bigint, at timestamptz, consumption numeric, u float8, tce_equivalent numeric,
    tce_equal_price numeric, readings integer, misaligned integer, enterprise_id bigint, energy_type text,
    unit text, sign integer, tce_unit float8) ON COMMIT DELETE ROWS"""


# b: the increments filed under their hour, day and month; up: the point rollups after the increments;
# then the enterprise rollups, with the variance change u_after² − u_before² of each point.
PG_ROLLUP = """
WITH b AS (
    SELECT i.point_id, p.period,
           date_trunc(p.period, (i.at - interval '1 microsecond') AT TIME ZONE 'Asia/Shanghai')
               AT TIME ZONE 'Asia/Shanghai' AS start,
           sum(i.consumption) AS consumption, round(sum(i.u)::numeric, 6) AS u,
           round(sum(i.tce_equivalent), 9) AS eq, round(sum(i.tce_equal_price), 9) AS ep,
           sum(i.readings)::integer AS readings, sum(i.misaligned)::integer AS misaligned,
           min(i.enterprise_id) AS enterprise_id, min(i.energy_type) AS energy_type, min(i.unit) AS unit,
           min(i.sign) AS sign, min(i.tce_unit) AS tce_unit
    FROM telemetry_increment i CROSS JOIN (VALUES ('hour'), ('day'), ('month')) AS p (period)
    GROUP BY 1, 2, 3
), up AS (
    INSERT INTO telemetry_pointrollup AS r (point_id, period, start, consumption, u, tce_equivalent,
                                            tce_equal_price, readings, misaligned)
    SELECT point_id, period, start, consumption, u, eq, ep, readings, misaligned FROM b
    ORDER BY point_id, period, start
    ON CONFLICT (point_id, period, start) DO UPDATE SET
        consumption = r.consumption + excluded.consumption, u = r.u + excluded.u,
        tce_equivalent = r.tce_equivalent + excluded.tce_equivalent,
        tce_equal_price = r.tce_equal_price + excluded.tce_equal_price,
        readings = r.readings + excluded.readings, misaligned = r.misaligned + excluded.misaligned
    RETURNING point_id, period, start, u
)
INSERT INTO telemetry_enterpriserollup AS e (enterprise_id, energy_type, unit, period, start, consumption, u_sq,
                                             tce_equivalent, tce_equal_price, u_tce_sq, readings)
SELECT b.enterprise_id, b.energy_type, b.unit, b.period, b.start, sum(b.sign * b.consumption),
       sum(up.u::float8 ^ 2 - (up.u - b.u)::float8 ^ 2), sum(b.sign * b.eq), sum(b.sign * b.ep),
       sum(b.tce_unit ^ 2 * (up.u::float8 ^ 2 - (up.u - b.u)::float8 ^ 2)), sum(b.readings)
FROM b JOIN up USING (point_id, period, start)
WHERE b.sign <> 0
GROUP BY 1, 2, 3, 4, 5
ORDER BY 1, 2, 3, 4, 5
ON CONFLICT (enterprise_id, energy_type, unit, period, start) DO UPDATE SET
    consumption = e.consumption + excluded.consumption, u_sq = e.u_sq + excluded.u_sq,
    tce_equivalent = e.tce_equivalent + excluded.tce_equivalent,
    tce_equal_price = e.tce_equal_price + excluded.tce_equal_price,
    u_tce_sq = e.u_tce_sq + excluded.u_tce_sq, readings = e.readings + excluded.readings
"""


def _to_temp(cur, inc: Increments) -> None:
    cur.execute(PG_TEMP)
    cur.execute("DELETE FROM telemetry_increment")  # empty after every commit; not inside a test's transaction
    copy_rows(cur, "telemetry_increment", COPY_NAMES, inc.copy_rows())


# --- Any other database: the same in Python --------------------------------------------------------------

POINT_SQL = """INSERT INTO telemetry_pointrollup (point_id, period, start, consumption, u, tce_equivalent,
    tce_equal_price, readings, misaligned) VALUES {values}
    ON CONFLICT (point_id, period, start) DO UPDATE SET
    consumption = telemetry_pointrollup.consumption + excluded.consumption,
    u = telemetry_pointrollup.u + excluded.u,
    tce_equivalent = telemetry_pointrollup.tce_equivalent + excluded.tce_equivalent,
    tce_equal_price = telemetry_pointrollup.tce_equal_price + excluded.tce_equal_price,
    readings = telemetry_pointrollup.readings + excluded.readings,
    misaligned = telemetry_pointrollup.misaligned + excluded.misaligned
    RETURNING point_id, period, start, u"""

ENTERPRISE_SQL = """INSERT INTO telemetry_enterpriserollup (enterprise_id, energy_type, unit, period, start,
    consumption, u_sq, tce_equivalent, tce_equal_price, u_tce_sq, readings) VALUES {values}
    ON CONFLICT (enterprise_id, energy_type, unit, period, start) DO UPDATE SET
    consumption = telemetry_enterpriserollup.consumption + excluded.consumption,
    u_sq = telemetry_enterpriserollup.u_sq + excluded.u_sq,
    tce_equivalent = telemetry_enterpriserollup.tce_equivalent + excluded.tce_equivalent,
    tce_equal_price = telemetry_enterpriserollup.tce_equal_price + excluded.tce_equal_price,
    u_tce_sq = telemetry_enterpriserollup.u_tce_sq + excluded.u_tce_sq,
    readings = telemetry_enterpriserollup.readings + excluded.readings"""


def _write_generic(inc: Increments) -> None:
    per: dict[tuple[int, str, dt.datetime], list] = defaultdict(lambda: [D0, 0.0, D0, D0, 0, 0])
    for (point_id, at), values in inc.rows.items():
        for period, start in zip(PERIODS, bucket_starts(at)):
            row = per[(point_id, period, start)]
            for i, v in enumerate(values):
                row[i] += v
    adapt = connection.ops.adapt_datetimefield_value
    keys = sorted(per)
    rows, sent = [], {}
    for key in keys:
        c, u, eq, ep, n, mis = per[key]
        u = Decimal(repr(round(u, 6))) if math.isfinite(u) else D0
        per[key][1] = u
        rows.append((key[0], key[1], adapt(key[2]), c, u, eq.quantize(Q9), ep.quantize(Q9), n, mis))
        sent[(key[0], key[1], key[2].astimezone(dt.UTC).replace(tzinfo=None))] = key
    after = {}
    with connection.cursor() as cur:
        for chunk in chunks(rows, 300):
            cur.execute(POINT_SQL.format(values=",".join(["(%s,%s,%s,%s,%s,%s,%s,%s,%s)"] * len(chunk))),
                        [v for row in chunk for v in row])
            after.update({sent[(p, period, _naive_utc(start))]: float(u) for p, period, start, u in cur.fetchall()})
    ent: dict[tuple, list] = defaultdict(lambda: [D0, 0.0, D0, D0, 0.0, 0])
    for key in keys:
        enterprise_id, energy_type, unit, sign, tce_unit = inc.points[key[0]]
        if sign == 0:
            continue
        c, u, eq, ep, n, _ = per[key]
        u_after = after[key]
        u_before = u_after - float(u)
        variance = u_after * u_after - u_before * u_before
        e = ent[(enterprise_id, energy_type, unit, key[1], key[2])]
        e[0] += c * sign
        e[1] += variance
        e[2] += eq.quantize(Q9) * sign
        e[3] += ep.quantize(Q9) * sign
        e[4] += variance * tce_unit ** 2
        e[5] += n
    erows = [(*k[:4], adapt(k[4]), *v) for k, v in sorted(ent.items())]
    with connection.cursor() as cur:
        for chunk in chunks(erows, 300):
            cur.execute(ENTERPRISE_SQL.format(values=",".join(["(%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"] * len(chunk))),
                        [v for row in chunk for v in row])


def _naive_utc(v) -> dt.datetime:
    """A stored start as SQLite returns it (text, or a naive UTC datetime through Django's converter)."""
    if isinstance(v, str):
        v = dt.datetime.fromisoformat(v)
    return v.astimezone(dt.UTC).replace(tzinfo=None) if v.tzinfo else v


