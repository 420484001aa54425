"""Bulk insert that uses PostgreSQL's COPY where it can, and bulk_create elsewhere.

COPY writes rows several times faster than multi-row INSERT. Primary keys are drawn from the table's
own sequence first, so the caller gets its objects back with their ids (as bulk_create gives them)
and can write their audit entries.
"""

from __future__ import annotations

import gc
import operator
import threading
from collections.abc import Iterable, Sequence
from contextlib import contextmanager

from django.db import connection, models
from django.db.models.expressions import RawSQL


def fast_insert(model: type[models.Model], objs: list[models.Model], batch_size: int = 2000) -> list[models.Model]:
    if not objs:
        return objs
    if connection.vendor != "postgresql":  # the model's manager runs its own before_bulk_insert
        return model.objects.bulk_create(objs, batch_size=batch_size)
    before = getattr(model, "before_bulk_insert", None)  # fills what the database must not leave blank
    if before is not None:
        before(objs)
    meta = model._meta
    fields = list(meta.concrete_fields)
    with connection.cursor() as cursor:
        if isinstance(meta.pk, models.AutoField):  # a key given by the caller (a one-to-one key) is kept
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [meta.db_table, meta.pk.column])
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [sequence, len(objs)])
            ids = [row[0] for row in cursor.fetchall()]
            for obj, pk in zip(objs, ids, strict=True):
                obj.pk = pk
        # psycopg adapts dates, decimals, strings and numbers itself; only JSON needs Django's preparation. A field
        # whose pre_save is Field's own (the attribute as it is) is read with one attrgetter for all of them: per
        # field method calls cost more than the COPY itself on a large import.
        stamped = [f for f in fields if type(f).pre_save in (models.DateField.pre_save, models.DateTimeField.pre_save)
                   and (f.auto_now or f.auto_now_add)]
        for f in stamped:  # created / last_updated: one instant for the rows written together, as pre_save sets it
            value = f.pre_save(objs[0], add=True)
            for obj in objs:
                setattr(obj, f.attname, value)
        plain = [i for i, f in enumerate(fields) if f in stamped or (f.get_internal_type() != "JSONField" and (
                 type(f).pre_save is models.Field.pre_save
                 or (type(f).pre_save is models.DateField.pre_save and not (f.auto_now or f.auto_now_add))
                 or (type(f).pre_save is models.DateTimeField.pre_save and not (f.auto_now or f.auto_now_add))))]
        # (a date without auto_now is read as it is, as DateField.pre_save does; short lists: ``in`` is cheap)
        special = [(i, f, f.get_internal_type() == "JSONField") for i, f in enumerate(fields) if i not in plain]
        get_plain = operator.attrgetter(*[fields[i].attname for i in plain]) if plain else (lambda obj: ())
        single = len(plain) == 1
        json_only = all(is_json and type(f).pre_save is models.Field.pre_save for _i, f, is_json in special)
        from django.db.backends.postgresql.operations import get_json_dumps  # (PostgreSQL only)

        dumps = {i: get_json_dumps(f.encoder) for i, f, is_json in special if is_json}

        def row(obj):
            values = [None] * len(fields)
            got = get_plain(obj)
            for i, v in zip(plain, (got,) if single else got, strict=True):
                values[i] = v
            for i, f, is_json in special:
                value = f.pre_save(obj, add=True)
                values[i] = f.get_db_prep_save(value, connection) if is_json else value
            return values

        if plain == list(range(len(fields))) and not single:
            rows = map(get_plain, objs)  # every column as it is: the attrgetter's tuple is the row
        elif json_only and not single and plain:
            # JSON columns: the text Django's adapter would send (json.dumps with the field's encoder; None is
            # SQL NULL, as JSONField.get_db_prep_save has it), unless the value is an expression.
            json_at = [(i, dumps[i], f) for i, f, _j in special]

            def json_row(obj):
                got = get_plain(obj)
                values = [None] * len(fields)
                for i, v in zip(plain, got, strict=True):
                    values[i] = v
                for i, encode, f in json_at:
                    value = getattr(obj, f.attname)
                    values[i] = (None if value is None else encode(value) if not hasattr(value, "resolve_expression")
                                 else f.get_db_prep_save(value, connection))
                return values

            rows = map(json_row, objs)
        else:
            rows = (row(obj) for obj in objs)
        copy_rows(cursor, meta.db_table, [f.column for f in fields], rows)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = "default"
    return objs


def copy_rows(cursor, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Write ``rows`` into ``table`` with PostgreSQL's ``COPY … FROM STDIN`` (psycopg 3 adapts the values).

    ``cursor`` is Django's cursor on a PostgreSQL connection; names are quoted here."""
    quote = connection.ops.quote_name
    statement = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    with cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def existing(queryset: models.QuerySet, field: str, values: Sequence, *columns: str, step: int = 5000) -> set:
    """The ``values_list(*columns)`` (default: ``field``, flat) of the rows of ``queryset`` whose ``field`` is one
    of ``values``: which of many keys are already taken. On PostgreSQL one array parameter (``= ANY(%s)``, served
    by the column's index); an IN list of 20,000 parameters costs more to compile than to answer. Elsewhere IN
    lists of ``step``."""
    values = list(values)
    if not values:
        return set()
    flat = not columns
    columns = columns or (field,)
    if connection.vendor == "postgresql":
        meta = queryset.model._meta
        quote = connection.ops.quote_name
        column = f"{quote(meta.db_table)}.{quote(meta.get_field(field).column)}"
        # (the column is quoted from the model's own names; the values go as one parameter)
        found = queryset.filter(RawSQL(f"{column} = ANY(%s)", (values,), output_field=models.BooleanField()))  # noqa: S611
        return set(found.values_list(*columns, flat=flat))
    out: set = set()
    for start in range(0, len(values), step):
        out |= set(queryset.filter(**{f"{field}__in": values[start:start + step]}).values_list(*columns, flat=flat))
    return out


def id_chunks(ids: Sequence[int], step: int = 20_000):
    """(SQL condition on ``{col}``, params) for many ids in steps, for set-wise raw SQL: on PostgreSQL a step of
    sorted ids with no gap as a range (``{col} BETWEEN lo AND hi``), any other as one array (``{col} = ANY(array)``);
    IN lists of 500 on SQLite.

    Both forms are for an import's transaction, where the statistics still say the tables are small:

    * not ``IN (SELECT unnest(array))``: the planner put the unnested semi-join on the inner side of a nested loop,
      rescanned for every row (traceability's coverage refresh: 175 s for 20,000 new meters among 100,000); a
      constant array is counted right and PostgreSQL (14 and later) hashes it when it filters;
    * a range where it can: with the array the planner still chose a sequential scan of the whole table for every
      step, so a million-meter import read the table fifty times (supervision's state refresh grew with the square
      of the rows). A range on an indexed column is estimated from the index's actual ends, not the stale
      statistics, and the new ids of an import are one run of the sequence. Never both at once: the planner takes
      the two as independent, estimates a handful of rows and nests loops over 20,000 (30 s a step)."""
    if connection.vendor == "postgresql":
        ids = sorted(ids)
        for start in range(0, len(ids), step):
            chunk = ids[start:start + step]
            if chunk[-1] - chunk[0] + 1 == len(chunk):
                yield "{col} BETWEEN %s AND %s", [chunk[0], chunk[-1]]
            else:
                yield "{col} = ANY(%s::bigint[])", [chunk]
    else:
        for start in range(0, len(ids), 500):
            chunk = list(ids[start:start + 500])
            yield "{col} IN (" + ", ".join(["%s"] * len(chunk)) + ")", chunk


@contextmanager
def hash_joins(cursor):
    """Set-wise statements over a step of ids (:func:`id_chunks`) joined by hash, not by nested loops, in the
    caller's transaction; the setting is put back afterwards. Inside an import's transaction the statistics still
    say the new rows are a handful, and the planner nested a loop over 20,000 instruments around their 10,000
    events (2 × 10⁸ rows compared, 21 s a step); a hash join reads each side once whatever the estimate."""
    if connection.vendor != "postgresql":
        yield
        return
    cursor.execute("SELECT current_setting('enable_nestloop'), set_config('enable_nestloop', 'off', true)")
    before = cursor.fetchone()[0]
    try:
        yield
    finally:
        cursor.execute("SELECT set_config('enable_nestloop', %s, true)", [before])


class Prototype:
    """Many new instances of one model, built faster than by calling the model (whose ``__init__`` costs more than
    writing the row when hundreds of thousands are imported): an instance made once with the values common to all
    (``Model(**common)``: the defaults, foreign keys given as objects) is copied, and each instance's own values
    are set by attribute name (``region_id``, not ``region``). Defaults that are callables (``dict``) are called
    for each instance; related objects are cached as the model's ``__init__`` caches them (``related``)."""

    def __init__(self, model: type[models.Model], **common) -> None:
        from django.db.models.base import ModelState

        self.model, self._state_class = model, ModelState
        proto = model(**common)
        self.base = {k: v for k, v in proto.__dict__.items() if k != "_state"}
        self.cache, self.db = dict(proto._state.fields_cache), proto._state.db  # (a related object sets db)
        self.fresh = [(f.attname, f.get_default) for f in model._meta.concrete_fields
                      if f.has_default() and callable(f.default) and f.name not in common]

    def __call__(self, related: dict | None = None, /, **values) -> models.Model:
        obj = self.model.__new__(self.model)
        d = obj.__dict__
        d.update(self.base)
        for name, default in self.fresh:
            d[name] = default()
        d.update(values)
        state = self._state_class()
        state.fields_cache = {**self.cache, **related} if related else dict(self.cache)
        if self.db is not None:
            state.db = self.db
        d["_state"] = state
        return obj


_gc = {"depth": 0, "saved": None}
_gc_lock = threading.Lock()


@contextmanager
def fewer_collections():
    """Raise CPython's generation-0 collection threshold while a batch is parsed and written.

    A batch allocates a few objects per row (readings, model instances of an import); at the default threshold
    (700 allocations) the collector runs thousands of times per batch, and its older generations walk every
    object still alive each time: 25–40 % of telemetry ingest at 10 000 readings a batch, 20 % of a household
    meter import. The threshold is process-wide, so nested and concurrent batches share one raise and the last
    one out restores it.
    """
    with _gc_lock:
        if _gc["depth"] == 0:
            _gc["saved"] = gc.get_threshold()
            gc.set_threshold(max(_gc["saved"][0], 100_000), *_gc["saved"][1:])
        _gc["depth"] += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc["depth"] -= 1
            if _gc["depth"] == 0:
                gc.set_threshold(*_gc["saved"])
