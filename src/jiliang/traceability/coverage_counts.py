"""Coverage's instrument groups kept as counters (plan indicator 2, docs/traceability-coverage.md): coverage.groups
reads them instead of grouping every instrument in use on each call (1 s at a million instruments).

Three tables (models.py):

* CoverageGroup: a category, a region, a range (min, max, unit) and an accuracy class, with ``key`` (:func:`key_of`)
  unique so that a writer adds a group with ``INSERT … ON CONFLICT DO NOTHING`` although its range may be NULL;
* CoverageCount: instruments in use per group and installation month (yyyymm; 0 without a date), moved by deltas
  with ``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`` (supervision/counters.py's way), keys sorted so
  that two transactions never wait for each other in opposite orders;
* CoverageMember: for each instrument counted, the group and the installation date it is counted under.

Why a member table. A change must take out what the instrument was counted under before: post_save and
``records_written`` come after the write, when the old values are gone; bulk writes send no pre_save, and a read
before each save would cost a query per row of an import. Supervision's InstrumentState keeps other columns (no
range, class or installation date) for supervision's own counters, and traceability does not write supervision's
tables. So a narrow row (instrument id, group id, date) per instrument in use records what was counted; the date
also answers the part of a month up to a given day (:func:`coverage.groups`: whole months from the counters, the
days of the last month from this table's index on ``installed_on``, a month's installations only).

"In use" is the rule coverage applied to the instruments before (coverage.groups): mandatory and in service; the
installation date (on or before the day asked) is applied when reading.

Kept current (signals.py) in the transaction that writes the instrument: post_save and ``records_written`` (bulk
imports) call :func:`refresh`, pre_delete :func:`forget`. Refresh works set-wise, a handful of statements per
chunk of ids whatever their number: the members of the chunk are deleted (``RETURNING`` what they were counted
under), the missing groups added, the members of the instruments in use inserted with one ``INSERT … SELECT``, and
the difference goes to the counters in one upsert. The writer's lock on the instrument row orders two refreshes of
one instrument. Records written without signals (fixtures loaded raw, a demo's bulk_create) are counted by
:func:`recount` (``jiliang coverage-recount``), which also checks the counters against the registry.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction

from jiliang.core.bulk import hash_joins, id_chunks
from jiliang.registry.models import InstrumentStatus

GROUP_COLUMNS = ("category_id", "region_id", "range_min", "range_max", "range_unit", "accuracy_class")
IN_USE = "i.mandatory AND i.status = %s"  # coverage's instruments in use (params: IN_USE_PARAMS)
IN_USE_PARAMS = [str(InstrumentStatus.IN_SERVICE)]
_T = {"group": "traceability_coveragegroup", "count": "traceability_coveragecount",
      "member": "traceability_coveragemember", "instrument": "registry_instrument"}


def _number(value) -> str:
    if value is None:
        return ""
    text = format(Decimal(str(value)).normalize(), "f")
    return "0" if text in ("-0", "") else text


def key_of(category_id, region_id, range_min, range_max, range_unit, accuracy_class) -> str:
    """A group's values as one text: equal numbers give equal keys whatever their scale (1.6 and 1.600000)."""
    return json.dumps([int(category_id), str(region_id), _number(range_min), _number(range_max), range_unit or "",
                       accuracy_class or ""], ensure_ascii=False, separators=(",", ":"))


def month_of(day) -> int:
    """yyyymm of a date (0 for none), CoverageCount.month."""
    if day is None:
        return 0
    if isinstance(day, str):  # SQLite returns dates as text through a raw cursor
        return int(day[:4]) * 100 + int(day[5:7])
    return day.year * 100 + day.month


def _same(a: str, b: str) -> str:
    """Null-safe equality in SQL."""
    return f"{a} IS NOT DISTINCT FROM {b}" if connection.vendor == "postgresql" else f"{a} IS {b}"


def _month_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"COALESCE(EXTRACT(YEAR FROM {column})::int * 100 + EXTRACT(MONTH FROM {column})::int, 0)"
    return f"COALESCE(CAST(strftime('%%Y%%m', {column}) AS INTEGER), 0)"


# instrument i in group g: the join of the member insert and of the checks (hashable columns first)
_JOIN_GROUP = ("g.category_id = i.category_id AND g.region_id = i.region_id AND g.range_unit = i.range_unit "
               "AND g.accuracy_class = i.accuracy_class AND {min} AND {max}")


def _join_group() -> str:
    return _JOIN_GROUP.format(min=_same("g.range_min", "i.range_min"), max=_same("g.range_max", "i.range_max"))


def _add_groups(cur, where: str, params: list) -> int:
    """Add the groups of the instruments in use matching ``where`` (on ``i``) that do not exist yet."""
    cur.execute(f"SELECT DISTINCT i.category_id, i.region_id, i.range_min, i.range_max, i.range_unit, "  # noqa: S608
                f"i.accuracy_class FROM {_T['instrument']} i WHERE {where} AND {IN_USE} AND NOT EXISTS ("
                f"SELECT 1 FROM {_T['group']} g WHERE {_join_group()})", [*params, *IN_USE_PARAMS])
    rows = sorted({key_of(*r): r for r in cur.fetchall()}.items())
    if not rows:
        return 0
    one = "(" + ", ".join(["%s"] * 7) + ")"
    for start in range(0, len(rows), 500):
        chunk = rows[start:start + 500]
        cur.execute(f"INSERT INTO {_T['group']} (key, {', '.join(GROUP_COLUMNS)}) "  # noqa: S608
                    f"VALUES {', '.join([one] * len(chunk))} ON CONFLICT (key) DO NOTHING",
                    [v for key, r in chunk for v in (key, *r)])
    return len(rows)


def _flush(cur, deltas: Counter) -> None:
    rows = sorted((k, n) for k, n in deltas.items() if n)
    one = "(%s, %s, %s)"
    for start in range(0, len(rows), 500):
        chunk = rows[start:start + 500]
        cur.execute(f"INSERT INTO {_T['count']} (group_id, month, n) VALUES {', '.join([one] * len(chunk))} "  # noqa: S608
                    f"ON CONFLICT (group_id, month) DO UPDATE SET n = {_T['count']}.n + excluded.n",
                    [v for (g, m), n in chunk for v in (g, m, n)])


def _move(ids: Iterable[int], *, count_again: bool) -> int:
    """Take the instruments out of the counters and, with ``count_again``, count those in use again; returns how
    many members were written."""
    ids = sorted(set(ids))
    written = 0
    if not ids:
        return 0
    with transaction.atomic(), connection.cursor() as cur, hash_joins(cur):
        for where, params in id_chunks(ids):
            deltas: Counter = Counter()
            cur.execute(f"DELETE FROM {_T['member']} WHERE {where.format(col='instrument_id')} "  # noqa: S608
                        "RETURNING group_id, installed_on", params)
            for group, on in cur.fetchall():
                deltas[(group, month_of(on))] -= 1
            if count_again:
                on_i = where.format(col="i.id")
                _add_groups(cur, on_i, params)
                cur.execute(f"INSERT INTO {_T['member']} (instrument_id, group_id, installed_on) "  # noqa: S608
                            f"SELECT i.id, g.id, i.installation_date FROM {_T['instrument']} i "
                            f"JOIN {_T['group']} g ON {_join_group()} WHERE {on_i} AND {IN_USE} "
                            "RETURNING group_id, installed_on", [*params, *IN_USE_PARAMS])
                for group, on in cur.fetchall():
                    deltas[(group, month_of(on))] += 1
                    written += 1
            _flush(cur, deltas)
    return written


def refresh(instrument_ids: Iterable[int]) -> int:
    """Count these instruments as they are now (after a save or a bulk write), in the caller's transaction."""
    return _move(instrument_ids, count_again=True)


def forget(instrument_ids: Iterable[int]) -> None:
    """Take instruments about to be deleted out of the counters."""
    _move(instrument_ids, count_again=False)


@dataclass
class Recount:
    """What a recount found: members not as the registry says (instruments missing, counted under another group
    or date, or no longer in use) and counters that differ: (key, month) → (stored, from the registry)."""

    members_wrong: int = 0
    counts_wrong: dict[tuple[str, int], tuple[int, int]] = field(default_factory=dict)
    fixed: bool = False

    @property
    def ok(self) -> bool:
        return not self.members_wrong and not self.counts_wrong


def stored_counts() -> dict[tuple[str, int], int]:
    """The counters as stored: (group key, month) → n (rows with n = 0 left out)."""
    with connection.cursor() as cur:
        cur.execute(f"SELECT g.key, c.month, c.n FROM {_T['count']} c "  # noqa: S608
                    f"JOIN {_T['group']} g ON g.id = c.group_id WHERE c.n <> 0")
        return {(key, month): n for key, month, n in cur.fetchall()}


def registry_counts() -> dict[tuple[str, int], int]:
    """The counters as the registry gives them: one GROUP BY over the instruments in use."""
    out: Counter = Counter()
    cols = ", ".join(f"i.{c}" for c in GROUP_COLUMNS)
    with connection.cursor() as cur:
        cur.execute(f"SELECT {cols}, {_month_sql('i.installation_date')}, COUNT(*) "  # noqa: S608
                    f"FROM {_T['instrument']} i WHERE {IN_USE} GROUP BY {cols}, {_month_sql('i.installation_date')}",
                    IN_USE_PARAMS)
        for *values, month, n in cur.fetchall():
            out[(key_of(*values), month)] += n
    return dict(out)


def _members_wrong(cur) -> int:
    cur.execute(f"SELECT COUNT(*) FROM {_T['instrument']} i "  # noqa: S608
                f"LEFT JOIN {_T['member']} m ON m.instrument_id = i.id LEFT JOIN {_T['group']} g ON g.id = m.group_id "
                f"WHERE CASE WHEN {IN_USE} THEN m.instrument_id IS NULL OR NOT ({_join_group()} AND "
                f"{_same('m.installed_on', 'i.installation_date')}) ELSE m.instrument_id IS NOT NULL END",
                IN_USE_PARAMS)
    return cur.fetchone()[0]


def recount(*, check_only: bool = False) -> Recount:
    """Compare the counters and members with the registry; unless ``check_only``, rebuild them where they differ
    (all of them: every member is written again, set-wise, and the counters summed from the members). Runs in one
    transaction; on PostgreSQL the member table is locked against refreshes meanwhile (reads go on)."""
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql" and not check_only:
            cur.execute(f"LOCK TABLE {_T['member']} IN SHARE ROW EXCLUSIVE MODE")
        found = Recount(members_wrong=_members_wrong(cur))
        stored, actual = stored_counts(), registry_counts()
        found.counts_wrong = {k: (stored.get(k, 0), actual.get(k, 0)) for k in stored.keys() | actual.keys()
                              if stored.get(k, 0) != actual.get(k, 0)}
        if check_only or found.ok:
            return found
        cur.execute(f"DELETE FROM {_T['member']}")  # noqa: S608
        cur.execute(f"DELETE FROM {_T['count']}")  # noqa: S608
        _add_groups(cur, "1 = 1", [])
        cur.execute(f"INSERT INTO {_T['member']} (instrument_id, group_id, installed_on) "  # noqa: S608
                    f"SELECT i.id, g.id, i.installation_date FROM {_T['instrument']} i "
                    f"JOIN {_T['group']} g ON {_join_group()} WHERE {IN_USE}", IN_USE_PARAMS)
        cur.execute(f"INSERT INTO {_T['count']} (group_id, month, n) "  # noqa: S608
                    f"SELECT group_id, {_month_sql('installed_on')}, COUNT(*) FROM {_T['member']} "
                    f"GROUP BY group_id, {_month_sql('installed_on')}", [])
        cur.execute(f"DELETE FROM {_T['group']} WHERE NOT EXISTS (SELECT 1 FROM {_T['count']} c "  # noqa: S608
                    f"WHERE c.group_id = {_T['group']}.id)")
        if connection.vendor == "postgresql":
            cur.execute(f"ANALYZE {_T['group']}; ANALYZE {_T['count']}; ANALYZE {_T['member']}")
        found.fixed = True
        return found
