"""The random draw of a spot-check campaign (监督抽查, 双随机) and the random assignment of inspectors. Pure: no Django.

Everything here is a function of its arguments only, so that anyone can draw again from the published population
and seed and get the same targets, with this module or with another tool (docs/supervision-campaigns.md).

Random numbers (one stream per purpose)
    The k-th 64-bit number (k = 0, 1, 2, …) of the stream ``purpose`` ("sample" or "assign") is the first 8 bytes,
    read as an unsigned big-endian integer, of SHA-256 over the UTF-8 text ``<seed>:<purpose>:<k>`` (k in decimal),
    e.g. ``sha256("2026-demo:sample:0")``. SHA-256 is FIPS 180-4; any shell can compute it (``printf '%s'
    '2026-demo:sample:0' | sha256sum``), so the draw does not depend on a library's generator or its version.

Uniform integer in [0, r)
    Take the next number u of the stream; if u ≥ 2^64 − (2^64 mod r), discard it and take the next (rejection,
    so every value is exactly equally likely); else the value is u mod r.

Partial Fisher–Yates (Durstenfeld's shuffle, Knuth TAOCP vol. 2, 3.4.2, algorithm P, stopped after k steps)
    To draw k of the list a[0..N−1]: for i = 0 … k−1: j = i + uniform(N − i); swap a[i] and a[j]; a[i] is the
    i-th drawn.

The sample (:func:`draw_sample`)
    The population is a list of (id, county code) sorted by id ascending, ids unique. With n the sample size and
    m the minimum per county:

    1. for each county in ascending code order, its members in id order: draw min(m, size of the county) of them
       (a county smaller than m is taken whole, and the result says so);
    2. the members not drawn in step 1, in id order: draw the rest (n minus the step-1 count).

    Both steps use the one stream "sample", in that order. The sample is the step-1 draws (county by county, in
    draw order) followed by the step-2 draws. Errors: an empty population, n < 1, n larger than the population,
    n smaller than what step 1 needs (the sum over counties of min(m, size)).

The assignment (:func:`assign_inspectors`)
    Inspectors are (id, county) sorted by id. Stream "assign": shuffle the inspectors with the full Fisher–Yates
    above (their priority order). Then each target in draw order goes to the inspector who may take it with the
    fewest targets so far, ties to the earlier in priority order (may take: any inspector, or with
    ``exclude_own_county`` one whose county is not the target's). This is a round robin in a random order: the
    counts differ by at most one when every inspector may take every target. When the exclusion binds, the
    assignment is then evened out by cost-reducing paths (Harvey, Ladner, Lovász and Tamir, "Semi-matchings for
    bipartite graphs and load balancing", J. Algorithms 59 (2006) 53–78): while some inspector A has a chain of
    moves A → B → … → Z (each move hands the earliest target of one inspector that the next may take) ending at
    an inspector Z with at least two targets fewer than A, the moves are made. At the end no such chain exists,
    which is the paper's condition for an optimal (most even) assignment. Chains are searched breadth-first,
    the heaviest inspector first (ties: priority order), neighbours in priority order, the lightest end found
    (ties: first found). An assignment is impossible when a county's targets have no inspector who may take them.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import operator
import sys
from array import array
from collections import Counter, defaultdict, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

TWO_64 = 1 << 64


class DrawError(ValueError):
    """The draw cannot be made: ``field`` names the input at fault (for a form or an API answer)."""

    def __init__(self, message: str, field: str = "sample_size", **params):
        super().__init__(message)
        self.field = field
        self.params = params


def stream(seed: str, purpose: str) -> Iterator[int]:
    """The 64-bit numbers of ``purpose``'s stream: SHA-256("<seed>:<purpose>:<k>")[:8], big-endian, k = 0, 1, …"""
    k = 0
    prefix = f"{seed}:{purpose}:".encode()
    while True:
        yield int.from_bytes(hashlib.sha256(prefix + str(k).encode()).digest()[:8], "big")
        k += 1


def uniform(numbers: Iterator[int], r: int) -> int:
    """A uniform integer in [0, r) from ``numbers`` by rejection (see the module docstring)."""
    if r < 1:
        raise ValueError("empty range")
    limit = TWO_64 - (TWO_64 % r)
    while True:
        u = next(numbers)
        if u < limit:
            return u % r


def partial_shuffle(items: Sequence, k: int, numbers: Iterator[int]) -> list:
    """The first k of a Fisher–Yates shuffle of ``items`` (the list itself is left alone): swaps are kept in a dict,
    so drawing k of N costs O(k), not O(N)."""
    n = len(items)
    swapped: dict[int, object] = {}
    out = []
    for i in range(k):
        j = i + uniform(numbers, n - i)
        a_j = swapped.get(j, items[j])
        swapped[j] = swapped.get(i, items[i])
        out.append(a_j)
    return out


@dataclass(frozen=True)
class Sample:
    """The drawn ids in draw order with their counties, how many came from step 1, and the counties smaller than
    the minimum (taken whole)."""

    ids: list[int]
    counties: list[str]
    stratified: int
    short_counties: dict[str, int] = field(default_factory=dict)


def draw_sample(population: Sequence[tuple[int, str]], seed: str, n: int, m: int = 0) -> Sample:
    """Draw ``n`` of ``population`` ((id, county) sorted by id), at least ``m`` per county (module docstring)."""
    if not seed:
        raise DrawError("The seed is empty.", "seed")
    if not population:
        raise DrawError("The population is empty: no instrument or owner is in the campaign's scope.", "population")
    if n < 1:
        raise DrawError("The sample size must be at least 1.")
    if m < 0:
        raise DrawError("The minimum per county cannot be negative.", "min_per_county")
    if n > len(population):
        raise DrawError(f"The sample of {n} is larger than the population of {len(population)}.")
    pids = [pid for pid, _c in population]
    if not all(map(operator.lt, pids, itertools.islice(pids, 1, None))):
        raise DrawError("The population must be sorted by id, each id once.", "population")
    sizes = Counter(c for _p, c in population)
    needed = sum(min(m, size) for size in sizes.values())
    if n < needed:
        raise DrawError(f"A sample of {n} cannot hold {m} from each of the {len(sizes)} counties: "
                        f"it needs at least {needed}.", needed=needed, counties=len(sizes))
    numbers = stream(seed, "sample")
    taken: list[int] = []  # positions in the population
    short: dict[str, int] = {}
    if m:
        by_county: dict[str, list[int]] = defaultdict(list)
        for pos, (_pid, county) in enumerate(population):
            by_county[county].append(pos)
        for county in sorted(by_county):
            members = by_county[county]
            k = min(m, len(members))
            if k < m:
                short[county] = len(members)
            taken.extend(partial_shuffle(members, k, numbers))
    stratified = len(taken)
    if n > stratified:
        taken.extend(partial_shuffle(_Without(len(population), sorted(taken)), n - stratified, numbers))
    ids = [population[pos][0] for pos in taken]
    counties = [population[pos][1] for pos in taken]
    return Sample(ids=ids, counties=counties, stratified=stratified, short_counties=short)


class _Without:
    """The positions 0 … size−1 without ``taken`` (sorted), as a read-only sequence in ascending order: the i-th
    is found by bisection instead of building the list (a million members, a few hundred taken)."""

    def __init__(self, size: int, taken: list[int]):
        self.size, self.taken = size, taken

    def __len__(self) -> int:
        return self.size - len(self.taken)

    def __getitem__(self, j: int) -> int:
        i = j
        while True:  # the smallest i with i = j + #(taken <= i): the j-th position not taken
            nxt = j + bisect.bisect_right(self.taken, i)
            if nxt == i:
                return i
            i = nxt


def assign_inspectors(target_counties: Sequence[str], inspectors: Sequence[tuple[int, str]], seed: str,
                      exclude_own_county: bool = False) -> list[int]:
    """The inspector id of each target (given by its county, in draw order): module docstring, "The assignment"."""
    if not target_counties:
        return []
    if not inspectors:
        raise DrawError("Name at least one inspector before drawing.", "inspectors")
    ids = [i for i, _c in inspectors]
    if ids != sorted(set(ids)):
        raise DrawError("The inspectors must be sorted by id, each once.", "inspectors")
    priority = partial_shuffle(list(inspectors), len(inspectors), stream(seed, "assign"))
    rank = {iid: r for r, (iid, _c) in enumerate(priority)}
    home = dict(inspectors)

    def may(iid: int, county: str) -> bool:
        return not exclude_own_county or home[iid] != county

    eligible: dict[str, list[int]] = {}
    for county in sorted(set(target_counties)):
        eligible[county] = [iid for iid, _c in priority if may(iid, county)]
        if not eligible[county]:
            raise DrawError(f"No inspector may check county {county}: every inspector of the campaign works there "
                            f"and inspectors never check their own county.", "inspectors", county=county)
    load = {iid: 0 for iid, _c in priority}
    held: dict[int, list[int]] = {iid: [] for iid, _c in priority}  # target positions, ascending
    out: list[int] = []
    for pos, county in enumerate(target_counties):
        iid = min(eligible[county], key=lambda i: (load[i], rank[i]))
        out.append(iid)
        load[iid] += 1
        held[iid].append(pos)
    if exclude_own_county:
        _even_out(out, target_counties, priority, rank, load, held, may)
    return out


def _even_out(out, target_counties, priority, rank, load, held, may) -> None:
    """Make cost-reducing paths until none is left (module docstring)."""
    order = [iid for iid, _c in priority]
    while True:
        for start in sorted(order, key=lambda i: (-load[i], rank[i])):
            path = _cheaper_chain(start, target_counties, order, load, held, may)
            if path:
                for giver, taker, pos in path:
                    held[giver].remove(pos)
                    held[taker].append(pos)
                    held[taker].sort()
                    out[pos] = taker
                load[path[0][0]] -= 1
                load[path[-1][1]] += 1
                break
        else:
            return


def _cheaper_chain(start, target_counties, order, load, held, may):
    """Breadth-first from ``start``: moves (giver, taker, target position) to an inspector with at least two targets
    fewer than ``start``, or None."""
    came: dict[int, tuple[int, int] | None] = {start: None}
    queue = deque([start])
    best = None
    while queue:
        giver = queue.popleft()
        for taker in order:
            if taker in came:
                continue
            pos = next((p for p in held[giver] if may(taker, target_counties[p])), None)
            if pos is None:
                continue
            came[taker] = (giver, pos)
            queue.append(taker)
            if load[taker] <= load[start] - 2 and (best is None or load[taker] < load[best]):
                best = taker
    if best is None:
        return None
    path = []
    node = best
    while came[node] is not None:
        giver, pos = came[node]
        path.append((giver, node, pos))
        node = giver
    return list(reversed(path))


def loads(assignment: Sequence[int]) -> dict[int, int]:
    """How many targets each inspector got."""
    out: dict[int, int] = {}
    for iid in assignment:
        out[iid] = out.get(iid, 0) + 1
    return out


# -- the population snapshot ------------------------------------------------------------------------------------

COUNTY_BYTES = 6


def pack_population(population: Sequence[tuple[int, str]]) -> bytes:
    """The snapshot's bytes: every id as 8 bytes unsigned big-endian, in id order, then every county code as
    6 ASCII digits in the same order. Its SHA-256 is the population's hash."""
    ids = array("Q", (pid for pid, _c in population))
    if sys.byteorder == "little":
        ids.byteswap()
    counties = "".join(c for _p, c in population).encode("ascii")
    if len(counties) != COUNTY_BYTES * len(population):
        raise ValueError("every county code has six digits")
    return ids.tobytes() + counties


def unpack_population(data: bytes) -> list[tuple[int, str]]:
    """The inverse of :func:`pack_population`."""
    if len(data) % (8 + COUNTY_BYTES):
        raise ValueError("a population snapshot holds 14 bytes per member")
    n = len(data) // (8 + COUNTY_BYTES)
    ids = array("Q")
    ids.frombytes(data[:8 * n])
    if sys.byteorder == "little":
        ids.byteswap()
    text = data[8 * n:].decode("ascii")
    return [(pid, text[COUNTY_BYTES * i:COUNTY_BYTES * (i + 1)]) for i, pid in enumerate(ids)]


def population_hash(packed: bytes) -> str:
    return hashlib.sha256(packed).hexdigest()
