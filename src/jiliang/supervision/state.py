"""Keeping each instrument's supervision state, its due occurrences and the counters current.

:func:`refresh` recomputes one or many instruments from the registry and their events (lifecycle.py) and moves the
counters by the difference, in the caller's transaction; :func:`advance_calendar` moves the statuses that change
with the date alone (valid → due soon → overdue or service life ended; counted → not counted), for the daily job.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from jiliang.core.bulk import Prototype, fast_insert, hash_joins, id_chunks
from jiliang.registry.models import LAPSED_STATUSES, Instrument, Usage

from . import lifecycle, rates
from .counters import Deltas
from .models import DueOccurrence, InstrumentState, Status, SupervisionSettings, VerificationEvent

MANDATORY_USAGES = (Usage.TRADE, Usage.SAFETY, Usage.MEDICAL, Usage.ENVIRONMENT)


class KeySet:
    """The "key supervised" set (重点监管计量器具) the provincial administrator edits: mandatory instruments of the
    chosen categories (all, if none chosen) and usages (the four of 计量法 Art. 9, if none chosen)."""

    def __init__(self, settings: SupervisionSettings) -> None:
        self.categories = set(settings.key_categories.values_list("pk", flat=True)) if settings.pk else set()
        self.usages = set(settings.key_usages or MANDATORY_USAGES)

    def __contains__(self, instrument) -> bool:
        return bool(instrument.mandatory and instrument.usage in self.usages
                    and (not self.categories or instrument.category_id in self.categories))


def facts_of(instrument, today: dt.date) -> lifecycle.Facts:
    return _facts(instrument.mandatory, instrument.category.verification_mode, instrument.installation_date,
                  instrument.status, instrument.status_date, today)


def _facts(mandatory, mode, installation_date, status, status_date, today: dt.date) -> lifecycle.Facts:
    counted_until = None
    if status in LAPSED_STATUSES:
        counted_until = status_date or today
    return lifecycle.Facts(counted=bool(mandatory), mode=mode or "", in_service_on=installation_date,
                           counted_until=counted_until)


class _Row(NamedTuple):
    """The registry columns a refresh reads of an instrument (a values_list row: no model instances, which cost
    more than the whole computation when hundreds of thousands of meters are registered at once)."""

    pk: int
    region_id: str
    owner_id: int
    category_id: int
    usage: str
    owner_kind: str
    mandatory: bool
    status: str
    status_date: dt.date | None
    installation_date: dt.date | None
    mode: str | None


_ROW_COLUMNS = ("pk", "region_id", "owner_id", "category_id", "usage", "owner__kind", "mandatory", "status",
                "status_date", "installation_date", "category__verification_mode")


def dims_of(state: InstrumentState) -> tuple:
    return (state.region_id, state.category_id, state.usage, state.owner_kind, state.key_supervised)


def _event_keys(facts: lifecycle.Facts, events: list[lifecycle.Event]) -> dict[str, int]:
    if not facts.counted:
        return {}
    counted = [e for e in events if facts.counted_until is None or e.on < facts.counted_until]
    return {f"{m}:{r}": n for (m, r), n in rates.event_counts(counted).items()}


def refresh(instrument_ids: Iterable[int], today: dt.date | None = None, *, setwise: bool = True) -> int:
    """Recompute the state of these instruments and move the counters; returns how many were refreshed. Runs in
    the caller's transaction (atomic on its own otherwise) and locks the instruments' state rows.

    Instruments without a state row yet, in service (not lapsed) and with at most one verification (a bulk
    registration, with or without its first verification) are computed set-wise in SQL (:func:`_insert_new`);
    the others, or all with ``setwise=False``, row by row from lifecycle.py."""
    ids = sorted(set(instrument_ids))
    if not ids:
        return 0
    today = today or timezone.localdate()
    settings = SupervisionSettings.current()
    keys = KeySet(settings)
    done = 0
    with transaction.atomic():
        if setwise:
            new = _insert_new(ids, today, settings.lead_days, keys)
            done += len(new)
            rest = sorted(set(ids) - new)
        else:
            rest = ids
        # Larger steps on PostgreSQL (fewer round trips for a bulk import); SQLite keeps its IN lists short.
        step = 5000 if connection.vendor == "postgresql" else 500
        for start in range(0, len(rest), step):
            done += _refresh_chunk(rest[start:start + step], today, settings.lead_days, keys)
        from .notices import after_refresh  # a verification may comply an open notice

        after_refresh(ids, today)
    return done


def _refresh_chunk(ids: list[int], today: dt.date, lead_days: int, keys: KeySet) -> int:
    instruments = {r[0]: _Row(*r) for r in Instrument.objects.filter(pk__in=ids).values_list(*_ROW_COLUMNS)}
    states = {s.pk: s for s in InstrumentState.objects.select_for_update().filter(pk__in=ids)}
    events: dict[int, list[lifecycle.Event]] = defaultdict(list)  # as VerificationEvent.as_lifecycle gives them
    for pk, instrument_id, on, result, next_due in (
            VerificationEvent.objects.filter(instrument_id__in=ids, void=False).order_by("verified_on", "pk")
            .values_list("pk", "instrument_id", "verified_on", "result", "next_due")):
        events[instrument_id].append(lifecycle.Event(pk, on, result, next_due))
    old_occ: dict[int, list[lifecycle.Occurrence]] = defaultdict(list)
    if states:  # an instrument without a state row has no occurrences either (both are written together)
        for instrument_id, due, met_on, first in (DueOccurrence.objects.filter(instrument_id__in=ids)
                                                  .values_list("instrument_id", "due", "met_on", "first")):
            old_occ[instrument_id].append(lifecycle.Occurrence(due, met_on, first))

    deltas = Deltas()
    new_state, new_occurrence = Prototype(InstrumentState), Prototype(DueOccurrence)  # (no model __init__ per row)
    new_rows: list[DueOccurrence] = []
    to_create, to_update = [], []
    for pk in ids:
        inst = instruments.get(pk)
        old = states.get(pk)
        if old is not None:
            old_dims = dims_of(old)
            deltas.add_status(old_dims, old.status, -1)
            deltas.add_occurrences(old_dims, rates.occurrence_counts(old_occ[pk]), -1)
            deltas.add_events(old_dims, old.event_counts or {}, -1)
        if inst is None:  # deleted: its state row went with it (CASCADE); only the counters remain to move
            continue
        facts = _facts(inst.mandatory, inst.mode, inst.installation_date, inst.status, inst.status_date, today)
        evs = events[pk]
        base, next_due = lifecycle.base_of(facts, evs)
        state = old or new_state(instrument_id=pk)
        state.region_id, state.owner_id, state.category_id = inst.region_id, inst.owner_id, inst.category_id
        state.usage, state.owner_kind = inst.usage, inst.owner_kind
        state.key_supervised = inst in keys
        state.mode = facts.mode
        state.base, state.next_due, state.counted_until = base, next_due, facts.counted_until
        state.status = lifecycle.status_from_base(base, next_due, facts.mode, today, lead_days, facts.counted_until)
        state.status_on = today
        state.last_event_id = evs[-1].key if evs else None
        state.event_counts = _event_keys(facts, evs)
        occ = lifecycle.occurrences(facts, evs)
        dims = dims_of(state)
        deltas.add_status(dims, state.status, 1)
        deltas.add_occurrences(dims, rates.occurrence_counts(occ), 1)
        deltas.add_events(dims, state.event_counts, 1)
        new_rows.extend(new_occurrence(instrument_id=pk, due=o.due, met_on=o.met_on, first=o.first) for o in occ)
        (to_update if old is not None else to_create).append(state)
    if states:  # (see above)
        DueOccurrence.objects.filter(instrument_id__in=ids).delete()
    fast_insert(DueOccurrence, new_rows, batch_size=1000)  # COPY on PostgreSQL
    if to_create:
        fast_insert(InstrumentState, to_create, batch_size=1000)
    if to_update:
        update_rows(InstrumentState, to_update, STATE_FIELDS)
    deltas.flush()
    return len(to_create) + len(to_update)


def _month_text(column: str) -> str:
    """SQL for a date column as the text yyyymm (lifecycle.month_key)."""
    if connection.vendor == "postgresql":
        return f"to_char({column}, 'YYYYMM')"
    return f"strftime('%%Y%%m', {column})"


def _insert_new(ids: list[int], today: dt.date, lead_days: int, keys: KeySet) -> set[int]:
    """The state rows, due occurrences and counters of the instruments among ``ids`` that have no state row, are
    not lapsed and have at most one verification, written by ``INSERT … SELECT`` (no row read into Python); returns
    their ids. The SQL is lifecycle.py's rules for that case, which :func:`_refresh_chunk` applies row by row:

    * counted = mandatory (not lapsed, so counted_until is none);
    * base: not counted; never verified (no event); failed (its result is fail); else valid, next due the event's;
    * status from the base on ``today`` (lifecycle.status_from_base: overdue or service life ended once the next
      due is past, due soon within the lead days);
    * occurrences (counted only): the first, due the installation date, met by the event's date; for periodic
      categories a passed event with a validity adds the next one, not met;
    * event counts (counted only): {"yyyymm:result": 1} of the event.

    tests/supervision/test_state_setwise.py compares both paths on the same instruments."""
    from .models import FilingState

    lapsed = sorted(str(s) for s in LAPSED_STATUSES)
    eligible = ("SELECT i.id FROM registry_instrument i WHERE {where} "  # noqa: S608  (our names; values as params)
                f"AND i.status NOT IN ({', '.join(['%s'] * len(lapsed))}) "
                "AND NOT EXISTS (SELECT 1 FROM supervision_instrumentstate s WHERE s.instrument_id = i.id) "
                "AND (SELECT COUNT(*) FROM supervision_verificationevent e WHERE e.instrument_id = i.id "
                "AND NOT e.void) <= 1")
    new: list[int] = []
    with connection.cursor() as cur:
        for where, params in id_chunks(ids, 50_000):
            cur.execute(eligible.replace("{where}", where.format(col="i.id")), [*params, *lapsed])
            new += [r[0] for r in cur.fetchall()]
    if not new:
        return set()
    new.sort()
    ops = connection.ops
    day, horizon = ops.adapt_datefield_value(today), ops.adapt_datefield_value(today + dt.timedelta(days=lead_days))
    if connection.vendor == "postgresql":
        counts = f"CASE WHEN i.mandatory AND e.id IS NOT NULL THEN jsonb_build_object({_month_text('e.verified_on')} " \
                 "|| ':' || e.result, 1) ELSE '{}'::jsonb END"
    else:
        counts = f"CASE WHEN i.mandatory AND e.id IS NOT NULL THEN json_object({_month_text('e.verified_on')} " \
                 "|| ':' || e.result, 1) ELSE '{}' END"
    key_sql, key_params = "i.mandatory", []
    key_sql += " AND i.usage IN (" + ", ".join(["%s"] * len(keys.usages)) + ")"
    key_params += sorted(keys.usages)
    if keys.categories:
        key_sql += " AND i.category_id IN (" + ", ".join(["%s"] * len(keys.categories)) + ")"
        key_params += sorted(keys.categories)
    joins = ("FROM registry_instrument i JOIN registry_organisation o ON o.id = i.owner_id "
             "JOIN registry_instrumentcategory c ON c.id = i.category_id "
             "LEFT JOIN supervision_verificationevent e ON e.instrument_id = i.id AND NOT e.void AND {ewhere} ")
    # ({ewhere}: the same ids on the events' side, so that the events are read by index, not all of them per step)
    # (S608: every name and fragment below is this module's own; values go as parameters)
    states = (
        "INSERT INTO supervision_instrumentstate "  # noqa: S608
        "(instrument_id, region_id, owner_id, category_id, usage, owner_kind, key_supervised, mode, base, status, "
        "status_on, next_due, counted_until, last_event_id, filing_state, designated_institution_id, event_counts) "
        "SELECT t.id, t.region_id, t.owner_id, t.category_id, t.usage, t.kind, t.key_supervised, t.mode, t.base, "
        "CASE WHEN t.base <> %s OR t.next_due IS NULL THEN t.base "
        "WHEN t.next_due < %s THEN CASE WHEN t.mode = %s THEN %s ELSE %s END "
        "WHEN t.next_due <= %s THEN %s ELSE %s END, "
        "%s, t.next_due, NULL, t.event_id, %s, NULL, t.counts FROM ("
        "SELECT i.id, i.region_id, i.owner_id, i.category_id, i.usage, o.kind, "
        f"CASE WHEN {key_sql} THEN %s ELSE %s END AS key_supervised, "
        "COALESCE(c.verification_mode, '') AS mode, "
        "CASE WHEN NOT i.mandatory THEN %s WHEN e.id IS NULL THEN %s WHEN e.result = %s THEN %s ELSE %s END AS base, "
        "CASE WHEN i.mandatory AND e.result <> %s THEN e.next_due END AS next_due, e.id AS event_id, "
        f"{counts} AS counts {joins} WHERE {{where}}) t")
    state_params = [lifecycle.VALID, day, lifecycle.FIRST_ONLY_ROTATE, lifecycle.LIFE_ENDED, lifecycle.OVERDUE,
                    horizon, lifecycle.DUE_SOON, lifecycle.VALID, day, str(FilingState.UNFILED), *key_params, True,
                    False, lifecycle.NOT_COUNTED, lifecycle.NEVER_VERIFIED, lifecycle.FAIL, lifecycle.FAILED,
                    lifecycle.VALID, lifecycle.FAIL]
    occurrences = (  # noqa: S608
        "INSERT INTO supervision_dueoccurrence (instrument_id, due, met_on, first) "
        f"SELECT i.id, i.installation_date, e.verified_on, %s {joins} "
        "WHERE i.mandatory AND i.installation_date IS NOT NULL AND {where} "
        f"UNION ALL SELECT i.id, e.next_due, NULL, %s {joins} "
        "WHERE i.mandatory AND c.verification_mode = %s AND e.result = %s AND e.next_due IS NOT NULL AND {where}")
    deltas = Deltas()
    dims = "s.region_id, s.category_id, s.usage, s.owner_kind, s.key_supervised"
    with connection.cursor() as cur, hash_joins(cur):
        for where, params in id_chunks(new, 50_000):
            on_i, on_e = where.format(col="i.id"), where.format(col="e.instrument_id")
            cur.execute(states.replace("{where}", on_i).replace("{ewhere}", on_e), [*state_params, *params, *params])
            cur.execute(occurrences.replace("{where}", on_i).replace("{ewhere}", on_e),
                        [True, *params, *params, False, *params, lifecycle.PERIODIC, lifecycle.PASS, *params])
            state_where = where.format(col="s.instrument_id")
            cur.execute(f"SELECT {dims}, s.status, COUNT(*) FROM supervision_instrumentstate s WHERE {state_where} "  # noqa: S608
                        f"GROUP BY {dims}, s.status", params)
            for *d, status, n in cur.fetchall():
                deltas.add_status(tuple(d), status, n)
            cur.execute(f"SELECT {dims}, d.due, d.met_on, COUNT(*) FROM supervision_dueoccurrence d "  # noqa: S608
                        f"JOIN supervision_instrumentstate s ON s.instrument_id = d.instrument_id WHERE {state_where} "
                        f"AND {where.format(col='d.instrument_id')} GROUP BY {dims}, d.due, d.met_on",
                        [*params, *params])
            for *d, due, met_on, n in cur.fetchall():
                due, met_on = _day(due), _day(met_on)
                occ = lifecycle.Occurrence(due, met_on)
                deltas.add_occurrences(tuple(d), {(lifecycle.month_key(due), lifecycle.month_key(met_on),
                                                   occ.on_time): n}, 1)
            cur.execute(f"SELECT {dims}, e.verified_on, e.result, COUNT(*) FROM supervision_instrumentstate s "  # noqa: S608
                        f"JOIN supervision_verificationevent e ON e.id = s.last_event_id "
                        f"WHERE s.base <> %s AND {state_where} AND {on_e} GROUP BY {dims}, e.verified_on, e.result",
                        [lifecycle.NOT_COUNTED, *params, *params])
            for *d, on, result, n in cur.fetchall():
                deltas.add_events(tuple(d), {f"{lifecycle.month_key(_day(on))}:{result}": n}, 1)
    deltas.flush()
    return set(new)


def _day(value) -> dt.date | None:
    """A date as the database returns it (SQLite: text)."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


STATE_FIELDS = ["region", "owner", "category", "usage", "owner_kind", "key_supervised", "mode", "base", "next_due",
                "counted_until", "status", "status_on", "last_event", "event_counts"]


def update_rows(model, objs: list, names: list[str], batch: int = 1000) -> None:
    """``bulk_update`` of ``names``, on PostgreSQL as one ``UPDATE … FROM (VALUES …)`` per batch: Django's
    ``CASE WHEN pk = … THEN …`` form costs PostgreSQL time quadratic in the batch (4.9 s for 1,000 state rows in
    bench/supervision_record_ingest.py, against milliseconds this way)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        model.objects.bulk_update(objs, names, batch_size=batch)
        return
    meta = model._meta
    fields = [meta.get_field(n) for n in names]
    pk = meta.pk
    columns = [pk, *fields]
    casts = [f"%s::{f.db_type(connection) if not f.is_relation else f.target_field.db_type(connection)}"
             for f in columns]
    casts = [c.replace("::serial", "::integer").replace("::bigserial", "::bigint") for c in casts]
    row_sql = "(" + ", ".join(casts) + ")"
    sets = ", ".join(f'"{f.column}" = v."{f.column}"' for f in fields)
    names_sql = ", ".join(f'"{f.column}"' for f in columns)
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch):
            chunk = objs[start:start + batch]
            params = []
            for obj in chunk:
                params.extend(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns)
            values = ", ".join([row_sql] * len(chunk))
            sql = (f'UPDATE "{meta.db_table}" AS t SET {sets} FROM (VALUES {values}) '  # noqa: S608 - model's names
                   f'AS v({names_sql}) WHERE t."{pk.column}" = v."{pk.column}"')
            cursor.execute(sql, params)


def advance_calendar(today: dt.date | None = None, batch: int = 5000) -> int:
    """Move every status that the date alone changes to ``today``'s; returns how many moved. Idempotent: a second
    run on the same day moves nothing."""
    today = today or timezone.localdate()
    lead_days = SupervisionSettings.current().lead_days
    horizon = today + dt.timedelta(days=lead_days)
    candidates = (InstrumentState.objects.filter(base=Status.VALID, next_due__lte=horizon,
                                                 status__in=(Status.VALID, Status.DUE_SOON))
                  | InstrumentState.objects.filter(counted_until__lte=today).exclude(status=Status.NOT_COUNTED))
    moved = 0
    last = 0
    while True:
        with transaction.atomic():
            rows = list(candidates.filter(pk__gt=last).select_for_update().order_by("pk")[:batch])
            if not rows:
                return moved
            last = rows[-1].pk
            deltas = Deltas()
            changed = []
            for s in rows:
                new = lifecycle.status_from_base(s.base, s.next_due, s.mode, today, lead_days, s.counted_until)
                if new != s.status:
                    deltas.add_status(dims_of(s), s.status, -1)
                    deltas.add_status(dims_of(s), new, 1)
                    s.status = new
                    changed.append(s)
                s.status_on = today
            InstrumentState.objects.bulk_update(rows, ["status", "status_on"], batch_size=1000)
            deltas.flush()
            moved += len(changed)


def missing(batch: int = 5000) -> list[int]:
    """Instruments without a state row (registered in bulk, or before the app was installed)."""
    return list(Instrument.objects.filter(supervision__isnull=True).order_by("pk").values_list("pk", flat=True)[:batch])


def forget(instrument_ids: Iterable[int]) -> None:
    """Take instruments about to be deleted out of the counters (their rows go with them)."""
    ids = list(instrument_ids)
    deltas = Deltas()
    occ: dict[int, list[lifecycle.Occurrence]] = defaultdict(list)
    for o in DueOccurrence.objects.filter(instrument_id__in=ids):
        occ[o.instrument_id].append(lifecycle.Occurrence(o.due, o.met_on, o.first))
    for s in InstrumentState.objects.select_for_update().filter(pk__in=ids):
        deltas.add_status(dims_of(s), s.status, -1)
        deltas.add_occurrences(dims_of(s), rates.occurrence_counts(occ[s.pk]), -1)
        deltas.add_events(dims_of(s), s.event_counts or {}, -1)
    deltas.flush()
    DueOccurrence.objects.filter(instrument_id__in=ids).delete()
    InstrumentState.objects.filter(pk__in=ids).delete()
