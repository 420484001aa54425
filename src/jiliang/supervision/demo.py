"""Supervision part of the demo province: verification histories, filings and record conflicts.

Runs after the verification step (which issues the certificates through jiliang). Every instrument under
mandatory verification gets its history from the day it was put in service: a first verification, then periodic
verifications at the end of each validity (most on time, some late, a few owners who stopped verifying: overdue
now), a few failures (most repaired and verified again, some left failed), first-verification-only meters that
reach the end of their service life (most taken out and retired, some still in use: service life ended). The
records are reported by the demo's institutes (source "reported"), numbered by institute and year. Then every
instrument's state and the counters are computed by ``state.refresh``, and the owners' filings are made: most
accepted with a designated institution, some awaiting the bureau, some returned with a reason, some never filed.

The shares below are the demo's own choices, made so that the dashboard looks like a real province: 受检率 in
the nineties by city and 合格率 around 95-99.5 % (Wuxi's published 2021 figures: trade 99.51 %, safety 99.55 %,
environmental monitoring 92.41 %; reference/supervision-integrity-licensing.md §3.4). Nothing here is a rule.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import connection
from django.db.models import Max, Min
from django.utils import timezone

from jiliang.registry.models import Instrument, Organisation

from . import lifecycle, state
from .models import (
    ConflictStatus,
    EventSource,
    Filing,
    FilingEntry,
    FilingState,
    InstrumentState,
    RecordConflict,
    Result,
    VerificationEvent,
    VerificationKind,
)

# Failure probability of one verification, by usage (the published 合格率 above, rounded).
FAIL_SHARE = {"trade": 0.009, "safety": 0.009, "medical": 0.015, "environment": 0.075}
# Validity the demo's institutes give where the catalogue names no period (months).
DEFAULT_MONTHS = {"pressure-gauge-safety": 6}
DEFAULT_PERIOD = 12
NEVER_VERIFIED_SHARE = 0.006
REPAIRED_SHARE = 0.7  # of failed instruments: repaired and verified again
ROTATED_SHARE = 0.75  # of meters past their service life: taken out and retired
RETURN_REASONS = ["出厂编号与铭牌不符，请核对后重新提交", "缺少安装地点，请补充", "该器具不属于强制检定范围，请核实用途",
                  "同一器具重复备案", "型式批准证书编号有误"]
CONFLICT_NOTES = ["检定日期不一致：机构重新报送的记录日期与原记录不同", "检定结论不一致：机构重新报送为不合格"]
BATCH = 2000


def build(ctx: dict, rng, scale: int, progress) -> None:
    today = timezone.localdate()
    institutes = _institutes(ctx)
    cities = sorted({code[:4] for code in Instrument.objects.values_list("region_id", flat=True).distinct()})
    # Each city has its own habits: how often owners are late, stop verifying, how often instruments fail.
    habits = {c: (rng.uniform(0.02, 0.06), rng.uniform(0.005, 0.015), rng.uniform(0.5, 2.2)) for c in cities}
    first_cert = dict(VerificationEvent.objects.values("instrument_id").annotate(first=Min("verified_on"))
                      .values_list("instrument_id", "first"))
    numbers: dict[tuple[int, int], int] = defaultdict(int)
    ids = list(Instrument.objects.order_by("pk").values_list("pk", flat=True))
    progress(0, len(ids))
    made = 0
    # In chunks, so that `jiliang demo --scale 1000000` keeps its memory: histories, then states and counters.
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        made += _histories(Instrument.objects.filter(pk__in=chunk, mandatory=True, installation_date__isnull=False)
                           .select_related("category").order_by("pk"),
                           today, habits, first_cert, institutes, numbers, rng)
        state.refresh(chunk, today)
        progress(min(start + BATCH, len(ids)), len(ids))
    _filings(institutes, today, rng)
    _conflicts(rng)
    ctx["supervision_events"] = made


def _histories(instruments, today, habits, first_cert, institutes, numbers, rng) -> int:
    """Create the reported events of these instruments (and retire the meters rotated out); returns how many."""
    events: list[VerificationEvent] = []
    retired: list[Instrument] = []
    continued: list[int] = []
    for inst in instruments:
        if rng.random() < NEVER_VERIFIED_SHARE and inst.pk not in first_cert:
            continue  # deliberately never verified: the bureau's list of instruments in use without verification
        history = _history(inst, today, habits[inst.region_id[:4]], rng)
        cut = first_cert.get(inst.pk)
        if cut is not None:  # the certificates issued through jiliang carry the history on
            history = [h for h in history if h[0] < cut]
            if history:
                continued.append(inst.pk)
        for on, kind, result, valid_until in history:
            institution = _institution(inst, institutes, rng)
            numbers[(institution.pk, on.year)] += 1
            events.append(VerificationEvent(
                institution=institution, number=_number(institution, institutes, on, result,
                                                         numbers[(institution.pk, on.year)]),
                instrument_id=inst.pk, source=EventSource.REPORTED, kind=kind, verified_on=on, result=result,
                next_due=valid_until, certificate_valid_until=valid_until))
        if (history and inst.category.verification_mode == lifecycle.FIRST_ONLY_ROTATE and cut is None
                and inst.status in ("in_service", "registered") and history[-1][3] and history[-1][3] < today
                and rng.random() < ROTATED_SHARE):
            inst.status, inst.status_reason = "retired", "到期轮换拆除"
            inst.status_date = min(history[-1][3] + dt.timedelta(days=rng.randint(0, 60)), today)
            retired.append(inst)
    VerificationEvent.objects.bulk_create(events, batch_size=BATCH)
    Instrument.objects.bulk_update(retired, ["status", "status_reason", "status_date"], batch_size=BATCH)
    # a certificate issued before the history existed was taken for the first verification: now it is periodic
    VerificationEvent.objects.filter(instrument_id__in=continued, source=EventSource.CERTIFICATE,
                                     kind=VerificationKind.FIRST).update(kind=VerificationKind.PERIODIC)
    return len(events)


def _institutes(ctx: dict) -> dict:
    """{"province": the provincial institute, city code (4 digits): its city institute}."""
    found = {}
    if "institute" in ctx:
        found["province"] = ctx["institute"]
        found.update({code[:4]: o for code, o in ctx["city_institutes"].items()})
        return found
    for o in Organisation.objects.filter(kind="institute").order_by("pk"):
        key = "province" if o.region_id == "320000" else o.region_id[:4]
        found.setdefault(key, o)
    return found


def _institution(inst: Instrument, institutes: dict, rng) -> Organisation:
    """The city's institute mostly, the provincial institute for some owners."""
    city = institutes.get(inst.region_id[:4])
    return city if city is not None and rng.random() < 0.85 else institutes["province"]


def _number(institution: Organisation, institutes: dict, on: dt.date, result: str, seq: int) -> str:
    """苏05检字〔2024〕第000123号 (a certificate), 苏05检通字〔2024〕第000124号 (a notice of failure): one
    sequence per institute and year."""
    prefix = "苏计" if institution is institutes["province"] else f"苏{institution.region_id[2:4]}"
    return f"{prefix}{'检字' if result == Result.PASS else '检通字'}〔{on.year}〕第{seq:06d}号"


def _history(inst: Instrument, today: dt.date, habits: tuple, rng) -> list[tuple]:
    """(verified on, kind, result, valid until) of one instrument, from its first verification on."""
    late_share, stop_share, fail_factor = habits
    category = inst.category
    end = inst.status_date if inst.status not in ("in_service", "registered") and inst.status_date else today
    fail_share = FAIL_SHARE.get(inst.usage, 0.01) * fail_factor
    on = max(inst.installation_date - dt.timedelta(days=rng.randint(0, 5)), dt.date(1990, 1, 1))
    kind = VerificationKind.FIRST
    rows = []
    while on <= end:
        failed = rng.random() < fail_share
        if category.verification_mode == lifecycle.FIRST_ONLY_ROTATE and category.service_life_years:
            if failed:  # a meter failing its first verification is replaced, not put in service: record a pass
                failed = False
            until = lifecycle.longest_validity(on, 12 * category.service_life_years)
            rows.append((on, kind, Result.PASS, until))
            return rows
        if failed:
            rows.append((on, kind, Result.FAIL, None))
            if (today - on).days < 300 and rng.random() > REPAIRED_SHARE:
                return rows  # still failed: the owner has not had it repaired yet
            on, kind = on + dt.timedelta(days=rng.randint(5, 30)), VerificationKind.AFTER_REPAIR
            continue
        until = lifecycle.longest_validity(on, category.period_months or DEFAULT_MONTHS.get(category.code, DEFAULT_PERIOD))
        rows.append((on, kind, Result.PASS, until))
        if until < today and (today - until).days < 400 and rng.random() < stop_share * 2:
            return rows  # the owner stopped having it verified: overdue
        if rng.random() < late_share:
            on = until + dt.timedelta(days=rng.randint(1, 75))
        else:
            on = max(until - dt.timedelta(days=rng.randint(0, 30)), on + dt.timedelta(days=1))
        kind = VerificationKind.PERIODIC
    return rows


def _filings(institutes: dict, today: dt.date, rng) -> None:
    """The owners' filings (登记造册、备案, 1987 measures Art. 5), one per owner and county, made after the last of
    its instruments was put in service: most accepted with a designated institution, some awaiting the bureau,
    some returned with a reason, some owners never filed."""
    counted = InstrumentState.objects.exclude(status="not_counted")
    groups = (counted.values("owner_id", "region_id").annotate(latest=Max("instrument__installation_date"))
              .order_by("owner_id", "region_id"))
    filings: dict[tuple[int, str], tuple[Filing, bool]] = {}
    now = timezone.now()
    for g in groups:
        r = rng.random()
        if r < 0.08:
            continue  # never filed
        pending = r < 0.14
        latest = g["latest"] or today - dt.timedelta(days=900)
        if pending:
            filed_on = max(latest, today - dt.timedelta(days=rng.randint(1, 20)))
        else:
            filed_on = max(latest, today - dt.timedelta(days=900)) + dt.timedelta(days=rng.randint(5, 40))
        filing = Filing(owner_id=g["owner_id"], bureau_region_id=g["region_id"])
        filing.filed_at = min(_moment(min(filed_on, today), rng), now)
        filings[(g["owner_id"], g["region_id"])] = (filing, pending)
    Filing.objects.bulk_create([f for f, _ in filings.values()], batch_size=BATCH)
    # filed in the past (auto_now_add stamps now): one statement, many rows (bulk_update's CASE is far slower)
    _update_many(Filing, "created", "id", [(connection.ops.adapt_datetimefield_value(f.filed_at), f.pk)
                                           for f, _ in filings.values()])
    ids = list(counted.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        entries, changed = [], []
        for pk, owner_id, county, usage in (InstrumentState.objects.filter(pk__in=ids[start:start + BATCH])
                                            .order_by("pk").values_list("pk", "owner_id", "region_id", "usage")):
            if (owner_id, county) not in filings:
                continue
            filing, pending = filings[(owner_id, county)]
            designated = institutes.get(county[:4]) or institutes["province"]
            if usage == "medical" and rng.random() < 0.5:
                designated = institutes["province"]
            decided = min(filing.filed_at + dt.timedelta(days=rng.randint(1, 7)), now)
            if pending:
                entry_state, reason, designated, decided = FilingState.SUBMITTED, "", None, None
            elif rng.random() < 0.04:
                entry_state, reason, designated = FilingState.RETURNED, rng.choice(RETURN_REASONS), None
            else:
                entry_state, reason = FilingState.ACCEPTED, ""
            entries.append(FilingEntry(filing=filing, instrument_id=pk, state=entry_state, reason=reason,
                                       designated_institution=designated, decided_at=decided))
            changed.append((entry_state, designated.pk if designated else None, pk))
        FilingEntry.objects.bulk_create(entries, batch_size=BATCH)
        _update_many(InstrumentState, "filing_state = %s, designated_institution_id", "instrument_id", changed)


def _update_many(model, assignments: str, key: str, rows: list[tuple]) -> None:
    """``UPDATE table SET <assignments> = %s WHERE <key> = %s`` for each row of parameters."""
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {model._meta.db_table} SET {assignments} = %s WHERE {key} = %s",  # noqa: S608
                           rows)


def _moment(day: dt.date, rng) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(8 + rng.randint(0, 8), rng.randint(0, 59))))


def _conflicts(rng) -> None:
    """A few records an institute reported again with other figures: kept for the bureau to review."""
    reported = list(VerificationEvent.objects.filter(source=EventSource.REPORTED, result=Result.PASS)
                    .order_by("pk").values_list("pk", flat=True)[:5000])
    if not reported:
        return
    rows = []
    for pk in rng.sample(reported, min(12, len(reported))):
        event = VerificationEvent.objects.get(pk=pk)
        if rng.random() < 0.5:
            other = event.verified_on + dt.timedelta(days=rng.choice([-10, -3, 2, 7]))
            differences = {"verified_on": {"stored": event.verified_on.isoformat(), "received": other.isoformat()}}
            received = {"number": event.number, "verified_on": other.isoformat(), "result": event.result}
        else:
            differences = {"result": {"stored": event.result, "received": Result.FAIL}}
            received = {"number": event.number, "verified_on": event.verified_on.isoformat(), "result": Result.FAIL}
        resolved = rng.random() < 0.3
        rows.append(RecordConflict(
            event=event, received=received, differences=differences,
            status=ConflictStatus.RESOLVED if resolved else ConflictStatus.OPEN,
            resolution=rng.choice(CONFLICT_NOTES) + "；经核实以原记录为准" if resolved else "",
            resolved_at=timezone.now() if resolved else None))
    RecordConflict.objects.bulk_create(rows)
