"""supervision.state.refresh computes new instruments set-wise in SQL (state._insert_new) and the others row by row
(state._refresh_chunk): both must give the same state rows, due occurrences and counters. Instruments are written
behind the signals' back (bulk_create), refreshed set-wise, taken out again (state.forget) and refreshed row by row;
the two results are compared field by field, counters included."""

import datetime as dt

from jiliang.registry import models as m
from jiliang.supervision import state
from jiliang.supervision.models import (
    DueCount,
    DueOccurrence,
    EventCount,
    InstrumentState,
    StatusCount,
    SupervisionSettings,
    VerificationEvent,
)

TODAY = dt.date(2025, 6, 15)


def _instruments(world):
    """Instruments of every case the SQL distinguishes: periodic and first-only-rotate categories, mandatory or not,
    key usage or not, installed or not; no event, passed (far, soon, past, no validity), failed, a void one, two
    events and a lapsed instrument (both for the row-by-row path)."""
    rotate = m.InstrumentCategory.objects.filter(verification_mode="first_only_rotate").order_by("code").first()
    assert rotate is not None and world.scale.verification_mode == "periodic"
    cases = [  # (category, mandatory, usage, installed, status, events: (on, result, next_due, void))
        (world.scale, True, "trade", dt.date(2024, 3, 1), "in_service", []),
        (world.scale, True, "trade", None, "registered", []),
        (world.scale, False, "other", dt.date(2024, 3, 1), "in_service", [(dt.date(2024, 2, 1), "pass",
                                                                          dt.date(2025, 1, 31), False)]),
        (world.scale, True, "trade", dt.date(2024, 3, 1), "in_service", [(dt.date(2024, 2, 1), "pass",
                                                                          dt.date(2026, 1, 31), False)]),
        (world.scale, True, "trade", dt.date(2024, 7, 1), "in_service", [(dt.date(2024, 7, 2), "pass",
                                                                          dt.date(2025, 7, 1), False)]),
        (world.scale, True, "trade", dt.date(2023, 3, 1), "in_service", [(dt.date(2023, 2, 1), "pass",
                                                                          dt.date(2024, 1, 31), False)]),
        (world.scale, True, "trade", dt.date(2024, 3, 1), "in_service", [(dt.date(2024, 2, 1), "pass", None,
                                                                          False)]),
        (world.scale, True, "trade", dt.date(2024, 3, 1), "in_service", [(dt.date(2024, 2, 1), "fail", None,
                                                                          False)]),
        (world.scale, True, "safety", dt.date(2024, 3, 1), "in_service", [(dt.date(2024, 2, 1), "pass",
                                                                           dt.date(2026, 1, 31), True)]),
        (rotate, True, "trade", dt.date(2019, 5, 1), "in_service", [(dt.date(2019, 4, 20), "pass",
                                                                     dt.date(2025, 4, 19), False)]),
        (rotate, True, "trade", dt.date(2024, 5, 1), "in_service", [(dt.date(2024, 4, 20), "pass",
                                                                     dt.date(2030, 4, 19), False)]),
        (rotate, True, "trade", dt.date(2024, 5, 1), "in_service", [(dt.date(2024, 4, 20), "fail", None, False)]),
        (rotate, True, "trade", None, "registered", [(dt.date(2024, 4, 20), "pass", dt.date(2030, 4, 19), False)]),
        # the row-by-row path: two events, a lapsed instrument
        (world.scale, True, "trade", dt.date(2023, 3, 1), "in_service", [
            (dt.date(2023, 2, 1), "pass", dt.date(2024, 1, 31), False),
            (dt.date(2024, 1, 20), "pass", dt.date(2025, 1, 19), False)]),
        (world.scale, True, "trade", dt.date(2023, 3, 1), "retired", [(dt.date(2023, 2, 1), "pass",
                                                                       dt.date(2024, 1, 31), False)]),
    ]
    made = m.Instrument.objects.bulk_create([m.Instrument(
        owner=world.ent_ks, category=category, manufacturer="SW", model="X", serial_number=f"SW-{n}", usage=usage,
        region_id="320583", installation_date=installed, status=status, mandatory=mandatory,
        status_date=dt.date(2025, 1, 10) if status == "retired" else None)
        for n, (category, mandatory, usage, installed, status, _e) in enumerate(cases)])
    if made[0].pk is None:  # (SQLite before 3.35 returns no ids)
        made = list(m.Instrument.objects.filter(serial_number__startswith="SW-").order_by("pk"))
    for inst, case in zip(made, cases, strict=True):
        for k, (on, result, next_due, void) in enumerate(case[5]):
            VerificationEvent.objects.bulk_create([VerificationEvent(
                institution=world.inst_p, number=f"SW-{inst.pk}-{k}", instrument=inst, source="reported",
                kind="first" if k == 0 else "periodic", verified_on=on, result=result, next_due=next_due,
                void=void)])
    return [i.pk for i in made]


def _snapshot(ids):
    states = {s["instrument_id"]: s for s in InstrumentState.objects.filter(pk__in=ids).values()}
    occurrences = sorted(DueOccurrence.objects.filter(instrument_id__in=ids).values_list(
        "instrument_id", "due", "met_on", "first"))
    counters = {model.__name__: sorted(tuple(v for k, v in r.items() if k != "id")
                                       for r in model.objects.exclude(n=0).values())
                for model in (StatusCount, DueCount, EventCount)}
    return states, occurrences, counters


def test_setwise_and_row_by_row_refresh_agree(world, monkeypatch):
    SupervisionSettings.objects.update_or_create(pk=1, defaults={"lead_days": 30})
    ids = _instruments(world)
    row_by_row = []
    chunk = state._refresh_chunk

    def spy(chunk_ids, *args):
        row_by_row.extend(chunk_ids)
        return chunk(chunk_ids, *args)

    monkeypatch.setattr(state, "_refresh_chunk", spy)
    assert state.refresh(ids, TODAY) == len(ids)
    assert row_by_row == ids[-2:]  # only the instrument with two events and the retired one
    setwise = _snapshot(ids)
    statuses = {s["status"] for s in setwise[0].values()}
    assert {"valid", "due_soon", "overdue", "failed", "never_verified", "life_ended", "not_counted"} <= statuses
    assert len(setwise[1]) >= 10

    state.forget(ids)
    assert not InstrumentState.objects.filter(pk__in=ids).exists()
    row_by_row.clear()
    assert state.refresh(ids, TODAY, setwise=False) == len(ids)
    assert row_by_row == ids
    assert _snapshot(ids) == setwise


def test_a_second_refresh_of_new_instruments_goes_row_by_row_and_changes_nothing(world, monkeypatch):
    ids = _instruments(world)
    state.refresh(ids, TODAY)
    first = _snapshot(ids)
    calls = []
    chunk = state._refresh_chunk
    monkeypatch.setattr(state, "_refresh_chunk", lambda chunk_ids, *a: calls.append(len(chunk_ids)) or chunk(
        chunk_ids, *a))
    state.refresh(ids, TODAY)
    assert sum(calls) == len(ids)  # they have state rows now
    assert _snapshot(ids) == first
