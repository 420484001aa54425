"""The pure chain check (traceability/chain.py): valid chains, a break at each kind of link, the accumulated
uncertainty against a hand computation, cycles, and the batch verdict agreeing with the full check."""

import datetime as dt
import math
from fractions import Fraction

import pytest

from jiliang.traceability import chain
from jiliang.traceability.chain import EXTERNAL, INSTRUMENT, STANDARD, Edge, Graph, Node

D = dt.date
DAY = D(2026, 6, 1)


def province(**overrides):
    """NIM → provincial weights (E2) → county weights (F1) → a price scale; every link good on DAY."""
    nodes = {
        "nim": Node(EXTERNAL, 1, "NIM", external_kind="national_institute", accepted=True),
        "p": Node(STANDARD, 10, "E2 weights", "provincial_highest", D(2024, 1, 1), D(2028, 1, 1), D(2024, 1, 1),
                  0, 20, "kg", (0.5, "mg")),
        "c": Node(STANDARD, 11, "F1 weights", "social_public", D(2024, 1, 1), D(2028, 1, 1), D(2024, 1, 1),
                  0, 20, "kg", (2.0, "mg")),
        "i": Node(INSTRUMENT, 100, "scale", range_min=0, range_max=15, range_unit="kg"),
    }
    edges = {
        "p": Edge(1, (STANDARD, 10), (EXTERNAL, 1), D(2026, 1, 10), D(2027, 1, 9), certificate_no="NIM-1",
                  parameter="质量", range_min=0, range_max=20, range_unit="kg", uncertainty=0.1, uncertainty_unit="mg",
                  k=2, source_id=1),
        "c": Edge(2, (STANDARD, 11), (STANDARD, 10), D(2026, 2, 1), D(2027, 1, 31), certificate_no="JS-1",
                  parameter="质量", range_min=0, range_max=20, range_unit="kg", uncertainty=0.5, uncertainty_unit="mg",
                  k=2, source_id=2),
        "i": Edge(3, (INSTRUMENT, 100), (STANDARD, 11), D(2026, 5, 1), D(2027, 4, 30), certificate_no="KS-1",
                  parameter="质量", range_min=0, range_max=20, range_unit="kg", uncertainty=2.0, uncertainty_unit="mg",
                  k=2, source_id=3, requirement=(2500.0, "mg")),
    }
    for name, value in overrides.items():
        kind, key = name.split("_", 1)
        (nodes if kind == "node" else edges)[key] = value
    return Graph([n for n in nodes.values() if n is not None], [e for e in edges.values() if e is not None]), \
        nodes, edges


def replace(obj, **kw):
    import dataclasses

    return dataclasses.replace(obj, **kw)


def test_a_good_chain_is_traceable_with_the_root_named():
    g, _n, _e = province()
    r = g.check(INSTRUMENT, 100, DAY)
    assert r.traceable and r.broken_at is None
    assert [s.number for s in r.steps] == [1, 2, 3]
    assert [s.parent for s in r.steps] == [(STANDARD, 11), (STANDARD, 10), (EXTERNAL, 1)]
    assert r.roots == [(EXTERNAL, 1)]
    # each standard is checked on the day it was used: F1 on the scale's verification day, E2 on F1's calibration
    assert [s.used_on for s in r.steps] == [DAY, D(2026, 5, 1), D(2026, 2, 1)]


def test_accumulated_uncertainty_against_a_hand_computation():
    g, _n, _e = province()
    r = g.check(INSTRUMENT, 100, DAY)
    # U/k relative to the upper end of each link's range (20 kg = 2e7 mg):
    by_hand = math.sqrt((2.0 / 2 / 2e7) ** 2 + (0.5 / 2 / 2e7) ** 2 + (0.1 / 2 / 2e7) ** 2)
    assert r.accumulated_u == pytest.approx(by_hand, rel=1e-12)
    assert r.links_left_out == 0
    v = g.verdict(INSTRUMENT, 100, DAY)
    assert v.traceable and v.accumulated_u == pytest.approx(by_hand, rel=1e-12) and v.root == (EXTERNAL, 1)


def test_relative_uncertainties_in_percent_and_links_left_out():
    g, _n, _e = province(edge_i=Edge(3, (INSTRUMENT, 100), (STANDARD, 11), D(2026, 5, 1), D(2027, 4, 30),
                                     certificate_no="KS-1", uncertainty=0.02, uncertainty_unit="%", k=2, source_id=3),
                         edge_p=replace(province()[2]["p"], uncertainty=None))
    r = g.check(INSTRUMENT, 100, DAY)
    assert r.traceable
    assert r.accumulated_u == pytest.approx(math.sqrt((0.02 / 2 / 100) ** 2 + (0.5 / 2 / 2e7) ** 2))
    assert r.links_left_out == 1


CASES = [
    # (what breaks, overrides, the link it breaks at, the reason's code)
    ("the instrument's certificate lapsed",
     {"edge_i": replace(province()[2]["i"], valid_until=D(2026, 5, 31))}, 1, "lapsed"),
    ("the instrument's certificate was revoked", {"edge_i": replace(province()[2]["i"], void=True)}, 1, "void"),
    ("a notice of non-conformity has no validity", {"edge_i": replace(province()[2]["i"], valid_until=None)}, 1,
     "no_validity"),
    ("verified only after the date of use", {"edge_i": replace(province()[2]["i"], on=D(2026, 7, 1))}, 1, "not_yet"),
    ("never verified", {"edge_i": None}, 1, "no_link"),
    ("the county standard's assessment certificate had lapsed when used",
     {"node_c": replace(province()[1]["c"], valid_until=D(2026, 4, 30))}, 1, "assessment"),
    ("the county standard did not yet exist when used",
     {"node_c": replace(province()[1]["c"], exists_from=D(2026, 5, 2), valid_from=D(2026, 5, 2))}, 1,
     "before_existed"),
    ("the standard's range does not reach the instrument's",
     {"edge_i": replace(province()[2]["i"], range_max=10)}, 1, "range"),
    ("the standard's U is too large against the MPE",
     {"edge_i": replace(province()[2]["i"], uncertainty=900.0)}, 1, "uncertainty"),
    ("the county standard's calibration lapsed before it was used",
     {"edge_c": replace(province()[2]["c"], valid_until=D(2026, 4, 1))}, 2, "lapsed"),
    ("the provincial standard's U is too large against the county standard's U",
     {"edge_c": replace(province()[2]["c"], uncertainty=1.0)}, 2, "uncertainty"),
    ("the calibrating laboratory is unknown",
     {"edge_p": replace(province()[2]["p"], parent=None, parent_name="某不知名实验室")}, 3, "unknown_parent"),
    ("the laboratory is not accepted as a root", {"node_nim": replace(province()[1]["nim"], accepted=False)}, 3,
     "not_accepted"),
    ("an accredited laboratory without accreditation data",
     {"node_nim": Node(EXTERNAL, 1, "某CNAS实验室", external_kind="cnas_lab", accepted=True)}, 3, "no_accreditation"),
    ("the laboratory's accreditation lapsed",
     {"node_nim": Node(EXTERNAL, 1, "某CNAS实验室", external_kind="cnas_lab", accepted=True, accreditation_no="L0001",
                       accreditation_valid_until=D(2025, 12, 31))}, 3, "accreditation_lapsed"),
    ("the laboratory is not accredited for the parameter",
     {"node_nim": Node(EXTERNAL, 1, "某CNAS实验室", external_kind="cnas_lab", accepted=True, accreditation_no="L0001",
                       scope_parameters=frozenset({"压力"}))}, 3, "not_authorised"),
    ("the top standard is neither a root nor calibrated", {"edge_p": None}, 3, "no_link"),
]


@pytest.mark.parametrize(("what", "overrides", "at", "code"), CASES, ids=[c[0] for c in CASES])
def test_broken_at_each_kind_of_link(what, overrides, at, code):
    g, _n, _e = province(**overrides)
    r = g.check(INSTRUMENT, 100, DAY)
    assert not r.traceable and r.accumulated_u is None
    assert r.broken_at.number == at
    assert code in [c for c, _p in r.broken_at.problems]
    v = g.verdict(INSTRUMENT, 100, DAY)
    assert not v.traceable and v.problem[0] in [c for c, _p in r.broken_at.problems]
    # each reason reads as a sentence in both languages
    c, p = r.broken_at.problems[0]
    assert chain.text(c, p, "en").endswith(".") and chain.text(c, p, "zh").endswith("。")


def test_units_that_differ_are_not_compared_and_say_so():
    g, _n, _e = province(edge_i=replace(province()[2]["i"], range_unit="N", requirement=(2.5, "N")))
    r = g.check(INSTRUMENT, 100, DAY)
    assert r.traceable
    assert {c for c, _p in r.steps[0].notes} == {"range_units", "uncertainty_units"}


def test_the_regulation_ratio_replaces_one_third():
    tight = replace(province()[1]["i"], ratio=(Fraction(1, 5000), "JJG 1-2000 5.1"))
    g, _n, _e = province(node_i=tight)
    r = g.check(INSTRUMENT, 100, DAY)
    (code, params), = r.steps[0].problems
    assert code == "uncertainty" and params["limit"] == "1/5000" and params["source"] == "JJG 1-2000 5.1"
    # one third of 2500 mg is 833 mg: 2 mg is fine by default
    assert province()[0].check(INSTRUMENT, 100, DAY).steps[0].ok


def test_a_cycle_is_named_and_ends_the_walk():
    # E2 calibrated by F1, F1 by E2: no root, the walk stops at the repeated node and names the members
    g, _n, _e = province(edge_p=Edge(1, (STANDARD, 10), (STANDARD, 11), D(2026, 1, 10), D(2027, 1, 9),
                                     certificate_no="X-1", source_id=1))
    r = g.check(INSTRUMENT, 100, DAY)
    assert not r.traceable
    cyc = [p for s in r.steps for c, p in s.problems if c == "cycle"]
    assert cyc and cyc[0]["members"] == "F1 weights → E2 weights → F1 weights"
    v = g.verdict(INSTRUMENT, 100, DAY)
    assert v.problem[0] == "cycle"
    s = g.check(STANDARD, 11, DAY)
    assert not s.traceable and any(c == "cycle" for st in s.steps for c, _p in st.problems)


def test_a_long_cycle_never_loops():
    n = 2000
    nodes = [Node(STANDARD, i, f"S{i}", "social_public", D(2020, 1, 1), D(2030, 1, 1)) for i in range(n)]
    edges = [Edge(i, (STANDARD, i), (STANDARD, (i + 1) % n), D(2026, 1, 1), D(2027, 1, 1), source_id=i)
             for i in range(n)]
    g = Graph(nodes, edges)
    import sys

    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 10 * n))
    try:
        r = g.check(STANDARD, 0, DAY)
    finally:
        sys.setrecursionlimit(old)
    assert not r.traceable and any(c == "cycle" for s in r.steps for c, _p in s.problems)


def test_a_national_primary_standard_is_a_root():
    g = Graph([Node(STANDARD, 1, "国家千克基准", "national_primary")], [])
    assert g.check(STANDARD, 1, DAY).traceable


def test_memoised_standards_give_the_same_answers_in_batch():
    g, _n, e = province()
    more = [Edge(100 + i, (INSTRUMENT, 1000 + i), (STANDARD, 11), D(2026, 5, 1), D(2027, 4, 30) if i % 3 else
                 D(2026, 5, 20), certificate_no=f"K-{i}", source_id=100 + i) for i in range(30)]
    g2 = Graph(list(g.nodes.values()) + [Node(INSTRUMENT, 1000 + i, f"i{i}") for i in range(30)],
               [*e.values(), *more])
    for i in range(30):
        full = g2.check(INSTRUMENT, 1000 + i, DAY)
        v = g2.verdict(INSTRUMENT, 1000 + i, DAY)
        assert full.traceable == v.traceable == bool(i % 3)
