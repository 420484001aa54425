"""Coverage's counters (traceability/coverage_counts.py) against a recount from the registry after every kind of
change, and coverage.groups read from them against the one GROUP BY over the instruments it replaced."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from tests.livelihood import test_meters_import as meters
from tests.livelihood.conftest import lworld  # noqa: F401
from tests.registry import test_import as registry_import

from jiliang.core import services
from jiliang.core.audit import audit_context
from jiliang.core.regions import PROVINCE_CODE, subtree_codes
from jiliang.registry import models as m
from jiliang.registry.importing import InstrumentImporter
from jiliang.traceability import coverage, coverage_counts
from jiliang.traceability.models import CoverageCount, CoverageMember


def agree() -> dict:
    """The counters equal a recount (and the members the registry); returns them."""
    found = coverage_counts.recount(check_only=True)
    assert found.members_wrong == 0 and found.counts_wrong == {}
    stored = coverage_counts.stored_counts()
    assert stored == coverage_counts.registry_counts()
    return stored


def groups_by_query(region: str, on: dt.date) -> dict:
    """What coverage.groups returned before the counters: one GROUP BY over the instruments in use."""
    qs = (m.Instrument.objects.filter(mandatory=True, status=m.InstrumentStatus.IN_SERVICE,
                                      region_id__in=subtree_codes(region))
          .filter(Q(installation_date__isnull=True) | Q(installation_date__lte=on))
          .values_list("category__code", "category__domain", "region_id", "range_min", "range_max", "range_unit",
                       "accuracy_class")
          .annotate(n=Count("pk")).order_by())
    return {tuple(r[:-1]): r[-1] for r in qs}


def groups_by_counters(region: str, on: dt.date) -> dict:
    cities = coverage.city_map()
    return {(g.category, g.domain, g.region, g.range_min, g.range_max, g.unit, g.accuracy_class): g.count
            for g in coverage.groups(region, on, cities)}


def instrument(w, serial, *, installed=None, region="320583", lo="0", hi="15", unit="kg", klass="III",
               usage="trade", category=None):
    return services.create_record(m.Instrument, {
        "owner": w.ent_ks, "category": category or w.scale, "manufacturer": "某厂", "model": "CNT",
        "serial_number": serial, "accuracy_class": klass, "range_min": None if lo is None else Decimal(lo),
        "range_max": None if hi is None else Decimal(hi), "range_unit": unit, "usage": usage, "region_id": region,
        "status": "in_service", "installation_date": installed}, actor=w.admin)


def test_saves_edits_and_deletions_keep_the_counters(world):
    w = world
    assert sum(agree().values()) == 2  # the world's two scales
    a = instrument(w, "C-1", installed=dt.date(2025, 3, 10))
    b = instrument(w, "C-2", installed=dt.date(2025, 3, 31), lo=None, hi=None, unit="")
    c = instrument(w, "C-3", lo="0.000", hi="15.0")  # the same range as the world's, written otherwise
    instrument(w, "C-4", usage="other")  # not mandatory: not counted
    stored = agree()
    assert sum(stored.values()) == 5 and CoverageMember.objects.count() == 5
    changes = [
        (a, {"region_id": "320102"}),
        (a, {"range_max": Decimal("30")}),
        (b, {"range_min": Decimal("1"), "range_max": Decimal("3"), "range_unit": "t"}),
        (b, {"accuracy_class": "IIII"}),
        (a, {"installation_date": dt.date(2026, 1, 2)}),
        (a, {"installation_date": None}),
        (c, {"usage": "other"}),  # no longer mandatory
        (c, {"usage": "trade"}),
        (b, {"status": "retired", "status_reason": "报废", "status_date": dt.date(2026, 2, 1)}),
        (b, {"status": "in_service", "status_reason": "", "status_date": None}),
        (c, {"status": "suspended", "status_reason": "停用"}),
    ]
    for obj, values in changes:
        obj.refresh_from_db()
        services.update_record(obj, values, actor=w.admin)
        agree()
    obj = m.Instrument.objects.get(pk=b.pk)
    c.refresh_from_db()
    assert c.status == "suspended"
    assert CoverageMember.objects.filter(instrument_id=c.pk).count() == 0
    services.delete_record(obj, actor=w.admin)
    stored = agree()
    assert sum(stored.values()) == 3  # the world's two and a
    assert not CoverageCount.objects.filter(n__lt=0).exists()


def test_a_bulk_import_of_household_meters_is_counted(lworld):  # noqa: F811
    data = meters.csv_bytes([meters.row(f"H{i}", installed=f"2021-0{1 + i % 9}-1{i % 10}", verified="", result="",
                                        region=("320583", "320102")[i % 2]) for i in range(40)]
                            + [meters.row("H-none", installed="", verified="", result="")])
    result = meters.register(lworld, data)
    assert result.created == 41
    stored = agree()
    in_use = m.Instrument.objects.filter(pk__in=result.instrument_ids, mandatory=True, status="in_service").count()
    assert in_use == 40  # (a meter without an installation date is registered, not in service)
    assert CoverageMember.objects.filter(instrument_id__in=result.instrument_ids).count() == 40
    assert sum(stored.values()) == 2 + 40


def test_a_registry_import_that_creates_and_changes_instruments_is_counted(world):
    w = world
    rows = [registry_import.row(w, f"IMP-{i}", installation_date=f"2024-0{1 + i}-01", status="in service")
            for i in range(4)]
    importer = InstrumentImporter(w.users["kunshan"])
    with audit_context(actor=w.users["kunshan"], channel="web"):
        importer.apply(registry_import.plan(w, "kunshan", registry_import.xlsx(registry_import.HEADERS, rows)),
                       valid_only=False)
    assert sum(agree().values()) == 2 + 4
    changed = [registry_import.row(w, "IMP-0", range_max=60, installation_date="2025-07-01", status="in service"),
               registry_import.row(w, "IMP-1", usage="other", installation_date="2024-02-01", status="in service")]
    report = registry_import.plan(w, "kunshan", registry_import.xlsx(registry_import.HEADERS, changed))
    assert report.count("update") == 2
    with audit_context(actor=w.users["kunshan"], channel="web"):
        InstrumentImporter(w.users["kunshan"]).apply(report, valid_only=False)
    stored = agree()
    assert sum(stored.values()) == 2 + 3


def test_the_recount_finds_what_bypassed_the_signals_and_mends_it(world, capsys):
    w = world
    a = instrument(w, "R-1", installed=dt.date(2025, 5, 5))
    m.Instrument.objects.filter(pk=a.pk).update(region_id="320102", installation_date=dt.date(2025, 6, 1))
    m.Instrument.objects.filter(pk=w.instrument_xw.pk).update(status="suspended")
    found = coverage_counts.recount(check_only=True)
    assert found.members_wrong == 2 and len(found.counts_wrong) == 3 and not found.fixed
    with pytest.raises(SystemExit) as exit_:
        call_command("coverage-recount", "--check")
    assert exit_.value.code == 1 and "instruments counted wrongly: 2" in capsys.readouterr().out
    call_command("coverage-recount")
    assert "counters rebuilt" in capsys.readouterr().out
    agree()
    call_command("coverage-recount", "--check")
    assert "counters agree with the registry" in capsys.readouterr().out


def test_groups_from_the_counters_equal_the_query_on_every_date(world):
    w = world
    days = [dt.date(2025, 2, 28), dt.date(2025, 3, 1), dt.date(2025, 3, 15), dt.date(2025, 3, 16),
            dt.date(2025, 3, 31), dt.date(2025, 4, 1), dt.date(2026, 12, 31)]
    for k, day in enumerate(days):
        instrument(w, f"D-{k}", installed=day, region=("320583", "320102")[k % 2], hi=("15", "30")[k % 3 == 1])
    gauge = instrument(w, "D-g", installed=dt.date(2025, 3, 15), category=w.gauge, usage="safety", lo="0", hi="1.6",
                       unit="MPa", klass="1.6")
    assert gauge.mandatory
    agree()
    on_days = [*days, dt.date(2020, 1, 1), dt.date(2025, 3, 14), dt.date(2027, 1, 1)]
    for on in on_days:
        for region in (PROVINCE_CODE, "320500", "320583", "320100"):
            assert groups_by_counters(region, on) == groups_by_query(region, on), (region, on)


def test_installed_after_the_day_is_not_counted_on_the_day_is(world):
    w = world
    on = dt.date(2025, 3, 15)
    instrument(w, "E-on", installed=on, region="320102")
    instrument(w, "E-after", installed=on + dt.timedelta(days=1), region="320102")
    instrument(w, "E-month-before", installed=dt.date(2025, 2, 28), region="320102")
    instrument(w, "E-none", region="320102")
    total = coverage.compute("320102", on).result.total.in_use
    assert total == 1 + 3  # the world's Xuanwu scale, on the day, the month before, without a date
    assert coverage.compute("320102", on - dt.timedelta(days=1)).result.total.in_use == 3
    assert coverage.compute("320102", on + dt.timedelta(days=1)).result.total.in_use == 5


def test_the_nightly_schedule_mends_counters_a_bulk_update_left_behind_and_says_so(world, caplog):
    from jiliang.core.extending import Schedule, contributed
    from jiliang.traceability import tasks

    w = world
    assert "traceability-coverage-recount" in {s.name for s in contributed(Schedule)}
    assert tasks.recount_coverage.call() == 0  # a good night only reads
    assert not [r for r in caplog.records if r.name == tasks.log.name]
    m.Instrument.objects.filter(pk=w.instrument_xw.pk).update(range_max=Decimal("30"))  # no signal
    assert tasks.recount_coverage.call() == 1
    assert "coverage counters differed from the registry (1 instruments counted wrongly" in caplog.text
    agree()
