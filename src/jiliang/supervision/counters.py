"""The dashboard's counters (StatusCount, DueCount, EventCount): deltas added in the transaction that changes an
instrument's state, so a new record is counted when it commits; read back as rates.DueCount and rates.EventCount.

Deltas are added with one ``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`` per table (PostgreSQL and
SQLite both speak it), keys sorted so that two transactions never wait for each other in opposite orders.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db import connection
from django.db.models import Q, Sum

from . import rates
from .models import DueCount, EventCount, StatusCount

Dims = tuple  # (region_id, category_id, usage, owner_kind, key_supervised)


class Deltas:
    """Counter changes collected for one or many instruments, written by :meth:`flush`."""

    def __init__(self) -> None:
        self.status: Counter = Counter()
        self.due: Counter = Counter()
        self.events: Counter = Counter()

    def add_status(self, dims: Dims, status: str, n: int) -> None:
        self.status[(*dims, status)] += n

    def add_occurrences(self, dims: Dims, counts: dict[tuple[int, int, bool], int], sign: int) -> None:
        for key, n in counts.items():
            self.due[(*dims, *key)] += sign * n

    def add_events(self, dims: Dims, counts: dict[str, int], sign: int) -> None:
        for key, n in counts.items():
            month, result = key.split(":")
            self.events[(*dims, int(month), result)] += sign * n

    def flush(self) -> None:
        _upsert(StatusCount, ("status",), self.status)
        _upsert(DueCount, ("due_month", "met_month", "on_time"), self.due)
        _upsert(EventCount, ("month", "result"), self.events)
        self.__init__()


DIM_COLUMNS = ("region_id", "category_id", "usage", "owner_kind", "key_supervised")


def _upsert(model, extra: tuple[str, ...], deltas: Counter) -> None:
    rows = sorted((k, n) for k, n in deltas.items() if n)
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    cols = (*DIM_COLUMNS, *extra)
    conflict = ", ".join(cols)
    one = "(" + ", ".join(["%s"] * (len(cols) + 1)) + ")"
    with connection.cursor() as cur:
        for start in range(0, len(rows), 500):
            chunk = rows[start:start + 500]
            sql = (f"INSERT INTO {table} ({', '.join(cols)}, n) VALUES {', '.join([one] * len(chunk))} "  # noqa: S608
                   f"ON CONFLICT ({conflict}) DO UPDATE SET n = {table}.n + excluded.n")  # (our own names only)
            cur.execute(sql, [v for key, n in chunk for v in (*key, n)])


def scope_filter(*, regions: Iterable[str] | None = None, categories: Iterable[int] | None = None,
                 usages: Iterable[str] | None = None, owner_kinds: Iterable[str] | None = None,
                 key_only: bool = False) -> Q:
    """The scope S of a rate as a filter on the counters (regions: county-level codes)."""
    q = Q()
    if regions is not None:
        q &= Q(region_id__in=list(regions))
    if categories is not None:
        q &= Q(category_id__in=list(categories))
    if usages is not None:
        q &= Q(usage__in=list(usages))
    if owner_kinds is not None:
        q &= Q(owner_kind__in=list(owner_kinds))
    if key_only:
        q &= Q(key_supervised=True)
    return q


def due_counts(scope: Q, period: rates.Period, by: str | None = None) -> dict:
    """rates.DueCount rows of the scope for the period's due months, grouped by ``by`` (a dimension column, e.g.
    ``"region_id"``) or all together (key None)."""
    rows = (DueCount.objects.filter(scope, due_month__gte=period.first_month, due_month__lte=period.last_month)
            .values(*([by] if by else []), "due_month", "met_month", "on_time").annotate(total=Sum("n")))
    out: dict = {}
    for r in rows:
        out.setdefault(r.get(by) if by else None, []).append(
            rates.DueCount(r["due_month"], r["met_month"], r["on_time"], r["total"]))
    return out


def event_counts(scope: Q, period: rates.Period, by: str | None = None) -> dict:
    rows = (EventCount.objects.filter(scope, month__gte=period.first_month, month__lte=period.last_month)
            .values(*([by] if by else []), "month", "result").annotate(total=Sum("n")))
    out: dict = {}
    for r in rows:
        out.setdefault(r.get(by) if by else None, []).append(rates.EventCount(r["month"], r["result"], r["total"]))
    return out


def status_counts(scope: Q, by: str | None = None) -> dict:
    """{group: {status: n}} of the instruments in the scope today (as of the last calendar advance)."""
    rows = StatusCount.objects.filter(scope).values(*([by] if by else []), "status").annotate(total=Sum("n"))
    out: dict = {}
    for r in rows:
        if r["total"]:
            out.setdefault(r.get(by) if by else None, {})[r["status"]] = r["total"]
    return out
