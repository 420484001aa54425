"""Reverse traceability's walk (traceability/impact.py) against a brute-force fixpoint and the recursive CTE, on a
generated graph with cycles, void links and links outside the windows."""

import datetime as dt
import random

import pytest

from jiliang.traceability import impact
from jiliang.traceability.models import Link, LinkSource, NodeKind

D0 = dt.date(2024, 1, 1)


def brute(links, source, since, until):
    """The rule of the module docstring, computed the slow way: repeat over every link until nothing changes."""
    reached, start, changed = set(), {}, True
    while changed:
        changed = False
        for lk in links:
            if lk.void or lk.parent_id is None or (lk.child_kind == NodeKind.STANDARD and lk.child_id == source):
                continue
            if lk.parent_id == source:
                ok = since <= lk.on <= until
            else:
                ok = lk.parent_id in start and lk.on >= start[lk.parent_id]
            if not ok:
                continue
            if lk.id not in reached:
                reached.add(lk.id)
                changed = True
            if lk.child_kind == NodeKind.STANDARD and (lk.child_id not in start or lk.on < start[lk.child_id]):
                start[lk.child_id] = lk.on
                changed = True
    return reached


def generated(world, seed, standards=25, instruments=400):
    rng = random.Random(seed)
    rows = []

    def link(child_kind, child, parent, on, void=False):
        rows.append(Link(child_kind=child_kind, child_id=child, parent_kind=NodeKind.STANDARD, parent_id=parent,
                         on=on, source=LinkSource.IMPORTED, certificate_no=f"C{len(rows)}", void=void,
                         region_id="320583", organisation_id=world.ent_ks.pk))

    for s in range(2, standards + 1):  # each standard calibrated a few times by a lower-numbered one, or any
        for _k in range(rng.randint(1, 3)):
            parent = rng.randint(1, s - 1) if rng.random() < 0.8 else rng.randint(1, standards)
            if parent != s:
                link(NodeKind.STANDARD, s, parent, D0 + dt.timedelta(days=rng.randint(0, 700)))
    link(NodeKind.STANDARD, 1, 7, D0 + dt.timedelta(days=300))  # back to the source: a cycle
    link(NodeKind.STANDARD, 3, 9, D0 + dt.timedelta(days=50))
    link(NodeKind.STANDARD, 9, 3, D0 + dt.timedelta(days=60))  # 3 ↔ 9
    for i in range(instruments):
        link(NodeKind.INSTRUMENT, 10_000 + i, rng.randint(1, standards), D0 + dt.timedelta(days=rng.randint(0, 730)),
             void=rng.random() < 0.05)
    Link.objects.bulk_create(rows)
    return list(Link.objects.all())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_walk_matches_brute_force_and_the_cte(world, seed):
    links = generated(world, seed)
    for source, since, until in [(1, D0 + dt.timedelta(days=100), D0 + dt.timedelta(days=400)),
                                 (1, impact.EPOCH, D0 + dt.timedelta(days=800)),
                                 (4, D0 + dt.timedelta(days=200), D0 + dt.timedelta(days=600)),
                                 (3, D0, D0 + dt.timedelta(days=365))]:
        expected = brute(links, source, since, until)
        w = impact.walk(source, since=since, until=until)
        assert set(w.reached) == expected
        assert impact.walk_cte(source, since=since, until=until) == expected
        assert all(row.on >= since for row, depth in w.reached.values() if depth == 1)
        assert all(row.child_kind != NodeKind.STANDARD or row.child_id != source for row, _d in w.reached.values())


def test_a_cycle_ends_and_is_named(world):
    def link(child, parent, day):
        return Link.objects.create(child_kind=NodeKind.STANDARD, child_id=child, parent_kind=NodeKind.STANDARD,
                                   parent_id=parent, on=D0 + dt.timedelta(days=day), source=LinkSource.IMPORTED,
                                   region_id="320000", organisation_id=world.inst_p.pk)

    a, b, c = link(2, 1, 10), link(3, 2, 20), link(2, 3, 30)
    back = link(1, 3, 40)
    w = impact.walk(1, since=D0, until=D0 + dt.timedelta(days=100))
    assert set(w.reached) == {a.pk, b.pk, c.pk}
    assert [r.id for r in w.cycles] == [back.pk]
    assert {r.id: d for r, d in w.reached.values()} == {a.pk: 1, b.pk: 2, c.pk: 3}


def test_a_standard_reached_earlier_later_is_expanded_again(world):
    """Standard 3 is first reached on day 50 (depth 2) and later at day 10 (depth 3, through another path): what it
    calibrated from day 10 on is affected."""
    def link(child, parent, day, kind=NodeKind.STANDARD):
        return Link.objects.create(child_kind=kind, child_id=child, parent_kind=NodeKind.STANDARD, parent_id=parent,
                                   on=D0 + dt.timedelta(days=day), source=LinkSource.IMPORTED,
                                   region_id="320000", organisation_id=world.inst_p.pk)

    link(2, 1, 5), link(3, 2, 50), link(4, 1, 6), link(5, 4, 8), link(3, 5, 10)
    mid = link(900, 3, 20, NodeKind.INSTRUMENT)
    w = impact.walk(1, since=D0, until=D0 + dt.timedelta(days=100))
    assert mid.pk in w.reached
    assert set(w.reached) == brute(list(Link.objects.all()), 1, D0, D0 + dt.timedelta(days=100))
