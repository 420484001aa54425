"""Every status transition of lifecycle.status_on, next due capped by the regulation, due occurrences."""

import datetime as dt

import pytest

from jiliang.supervision import lifecycle as lc

D = dt.date
PERIODIC = lc.Facts(counted=True, mode=lc.PERIODIC, in_service_on=D(2024, 1, 10))
ROTATE = lc.Facts(counted=True, mode=lc.FIRST_ONLY_ROTATE, in_service_on=D(2020, 3, 1))


def ev(on, result=lc.PASS, until=None, key=None):
    return lc.Event(key or on.isoformat(), on, result, until)


@pytest.mark.parametrize("facts, events, day, expected", [
    (lc.Facts(counted=False), [], D(2025, 1, 1), (lc.NOT_COUNTED, None)),
    (PERIODIC, [], D(2025, 1, 1), (lc.NEVER_VERIFIED, None)),
    (PERIODIC, [ev(D(2024, 1, 5), until=D(2025, 1, 4))], D(2024, 6, 1), (lc.VALID, D(2025, 1, 4))),
    # the 30th day before the end is "due soon", the 31st is not
    (PERIODIC, [ev(D(2024, 1, 5), until=D(2025, 1, 4))], D(2024, 12, 5), (lc.DUE_SOON, D(2025, 1, 4))),
    (PERIODIC, [ev(D(2024, 1, 5), until=D(2025, 1, 4))], D(2024, 12, 4), (lc.VALID, D(2025, 1, 4))),
    # the last day of validity is still valid; the day after it is overdue (细则 Art. 22)
    (PERIODIC, [ev(D(2024, 1, 5), until=D(2025, 1, 4))], D(2025, 1, 4), (lc.DUE_SOON, D(2025, 1, 4))),
    (PERIODIC, [ev(D(2024, 1, 5), until=D(2025, 1, 4))], D(2025, 1, 5), (lc.OVERDUE, D(2025, 1, 4))),
    (PERIODIC, [ev(D(2024, 1, 5), until=D(2025, 1, 4)), ev(D(2024, 12, 20), lc.FAIL)], D(2025, 1, 1),
     (lc.FAILED, None)),
    # repaired and verified again after failing
    (PERIODIC, [ev(D(2024, 12, 20), lc.FAIL), ev(D(2024, 12, 28), until=D(2025, 12, 27))], D(2025, 1, 1),
     (lc.VALID, D(2025, 12, 27))),
    # a verification after the day asked about does not count on that day
    (PERIODIC, [ev(D(2024, 1, 5), until=D(2025, 1, 4)), ev(D(2025, 2, 1), until=D(2026, 1, 31))], D(2025, 1, 20),
     (lc.OVERDUE, D(2025, 1, 4))),
    (ROTATE, [ev(D(2020, 2, 20), until=D(2026, 2, 19))], D(2026, 2, 20), (lc.LIFE_ENDED, D(2026, 2, 19))),
    (lc.Facts(counted=True, counted_until=D(2024, 6, 1)), [ev(D(2024, 1, 5), until=D(2025, 1, 4))], D(2024, 6, 1),
     (lc.NOT_COUNTED, None)),
])
def test_status_on(facts, events, day, expected):
    assert lc.status_on(facts, events, day) == expected
    base, due = lc.base_of(facts, [e for e in events if e.on <= day])
    assert lc.status_from_base(base, due, facts.mode, day, counted_until=facts.counted_until) == expected[0]


def test_lead_time_is_configurable():
    events = [ev(D(2024, 1, 5), until=D(2025, 1, 4))]
    assert lc.status_on(PERIODIC, events, D(2024, 11, 20), lead_days=60)[0] == lc.DUE_SOON
    assert lc.status_on(PERIODIC, events, D(2024, 11, 20), lead_days=30)[0] == lc.VALID


def test_next_due_capped_by_the_regulations_period():
    # 1987 measures Art. 6: the institution sets the period, within the JJG maximum (here 12 months)
    assert lc.capped_validity(D(2024, 1, 31), D(2026, 1, 1), 12) == D(2025, 1, 30)
    assert lc.capped_validity(D(2024, 1, 31), D(2024, 7, 30), 12) == D(2024, 7, 30)
    assert lc.capped_validity(D(2024, 1, 31), None, 12) == D(2025, 1, 30)
    assert lc.capped_validity(D(2024, 1, 31), D(2030, 1, 1), None) == D(2030, 1, 1)


def test_occurrences_met_on_time_late_or_not():
    events = [ev(D(2024, 1, 5), until=D(2025, 1, 4)), ev(D(2025, 2, 1), until=D(2026, 1, 31))]
    occ = lc.occurrences(PERIODIC, events)
    assert occ == [lc.Occurrence(D(2024, 1, 10), D(2024, 1, 5), True),  # verified before use
                   lc.Occurrence(D(2025, 1, 4), D(2025, 2, 1)),  # late
                   lc.Occurrence(D(2026, 1, 31), None)]  # not yet
    assert [o.on_time for o in occ] == [True, False, False]


def test_failed_verification_sets_no_due_and_first_only_meters_only_their_first():
    assert lc.occurrences(PERIODIC, [ev(D(2024, 1, 5), lc.FAIL)]) == [lc.Occurrence(D(2024, 1, 10), D(2024, 1, 5),
                                                                                    True)]
    assert lc.occurrences(ROTATE, [ev(D(2020, 2, 20), until=D(2026, 2, 19))]) == [
        lc.Occurrence(D(2020, 3, 1), D(2020, 2, 20), True)]


def test_no_occurrence_after_the_instrument_left_service():
    facts = lc.Facts(counted=True, in_service_on=D(2024, 1, 10), counted_until=D(2025, 1, 1))
    assert [o.due for o in lc.occurrences(facts, [ev(D(2024, 1, 5), until=D(2025, 1, 4))])] == [D(2024, 1, 10)]
    assert lc.occurrences(lc.Facts(counted=False, in_service_on=D(2024, 1, 1)), []) == []
