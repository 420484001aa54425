"""Rates from the incremental counters equal a brute-force recount of random histories (hypothesis).

Histories are built step by step through the real path (events saved, state.refresh after each change, events
voided, instruments moved to another county or retired), then every rate of rates.py, read from the counters by
region and for the province, is compared with a naive recount of the final histories written here
independently of lifecycle.occurrences: a due date is met on time when some verification falls after the one that
set it (or, for the first, at all) and on or before the due date.
"""

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiliang.registry.models import Instrument
from jiliang.supervision import counters, rates, state
from jiliang.supervision.models import InstrumentState, StatusCount, VerificationEvent

D0 = dt.date(2023, 1, 1)
TODAY = dt.date(2025, 6, 15)
COUNTIES = ("320583", "320102")


class Rollback(Exception):
    pass


event_st = st.tuples(st.integers(0, 900), st.booleans(), st.integers(60, 500), st.booleans())
instrument_st = st.fixed_dictionaries({
    "install": st.one_of(st.none(), st.integers(0, 700)),
    "events": st.lists(event_st, max_size=5),
    "county": st.sampled_from(COUNTIES),
    "move": st.booleans(),
    "retire": st.one_of(st.none(), st.integers(100, 900)),
})


def brute(histories, period, region=None):
    due = on_time = by_end = passed = concluded = 0
    for h in histories:
        if region and h["county"] != region:
            continue
        evs = sorted(h["live"])
        until = h["retired_on"]
        dues = []
        if h["install"] is not None:
            dues.append((h["install"], None))
        for on, k, ok, valid in evs:
            if ok:
                dues.append((valid, (on, k)))
        for d, set_by in dues:
            if until is not None and d >= until:
                continue
            if not (period.start <= d <= period.end):
                continue
            due += 1
            # verifications recorded after the one that set the due date (same-day ones in recorded order)
            after = [on for on, k, _ok, _v in evs if set_by is None or (on, k) > set_by]
            first = min(after) if after else None
            on_time += first is not None and first <= d
            by_end += first is not None and first <= period.end
        for on, _k, ok, _v in evs:
            if (until is None or on < until) and period.start <= on <= period.end:
                concluded += 1
                passed += ok
    return due, on_time, by_end, passed, concluded


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(instrument_st, min_size=1, max_size=6))
def test_counters_equal_a_brute_force_recount(world, specs):
    before = InstrumentState.objects.count()  # the world's own instruments: no events, no installation date
    try:
        with transaction.atomic():
            histories = []
            for n, spec in enumerate(specs):
                inst = Instrument.objects.create(
                    owner=world.ent_ks, category=world.scale, manufacturer="M", model="P", serial_number=f"S{n}",
                    usage="trade", region_id="320583", status="in_service", mandatory=True,
                    installation_date=None if spec["install"] is None else D0 + dt.timedelta(spec["install"]))
                h = {"county": "320583", "install": inst.installation_date, "live": [], "retired_on": None}
                for k, (day, ok, valid, void) in enumerate(spec["events"]):
                    on = D0 + dt.timedelta(day)
                    e = VerificationEvent.objects.create(
                        institution=world.inst_p, number=f"N{n}-{k}", instrument=inst, source="reported",
                        kind="periodic", verified_on=on, result="pass" if ok else "fail",
                        next_due=on + dt.timedelta(valid) if ok else None)
                    state.refresh([inst.pk], TODAY)
                    if void:
                        VerificationEvent.objects.filter(pk=e.pk).update(void=True)
                        state.refresh([inst.pk], TODAY)
                    else:
                        h["live"].append((on, k, ok, e.next_due))
                if spec["move"]:
                    Instrument.objects.filter(pk=inst.pk).update(region_id="320102")
                    h["county"] = "320102"
                    state.refresh([inst.pk], TODAY)
                if spec["retire"] is not None:
                    h["retired_on"] = D0 + dt.timedelta(spec["retire"])
                    Instrument.objects.filter(pk=inst.pk).update(status="retired", status_date=h["retired_on"])
                    state.refresh([inst.pk], TODAY)
                histories.append(h)

            for period in (rates.Period.year(2023), rates.Period.year(2024), rates.Period.months(202401, 202506),
                           rates.Period.month(2024, 3)):
                for region in (None, *COUNTIES):
                    scope = counters.scope_filter(regions=[region] if region else None)
                    due_rows = counters.due_counts(scope, period).get(None, [])
                    ev_rows = counters.event_counts(scope, period).get(None, [])
                    on_time = rates.verification_rate_from_counts(due_rows, period)
                    by_end = rates.verification_rate_from_counts(due_rows, period, by_end=True)
                    passed = rates.pass_rate_from_counts(ev_rows, period)
                    got = (on_time.denominator, on_time.numerator, by_end.numerator, passed.numerator,
                           passed.denominator)
                    assert got == brute(histories, period, region), (period, region)
            # the status counters add up to one status per instrument, and match the state rows
            total = sum(StatusCount.objects.values_list("n", flat=True))
            assert total == InstrumentState.objects.count() == before + len(specs)
            assert all(n >= 0 for n in StatusCount.objects.values_list("n", flat=True))
            raise Rollback
    except Rollback:
        pass
