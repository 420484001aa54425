"""The pure coverage rules (traceability/coverage_rules.py): units, ranges, uncertainty, the verdict's reasons."""

from decimal import Decimal as D

from jiliang.traceability import coverage_rules as r

THIRD = D(1) / D(3)


def group(**kw):
    base = {"category": "nawi-price-scale", "domain": "mechanics", "region": "320583", "city": "320500",
            "range_min": D(0), "range_max": D(30), "unit": "kg", "accuracy_class": "III", "count": 4}
    return r.Group(**{**base, **kw})


def cap(**kw):
    base = {"id": 1, "parameter": "质量", "domain": "mechanics", "range_min": D("0.000001"), "range_max": D(50),
            "unit": "kg", "uncertainty": D("0.01"), "uncertainty_unit": "g", "city": None}
    return r.Capability(**{**base, **kw})


def test_the_data_file_maps_every_shipped_category():
    import csv

    from jiliang.registry.reference import DATA

    needs = r.load_needs()
    with open(DATA / "catalogue.csv", encoding="utf-8") as fh:
        codes = {row["code"] for row in csv.DictReader(fh)}
    assert codes <= set(needs)
    assert {n.parameter for n in needs["patient-monitor"]} == {"血氧饱和度", "心电"}
    assert all(n.source and n.confidence in "HML" for ns in needs.values() for n in ns)


def test_range_cover_is_unit_aware_and_a_zero_start_is_not_a_point():
    assert r.range_covers(cap(), group()) == (True, "")
    assert r.range_covers(cap(range_max=D(20)), group()) == (False, r.RANGE)
    assert r.range_covers(cap(unit="g", range_min=D(1), range_max=D(60000)), group()) == (True, "")
    assert r.range_covers(cap(range_min=D(1)), group(range_min=D("0.5"))) == (False, r.RANGE)
    assert r.range_covers(cap(unit="L/min"), group(unit="m³/h")) == (False, r.UNITS)


def test_uncertainty_against_a_third_of_the_mpe():
    scale = r.load_needs()["nawi-price-scale"][0]  # MPE 0.015 % of Max: 4.5 g at 30 kg, a third is 1.5 g
    assert r.uncertainty_adequate(cap(uncertainty=D("1.5"), uncertainty_unit="g"), scale, group(), THIRD) is True
    assert r.uncertainty_adequate(cap(uncertainty=D("1.6"), uncertainty_unit="g"), scale, group(), THIRD) is False
    gauge = r.load_needs()["pressure-gauge-safety"][0]  # class 1.6: MPE 1.6 %
    g = group(category="pressure-gauge-safety", range_max=D("1.6"), unit="MPa", accuracy_class="1.6")
    p = cap(parameter="压力", unit="MPa", range_max=D(60), uncertainty=D("0.5"), uncertainty_unit="%")
    assert r.uncertainty_adequate(p, gauge, g, THIRD) is True
    assert r.uncertainty_adequate(cap(parameter="压力", uncertainty=D("0.6"), uncertainty_unit="%"), gauge, g,
                                  THIRD) is False
    # no MPE in the data file: not judged, served on parameter and range alone
    detector = r.load_needs()["gas-detector"][0]
    assert r.uncertainty_adequate(cap(), detector, group(), THIRD) is None


def test_verdict_names_the_nearest_reason():
    need = r.load_needs()["nawi-price-scale"][0]
    assert r.judge(need, group(), [cap()], THIRD).served
    assert r.judge(need, group(), [cap(range_max=D(10))], THIRD).reason == r.RANGE
    assert r.judge(need, group(), [cap(range_max=D(10)), cap(id=2, uncertainty=D(5))], THIRD).reason == r.UNCERTAINTY
    assert r.judge(need, group(), [cap(parameter="压力")], THIRD).reason == r.NO_STANDARD
    assert r.judge(need, group(), [cap(domain="medical")], THIRD).reason == r.NO_STANDARD


def test_evaluate_counts_by_domain_parameter_region_and_gaps():
    needs = r.load_needs()
    groups = [group(), group(region="320102", city="320100", count=2),
              group(category="water-meter-large", unit="m³/h", range_max=D(100), accuracy_class="2", count=3),
              group(category="not-in-the-file", count=1)]
    caps = [cap(city="320100")]
    res = r.evaluate(groups, caps, needs, ratio=THIRD, region_of={"320583": "320500", "320102": "320100"},
                     outside_labs={"流量": ("NIM",)})
    assert (res.total.in_use, res.total.served, res.total.served_locally) == (10, 6, 2)
    assert res.by_parameter["质量"].served == 6 and res.by_parameter["流量"].served == 0
    assert res.by_region["320500"].in_use == 8 and res.by_region["320100"].served_locally == 2
    gaps = {(g.parameter, g.reason): g for g in res.gaps}
    assert gaps[("流量", r.NO_STANDARD)].outside == 3 and gaps[("流量", r.NO_STANDARD)].nowhere == 0
    assert gaps[("—", r.NOT_MAPPED)].nowhere == 1
