"""Each computed indicator against a hand count on the small province of tests/conftest.py ``world``."""

import datetime as dt
from decimal import Decimal

import pytest

from jiliang.core.extending import IndicatorSource, IndicatorValue, added, indicator_sources
from jiliang.kpi import services, values
from jiliang.kpi.models import Indicator, PlanDocument, SourceKind
from jiliang.registry import models as m
from jiliang.supervision import state
from jiliang.supervision.models import DueOccurrence, VerificationEvent

SINCE = dt.date(2014, 1, 1)
END = dt.date(2020, 12, 31)


@pytest.fixture(autouse=True)
def _english():
    """These tests read the messages in English (the pages' tests read both languages)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def src(key):
    return indicator_sources()[key]


def standard(w, inst, name, level, **kw):
    return m.MeasurementStandard.objects.create(
        institute=inst, name=name, domain="mechanics", parameter="质量", uncertainty=Decimal("0.5"),
        uncertainty_unit="mg", coverage_factor=Decimal(2), level=level, **kw)


def test_new_standards_count_by_first_assessment_in_the_period(world):
    w = world
    standard(w, w.inst_p, "A", "social_public", first_assessed_on=dt.date(2016, 5, 1))
    standard(w, w.inst_p, "B", "provincial_highest", first_assessed_on=dt.date(2020, 12, 31))
    standard(w, w.inst_p, "C", "social_public", first_assessed_on=dt.date(2013, 12, 31))  # before the plan
    standard(w, w.inst_p, "D", "social_public", first_assessed_on=dt.date(2021, 1, 1))  # after the date asked
    standard(w, w.inst_nj, "E", "social_public", first_assessed_on=dt.date(2016, 1, 1))  # a city institute
    v = src("registry.new_standards").compute("320000", END, SINCE, institute_level="province")
    assert v.value == 2
    # the world's own standard of the provincial institute has no first assessment date: said, not counted
    assert "1 social public standards have no first assessment date" in v.note
    assert src("registry.new_standards").compute("320000", dt.date(2017, 12, 31), SINCE).value == 1
    assert src("registry.new_standards").compute("320000", END, SINCE, institute_level="city").value == 1
    assert src("registry.new_standards").compute("320500", END, SINCE, institute_level="city").value == 0
    drill = src("registry.new_standards").drill("320000", END, SINCE, 10, institute_level="province")
    assert drill.total == 2 and [r[1] for r in drill.rows] == ["A", "B"]
    with pytest.raises(ValueError, match="institute_level"):
        src("registry.new_standards").compute("320000", END, SINCE, institute_level="village")


def test_highest_standards_rated_share(world):
    w = world
    for name, rating in (("H1", ""), ("H2", "domestic_advanced"), ("H3", "international_advanced"),
                         ("H4", "international_advanced")):
        standard(w, w.inst_p, name, "provincial_highest", rating=rating)
    standard(w, w.inst_p, "H5", "provincial_highest", rating="domestic_advanced", status="retired")  # not in use
    dom = src("registry.highest_rated").compute("320000", END, SINCE, rating="domestic")
    intl = src("registry.highest_rated").compute("320000", END, SINCE, rating="international")
    assert (dom.numerator, dom.denominator, dom.value) == (3, 4, 0.75)
    assert (intl.numerator, intl.denominator, intl.value) == (2, 4, 0.5)
    empty = src("registry.highest_rated").compute("320500", END, SINCE, rating="domestic")
    assert empty.value is None and empty.denominator == 0  # nothing to count is not a 0


def test_designations_and_measurement_management_systems(world):
    w = world
    centre = m.Designation.objects.get(code="provincial-metrology-centre")
    w.inst_p.designations.add(centre)
    w.inst_nj.designations.add(centre)
    w.ent_ks.designations.add(centre)
    m.Organisation.objects.filter(pk=w.ent_ks.pk).update(deregistered_on=dt.date(2019, 1, 1))
    d = src("registry.designated")
    assert d.compute("320000", END, SINCE, designation="provincial-metrology-centre").value == 2
    assert d.compute("320000", dt.date(2018, 6, 30), SINCE, designation="provincial-metrology-centre").value == 3
    assert d.compute("320100", END, SINCE, designation="provincial-metrology-centre").value == 1
    assert d.compute("320500", END, SINCE, designation="provincial-metrology-centre").value == 0
    with pytest.raises(ValueError, match="no designation"):
        d.compute("320000", END, SINCE, designation="space-agency")
    m.Organisation.objects.filter(pk__in=[w.ent_xw.pk, w.ent_ks.pk, w.bureau_p.pk]).update(mms_status="certified")
    m.Organisation.objects.filter(pk=w.inst_nj.pk).update(mms_status="established")
    assert src("registry.mms").compute("320000", END, SINCE).value == 2  # a bureau and a deregistered one left out
    assert src("registry.mms").compute("320100", END, SINCE).value == 2
    assert src("registry.mms").drill("320000", END, SINCE, 10).total == 2


def _event(w, inst, number, on, due):
    VerificationEvent.objects.create(institution=w.inst_p, number=number, instrument=inst, source="reported",
                                     kind="periodic", verified_on=on, result="pass", next_due=due)


def test_verification_rate_matches_the_due_occurrences(world):
    """受检率 over 2025: Kunshan's scale due 2025-07-10 and not verified, Xuanwu's due 2025-02-28 and verified on
    2025-02-20: 1 of 2 for the province, 0 of 1 for Suzhou, 1 of 1 for Nanjing."""
    w = world
    _event(w, w.instrument_ks, "K1", dt.date(2024, 7, 11), dt.date(2025, 7, 10))
    _event(w, w.instrument_xw, "X1", dt.date(2024, 3, 1), dt.date(2025, 2, 28))
    _event(w, w.instrument_xw, "X2", dt.date(2025, 2, 20), dt.date(2026, 2, 19))
    state.refresh([w.instrument_ks.pk, w.instrument_xw.pk], today=dt.date(2026, 1, 5))
    day = dt.date(2025, 12, 31)
    due = DueOccurrence.objects.filter(due__year=2025)
    hand = (sum(1 for o in due if o.met_on and o.met_on <= o.due), due.count())
    v = src("supervision.verification_rate").compute("320000", day, SINCE)
    assert (v.numerator, v.denominator) == hand == (1, 2)
    assert "jiliang-" in v.version and "2025-01-01 to 2025-12-31" in v.definition
    assert src("supervision.verification_rate").compute("320500", day, SINCE).value == 0.0
    assert src("supervision.verification_rate").compute("320100", day, SINCE).value == 1.0
    # markets and clinics own nothing here: nothing due, no value (not 0)
    assert src("supervision.verification_rate").compute("320000", day, SINCE,
                                                        owner_kinds=["market", "hospital"]).value is None
    # mid-month dates count the year to the last whole month
    assert src("supervision.verification_rate").compute("320000", dt.date(2025, 3, 15), SINCE).denominator == 1
    drill = src("supervision.verification_rate").drill("320000", day, SINCE, 10)
    assert drill.total == 2 and {r[7] for r in drill.rows} == {True, False}
    passed = src("supervision.pass_rate").compute("320000", day, SINCE)
    assert (passed.numerator, passed.denominator) == (1, 1)  # X2, the one event concluded in 2025


def test_key_energy_coverage_counts_listed_enterprises(world):
    w = world
    w.ent_ks.designations.add(m.Designation.objects.get(code="key-energy-consumer"))
    w.ent_xw.designations.add(m.Designation.objects.get(code="key-energy-consumer"))
    v = src("telemetry.key_energy_coverage").compute("320000", dt.date.today(), SINCE)
    assert (v.numerator, v.denominator, v.value) == (0, 2, 0.0)
    assert "2 listed enterprises have no required metering point" in v.note
    assert src("telemetry.key_energy_coverage").compute("320500", dt.date.today(), SINCE).denominator == 1
    assert src("telemetry.key_energy_coverage").drill("320000", dt.date.today(), SINCE, 10).total == 2


def test_coverage_is_traceability_s_own(world):
    from jiliang.traceability import coverage

    today = dt.date.today()
    total = coverage.compute("320000", today).result.total
    v = src("traceability.coverage").compute("320000", today, SINCE)
    assert (v.numerator, v.denominator) == (total.served, total.in_use) and total.in_use >= 2


def test_documents_issued_in_the_period(world):
    for number, kind, on, region in (("JJF(苏) 201-2016", "technical_spec", dt.date(2016, 3, 1), "320000"),
                                     ("JJF(苏) 230-2019", "technical_spec", dt.date(2019, 9, 1), "320000"),
                                     ("JJF(苏) 150-2013", "technical_spec", dt.date(2013, 5, 1), "320000"),
                                     ("苏州规范 1", "technical_spec", dt.date(2018, 5, 1), "320500"),
                                     ("江苏省计量监督管理条例", "regulation", dt.date(2018, 1, 1), "320000")):
        services.add_document(number=number, title=number, kind=kind, issuer="江苏省市场监督管理局", issued_on=on,
                              region=region, actor=world.users["province"])
    d = src("kpi.documents")
    assert d.compute("320000", END, SINCE, kind="technical_spec").value == 3
    assert d.compute("320000", dt.date(2017, 12, 31), SINCE, kind="technical_spec").value == 1
    assert d.compute("320500", END, SINCE, kind="technical_spec").value == 1
    assert d.compute("320000", END, SINCE, kind="regulation").value == 1
    assert PlanDocument.objects.count() == 5


def test_a_failing_source_is_failed_with_its_reason_never_zero(world, plan):
    def broken(region, day, since):
        raise RuntimeError("the counters are being rebuilt")

    ind = Indicator.objects.create(plan=plan, code="X9", name="坏", name_en="broken", definition="x", unit="%",
                                   source_kind=SourceKind.COMPUTED, source_key="test.broken")
    with added(IndicatorSource("test.broken", "broken", "share", broken)):
        r = values.live([ind], ["320000"], END)[("X9", "320000")]
    assert (r.state, r.status, r.value) == ("failed", "failed", None)
    assert "RuntimeError: the counters are being rebuilt" in r.reason
    r = values.live([ind], ["320000"], END)[("X9", "320000")]  # the source's app is gone
    assert r.state == "failed" and "not available here" in r.reason


def test_status_of_live_readings_against_the_plan(world, plan):
    def fixed(region, day, since, **params):
        return IndicatorValue(0.975 if region == "320000" else 0.99, 975, 1000, "fixed", "t1")

    ind = plan.indicators.get(code="7")
    Indicator.objects.filter(pk=ind.pk).update(source_key="test.fixed")
    ind.refresh_from_db()
    with added(IndicatorSource("test.fixed", "fixed", "share", fixed)):
        got = values.live([ind], ["320000", "320500"], END)
    assert got[("7", "320000")].value == Decimal("97.5") and got[("7", "320000")].status == "not_met"
    assert got[("7", "320500")].status == "met"
    assert got[("7", "320000")].target == 98


@pytest.mark.parametrize("key", ["traceability.coverage", "supervision.verification_rate", "supervision.pass_rate",
                                 "telemetry.key_energy_coverage"])
def test_many_regions_at_once_give_what_one_by_one_gives(world, key):
    """compute_many (the province and its cities from one grouped query) against compute, region by region."""
    _event(world, world.instrument_ks, "K1", dt.date(2024, 7, 11), dt.date(2025, 7, 10))
    _event(world, world.instrument_xw, "X1", dt.date(2024, 3, 1), dt.date(2025, 2, 28))
    _event(world, world.instrument_xw, "X2", dt.date(2025, 2, 20), dt.date(2026, 2, 19))
    state.refresh([world.instrument_ks.pk, world.instrument_xw.pk], today=dt.date(2026, 1, 5))
    world.ent_ks.designations.add(m.Designation.objects.get(code="key-energy-consumer"))
    source = src(key)
    regions = ["320000", "320100", "320500", "320200", "320583"]  # 320583, a county, is left to compute
    for day in (dt.date(2025, 12, 31), dt.date.today()):
        many = source.compute_many(regions, day, SINCE)
        assert set(many) >= {"320000", "320100", "320500", "320200"}  # a county may be left to compute
        for region, v in many.items():
            one = source.compute(region, day, SINCE)
            assert (v.value, v.numerator, v.denominator) == (one.value, one.numerator, one.denominator), region


@pytest.mark.parametrize(("key", "params"), [
    ("registry.new_standards", {"institute_level": "province"}), ("registry.new_standards", {"institute_level": "city"}),
    ("registry.new_standards", {"institute_level": "county"}), ("registry.highest_rated", {"rating": "domestic"}),
    ("registry.highest_rated", {"rating": "international"})])
def test_the_registry_s_standards_many_regions_at_once_give_what_one_by_one_gives(world, key, params):
    w = world
    for k, (inst, level, rating, on) in enumerate([
            (w.inst_p, "provincial_highest", "domestic_advanced", dt.date(2016, 5, 1)),
            (w.inst_p, "provincial_highest", "", dt.date(2021, 5, 1)),
            (w.inst_nj, "social_public", "", dt.date(2015, 1, 1)),
            (w.inst_nj, "provincial_highest", "international_advanced", None),
            (w.ent_ks, "social_public", "", dt.date(2018, 3, 3)),
            (w.ent_ks, "social_public", "", None),
            (w.ent_ks, "provincial_highest", "international_advanced", dt.date(2019, 3, 3))]):
        standard(w, inst, f"M{k}", level, rating=rating, first_assessed_on=on)
    source = src(key)
    regions = ["320000", "320100", "320500", "320200", "320583"]
    for day in (END, dt.date(2021, 12, 31)):
        many = source.compute_many(regions, day, SINCE, **params)
        assert set(many) == set(regions)
        for region, v in many.items():
            one = source.compute(region, day, SINCE, **params)
            assert (v.value, v.numerator, v.denominator, v.note) == (one.value, one.numerator, one.denominator,
                                                                     one.note), region
    assert any(v.numerator for v in many.values())
