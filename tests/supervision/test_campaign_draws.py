"""The pure draw (supervision/draws.py): reproducible, stratified, assignments balanced and never in the own county,
clear errors; the stream and the snapshot format as documented."""

import hashlib
import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiliang.supervision import draws as d

COUNTIES = ["320581", "320582", "320583", "320585"]


def population(n=400, seed=1, counties=COUNTIES, step=3):
    rng = random.Random(seed)
    return [(1 + i * step, rng.choice(counties)) for i in range(n)]


def test_stream_is_sha256_of_seed_purpose_k():
    numbers = d.stream("abc", "sample")
    first = next(numbers)
    assert first == int.from_bytes(hashlib.sha256(b"abc:sample:0").digest()[:8], "big")
    assert next(numbers) == int.from_bytes(hashlib.sha256(b"abc:sample:1").digest()[:8], "big")


def test_uniform_rejects_the_biased_tail():
    # r = 3 * 2^62 + 1: 2^64 mod r = 2^62 - 1, so the limit is r itself and every u >= r is discarded.
    r = 3 * 2**62 + 1
    limit = 2**64 - (2**64 % r)
    assert limit == r
    assert d.uniform(iter([limit, limit + 5, 7]), r) == 7
    assert d.uniform(iter([r + 2, r - 1]), r) == r - 1
    assert d.uniform(iter([2**64 - 1, 10]), 3) == 1  # 2^64 mod 3 = 1: only 2^64 - 1 is discarded


def test_partial_shuffle_matches_a_full_fisher_yates_by_hand():
    items = list("abcdefgh")
    got = d.partial_shuffle(items, 5, d.stream("hand", "sample"))
    a = list(items)
    numbers = d.stream("hand", "sample")
    for i in range(5):
        j = i + d.uniform(numbers, len(a) - i)
        a[i], a[j] = a[j], a[i]
    assert got == a[:5]
    assert items == list("abcdefgh")


def test_same_seed_same_sample_different_seed_different():
    pop = population()
    a = d.draw_sample(pop, "seed-1", 30, 3)
    assert a == d.draw_sample(pop, "seed-1", 30, 3)
    assert a.ids != d.draw_sample(pop, "seed-2", 30, 3).ids
    assert len(set(a.ids)) == 30
    assert dict(pop).keys() >= set(a.ids)
    assert all(dict(pop)[i] == c for i, c in zip(a.ids, a.counties, strict=True))


def test_sample_depends_only_on_ids_counties_seed_n_m():
    pop = population()
    shuffled = list(pop)
    random.Random(5).shuffle(shuffled)  # the order rows were inserted in: the caller sorts
    assert d.draw_sample(sorted(shuffled), "x", 25, 2) == d.draw_sample(pop, "x", 25, 2)
    with pytest.raises(d.DrawError, match="sorted"):
        d.draw_sample(shuffled, "x", 25, 2)


def test_at_least_m_per_county_first_then_the_rest():
    pop = population(counties=COUNTIES)
    s = d.draw_sample(pop, "strata", 30, 5)
    assert s.stratified == 20
    first = s.counties[:20]
    assert first == sorted(first)  # county by county in code order
    assert Counter(first) == dict.fromkeys(COUNTIES, 5)
    assert all(n >= 5 for n in Counter(s.counties).values())


def test_a_county_smaller_than_m_is_taken_whole_and_named():
    pop = [(i, "320581") for i in range(1, 41)] + [(100 + i, "320582") for i in range(2)]
    s = d.draw_sample(pop, "s", 10, 3)
    assert s.short_counties == {"320582": 2}
    assert {100, 101} <= set(s.ids)
    assert s.stratified == 5


def test_errors():
    pop = population(50)
    with pytest.raises(d.DrawError, match="empty") as e:
        d.draw_sample([], "s", 1)
    assert e.value.field == "population"
    with pytest.raises(d.DrawError, match="larger than the population of 50"):
        d.draw_sample(pop, "s", 51)
    with pytest.raises(d.DrawError, match="at least 1"):
        d.draw_sample(pop, "s", 0)
    with pytest.raises(d.DrawError, match="needs at least 20") as e:
        d.draw_sample(pop, "s", 19, 5)  # n < m x counties
    assert e.value.params == {"needed": 20, "counties": 4}
    with pytest.raises(d.DrawError, match="seed"):
        d.draw_sample(pop, "", 5)


def test_whole_population():
    pop = population(30)
    s = d.draw_sample(pop, "all", 30, 2)
    assert sorted(s.ids) == [i for i, _c in pop]


@settings(max_examples=60, deadline=None)
@given(size=st.integers(1, 120), n_frac=st.floats(0.01, 1), m=st.integers(0, 6), seed=st.text(min_size=1, max_size=8),
       k=st.integers(1, 5))
def test_property_valid_samples(size, n_frac, m, seed, k):
    pop = population(size, seed=size, counties=COUNTIES[:k])
    n = max(1, int(size * n_frac))
    sizes = Counter(c for _i, c in pop)
    needed = sum(min(m, v) for v in sizes.values())
    if n < needed:
        with pytest.raises(d.DrawError):
            d.draw_sample(pop, seed, n, m)
        return
    s = d.draw_sample(pop, seed, n, m)
    assert len(s.ids) == len(set(s.ids)) == n
    got = Counter(s.counties)
    assert all(got[c] >= min(m, v) for c, v in sizes.items())


def test_assignment_is_balanced_and_reproducible():
    counties = [c for _i, c in population(40)]
    inspectors = [(3, "320581"), (7, "320582"), (9, "320583")]
    a = d.assign_inspectors(counties, inspectors, "s")
    assert a == d.assign_inspectors(counties, inspectors, "s")
    loads = d.loads(a)
    assert max(loads.values()) - min(loads.values()) <= 1 and sum(loads.values()) == 40
    assert d.assign_inspectors(counties, inspectors, "other") != a


def test_exclude_own_county_never_assigns_home_and_stays_even():
    pop = population(60, counties=COUNTIES[:3])
    counties = [c for _i, c in pop]
    inspectors = [(1, "320581"), (2, "320582"), (3, "320583"), (4, "320581")]
    home = dict(inspectors)
    a = d.assign_inspectors(counties, inspectors, "s", exclude_own_county=True)
    assert all(home[i] != c for i, c in zip(a, counties, strict=True))
    loads = d.loads(a)
    assert max(loads.values()) - min(loads.values()) <= 1


def test_exclusion_that_forces_an_uneven_load():
    # every 320581 target can only go to inspector 2 (the others work in 320581): 7 of 8 is the best there is
    a = d.assign_inspectors(["320581"] * 7 + ["320582"], [(1, "320581"), (2, "320582"), (5, "320581")], "s", True)
    assert a[:7] == [2] * 7 and a[7] in (1, 5)


def test_cost_reducing_paths_even_out_a_greedy_start():
    # targets: 2 in A, then 4 in B; inspectors a (A), b (B), c (C). The optimum is 2/2/2.
    counties = ["A", "A", "B", "B", "B", "B"]
    for seed in ("1", "2", "3", "4", "5"):
        a = d.assign_inspectors(counties, [(1, "A"), (2, "B"), (3, "C")], seed, True)
        assert sorted(d.loads(a).values()) == [2, 2, 2]
        assert all(not (i == 1 and c == "A") and not (i == 2 and c == "B") for i, c in zip(a, counties, strict=True))


def test_impossible_assignment():
    with pytest.raises(d.DrawError, match="320583") as e:
        d.assign_inspectors(["320581", "320583"], [(1, "320583"), (2, "320583")], "s", exclude_own_county=True)
    assert e.value.field == "inspectors"
    with pytest.raises(d.DrawError, match="at least one inspector"):
        d.assign_inspectors(["320581"], [], "s")


def test_snapshot_round_trip_and_hash():
    pop = population(100)
    packed = d.pack_population(pop)
    assert len(packed) == 14 * 100
    assert packed[:8] == (1).to_bytes(8, "big")
    assert packed[800:806] == pop[0][1].encode()
    assert d.unpack_population(packed) == pop
    assert d.population_hash(packed) == hashlib.sha256(packed).hexdigest()
    with pytest.raises(ValueError):
        d.unpack_population(packed[:-1])
