"""The demo province's supervision (issue 13, item 9): verification histories of every mandatory instrument, the
counters equal to a recount, rates by city like a real province's, all the statuses the bureaus work on, filings
in every state, record conflicts."""

import datetime as dt
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command
from django.utils import timezone

from jiliang.registry import models as m
from jiliang.supervision import lifecycle, rates, state
from jiliang.supervision.models import (
    DueCount,
    DueOccurrence,
    EventCount,
    EventSource,
    FilingEntry,
    FilingState,
    InstrumentState,
    RecordConflict,
    Result,
    StatusCount,
    VerificationEvent,
)

IN_SERVICE = ("in_service", "registered")


def counters() -> dict:
    """Every counter row with a non-zero count, by model and key."""
    found = {}
    for model, extra in ((StatusCount, ("status",)), (DueCount, ("due_month", "met_month", "on_time")),
                         (EventCount, ("month", "result"))):
        for row in model.objects.exclude(n=0).values(*DueCount.DIMENSIONS, *extra, "n"):
            n = row.pop("n")
            found[(model.__name__, *row.values())] = n
    return found


def last_twelve_months(today: dt.date) -> rates.Period:
    return rates.Period.months(lifecycle.month_key(lifecycle.add_months(today, -12)),
                               lifecycle.month_key(lifecycle.add_months(today, -1)))


@pytest.fixture
def demo(reference_data):
    call_command("demo", scale=3000, seed=7)
    return timezone.localdate()


@pytest.mark.django_db
def test_every_mandatory_instrument_has_a_history_or_is_deliberately_never_verified(demo):
    today = demo
    window = lifecycle.add_months(today, -36)
    events = defaultdict(list)
    for e in VerificationEvent.objects.filter(void=False):
        events[e.instrument_id].append(e)
    states = {s.pk: s for s in InstrumentState.objects.all()}
    assert len(states) == m.Instrument.objects.count()  # every instrument has its state
    counted = m.Instrument.objects.filter(mandatory=True, status__in=IN_SERVICE).select_related("category")
    never = 0
    for inst in counted:
        if not events[inst.pk]:
            assert states[inst.pk].status == lifecycle.NEVER_VERIFIED, inst.pk
            never += 1
            continue
        first = min(e.verified_on for e in events[inst.pk])
        assert first <= inst.installation_date + dt.timedelta(days=1), (inst.pk, first, inst.installation_date)
        if inst.category.verification_mode == lifecycle.PERIODIC:
            assert any(e.verified_on >= window for e in events[inst.pk]), inst.pk
    assert 0 < never < counted.count() * 0.03
    # the history spans three years and more, every year of it
    years = {d.year for d in VerificationEvent.objects.dates("verified_on", "year")}
    assert {today.year - 3, today.year - 2, today.year - 1, today.year} <= years
    for e in VerificationEvent.objects.select_related("institution", "instrument"):
        assert e.verified_on <= today, e.number
        assert e.next_due is None or e.next_due >= e.verified_on, e.number
        assert (e.result == Result.FAIL) == (e.next_due is None), e.number
        if e.source == EventSource.REPORTED:
            assert e.institution.kind == "institute", e.number
    for inst_id, evs in events.items():  # one first verification, the earliest
        firsts = [e for e in evs if e.kind == "first"]
        assert len(firsts) <= 1 and (not firsts or firsts[0].verified_on == min(e.verified_on for e in evs)), inst_id
    kinds = Counter(VerificationEvent.objects.values_list("kind", flat=True))
    assert {"first", "periodic", "after_repair"} <= set(kinds)
    # the certificates issued through jiliang are part of the history
    assert VerificationEvent.objects.filter(source=EventSource.CERTIFICATE).exists()
    # instruments put in service during the period get their first verification
    assert VerificationEvent.objects.filter(kind="first", verified_on__gte=today - dt.timedelta(days=365)).exists()


@pytest.mark.django_db
def test_counters_equal_a_recount_of_everything(demo):
    built = counters()
    assert built
    # recount from nothing: no states, no occurrences, no counters, then every instrument refreshed
    for model in (StatusCount, DueCount, EventCount, DueOccurrence, InstrumentState):
        model.objects.all().delete()
    state.refresh(m.Instrument.objects.values_list("pk", flat=True), demo)
    assert counters() == built
    total = sum(n for (model, *_), n in built.items() if model == "StatusCount")
    assert total == m.Instrument.objects.count()


@pytest.mark.django_db
def test_rates_by_city_look_like_a_real_province(demo):
    period = last_twelve_months(demo)
    due, events = defaultdict(list), defaultdict(list)
    for r in DueCount.objects.all():
        due[r.region_id[:4]].append(rates.DueCount(r.due_month, r.met_month, r.on_time, r.n))
    for r in EventCount.objects.all():
        events[r.region_id[:4]].append(rates.EventCount(r.month, r.result, r.n))
    verification = {c: rates.verification_rate_from_counts(rows, period) for c, rows in due.items()}
    verification = {c: r.value for c, r in verification.items() if r.denominator}
    assert len(verification) == 13  # every city of Jiangsu has instruments due
    for city, value in verification.items():
        assert 0.85 <= value <= 0.995, (city, value)
    assert len(set(verification.values())) > 1
    province = rates.pass_rate_from_counts([r for rows in events.values() for r in rows], period).value
    assert 0.95 <= province <= 0.995, province
    by_city = [rates.pass_rate_from_counts(rows, period).value for rows in events.values()]
    assert min(by_city) < 1


@pytest.mark.django_db
def test_the_bureaus_have_work_overdue_failed_life_ended_due_soon_filings_and_conflicts(demo):
    statuses = Counter(InstrumentState.objects.values_list("status", flat=True))
    for status in (lifecycle.OVERDUE, lifecycle.FAILED, lifecycle.LIFE_ENDED, lifecycle.DUE_SOON,
                   lifecycle.NEVER_VERIFIED, lifecycle.VALID):
        assert statuses[status] > 0, status
    assert statuses[lifecycle.VALID] > 10 * statuses[lifecycle.OVERDUE]
    # the overdue list names owners that can be called
    overdue = InstrumentState.objects.filter(status=lifecycle.OVERDUE).select_related("owner")
    assert all(s.owner.contact_phone and s.owner.contact_name for s in overdue)
    assert all(s.next_due < demo for s in overdue)
    # failed instruments: most repaired and verified again, some left failed
    failed_once = set(VerificationEvent.objects.filter(result=Result.FAIL).values_list("instrument_id", flat=True))
    still = set(InstrumentState.objects.filter(status=lifecycle.FAILED).values_list("pk", flat=True))
    assert still < failed_once and len(failed_once - still) > len(still)
    # meters past their service life: most taken out (retired), some still in use
    rotated = m.Instrument.objects.filter(status="retired", status_reason="到期轮换拆除",
                                          category__verification_mode=lifecycle.FIRST_ONLY_ROTATE)
    assert rotated.exists()

    filing = Counter(InstrumentState.objects.exclude(status=lifecycle.NOT_COUNTED)
                     .values_list("filing_state", flat=True))
    assert filing[FilingState.ACCEPTED] > filing[FilingState.UNFILED] > 0
    assert filing[FilingState.SUBMITTED] > 0 and filing[FilingState.RETURNED] > 0
    for s in InstrumentState.objects.filter(filing_state=FilingState.ACCEPTED)[:200]:
        assert s.designated_institution_id is not None
        entry = FilingEntry.objects.filter(instrument_id=s.pk).latest("id")
        assert entry.state == FilingState.ACCEPTED and entry.designated_institution_id == s.designated_institution_id
    assert not FilingEntry.objects.filter(state=FilingState.RETURNED, reason="").exists()
    now = timezone.now()
    for entry in FilingEntry.objects.select_related("filing")[:500]:
        assert entry.filing.created <= now
        assert entry.decided_at is None or entry.filing.created <= entry.decided_at <= now
    assert RecordConflict.objects.filter(status="open").exists()
