"""Coverage against a hand count on a small province (coverage_fixtures.py): totals, domains, parameters, regions,
the gaps and what decides them, read through the service (traceability/coverage.py)."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.traceability.coverage_fixtures import small_province  # noqa: F401

from jiliang.registry import models as m
from jiliang.traceability import coverage as cov
from jiliang.traceability import coverage_rules as rules


def test_the_hand_count(small_province):  # noqa: F811
    w = small_province
    c = cov.compute("320000", w.on)
    r = c.result
    assert (r.total.in_use, r.total.served, r.total.served_locally) == (8, 5, 1)
    assert r.total.rate == 5 / 8
    assert {k: (t.in_use, t.served) for k, t in r.by_domain.items()} == {"mechanics": (6, 5),
                                                                        "electromagnetism": (2, 0)}
    assert {k: (t.in_use, t.served) for k, t in r.by_parameter.items()} == {
        "质量": (2, 2), "压力": (3, 3), "电能": (2, 0), "流量": (1, 0)}
    assert {k: (t.in_use, t.served, t.served_locally) for k, t in r.by_region.items()} == {
        "320500": (7, 4, 0), "320100": (1, 1, 1)}
    gaps = {(g.parameter, g.band): g for g in r.gaps}
    assert set(gaps) == {("电能", "0–60 A"), ("流量", "0–100 m³/h")}
    energy, water = gaps[("电能", "0–60 A")], gaps[("流量", "0–100 m³/h")]
    assert (energy.reason, energy.instruments, energy.outside, energy.nowhere) == (rules.NO_STANDARD, 2, 2, 0)
    assert energy.laboratories == ("某电能校准实验室",)
    assert (water.reason, water.instruments, water.outside, water.nowhere) == (rules.RANGE, 1, 0, 1)
    # the plan's target ships with the migration and holds for later years until replaced
    assert c.target.year == 2020 and str(c.target.target_percent) == "98.00" and c.meets_target is False


def test_a_city_and_a_county_count_their_subtree(small_province):  # noqa: F811
    w = small_province
    suzhou = cov.compute("320500", w.on).result
    assert (suzhou.total.in_use, suzhou.total.served) == (7, 4)
    assert set(suzhou.by_region) == {"320583"}
    xuanwu = cov.compute("320102", w.on).result
    assert (xuanwu.total.in_use, xuanwu.total.served, xuanwu.total.served_locally) == (1, 1, 1)


def test_the_date_decides_which_certificates_are_valid(small_province):  # noqa: F811
    before = cov.compute("320000", dt.date(2025, 3, 1)).result  # the energy standard's certificate still valid
    assert before.by_parameter["电能"].served == 2
    after_all = cov.compute("320000", dt.date(2028, 6, 1)).result  # every standard's certificate lapsed
    assert after_all.total.served == 0


def test_uncertainty_too_large_leaves_a_gap_and_says_why(small_province):  # noqa: F811
    w = small_province
    m.MeasurementStandard.objects.filter(pk=w.piston.pk).update(uncertainty="0.6")  # > 1.6 % / 3
    r = cov.compute("320000", w.on).result
    assert r.by_parameter["压力"].served == 0
    assert {g.reason for g in r.gaps if g.parameter == "压力"} == {rules.UNCERTAINTY}


def test_units_that_are_not_a_prefix_apart_leave_a_gap(small_province):  # noqa: F811
    w = small_province
    m.MeasurementStandard.objects.filter(pk=w.piston.pk).update(range_unit="bar")
    r = cov.compute("320000", w.on).result
    assert {g.reason for g in r.gaps if g.parameter == "压力"} == {rules.UNITS}


def test_a_few_queries_whatever_the_number_of_instruments(small_province):  # noqa: F811
    w = small_province
    cov.compute("320000", w.on)
    with CaptureQueriesContext(connection) as ctx:
        cov.compute("320000", w.on)
    assert len(ctx) <= 6  # regions, standards, instruments (grouped), laboratories, target; no per-row query
