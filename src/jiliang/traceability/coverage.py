"""Coverage of social public standards (plan indicator 2) read from the database: the rules are coverage_rules.py's,
this module reads what they need in a few aggregate queries (instruments grouped by category, region, range and
class; the serving standards on the date; the accepted external laboratories; the target), and says who may see
which region's figures.

Who sees what (docs/traceability-coverage.md): market supervision bureaus and institutes see the figures of their
own region subtree and the province's (a city sees itself and the province, not its neighbours); the province's
breakdown by region lists only the rows inside the user's own subtree. Enterprises and the public are refused.
Figures are aggregates: no instrument or owner is named.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum

from jiliang.core.models import Region, RegionLevel
from jiliang.core.regions import PROVINCE_CODE, group_under, is_within, subtree_codes
from jiliang.core.roles import BUREAU_ROLES, Role
from jiliang.core.scoping import is_unrestricted, user_role
from jiliang.registry.models import MeasurementStandard, StandardStatus
from jiliang.verification.decisions import DEFAULT_UNCERTAINTY_RATIO, DEFAULT_UNCERTAINTY_SOURCE

from . import coverage_rules as rules
from .models import CoverageCount, CoverageMember, CoverageTarget, ExternalKind, ExternalNode

READER_ROLES = BUREAU_ROLES | {Role.INSTITUTE}


class BadParameter(ValueError):
    """A query parameter that cannot be read; the message begins with the parameter's name."""


def root_of(user) -> str:
    """The region subtree whose figures the user reads in full; PermissionDenied for enterprises and the public."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied
    if is_unrestricted(user):
        return PROVINCE_CODE
    if user_role(user) not in READER_ROLES or not user.region_id:
        raise PermissionDenied
    return user.region_id


def may_edit_targets(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        is_unrestricted(user) or user_role(user) == Role.PROVINCIAL_BUREAU)


def check_region(user, code: str | None) -> str:
    """The region asked for: the user's own subtree or the province; default the user's own region."""
    root = root_of(user)
    if not code:
        return root
    if not Region.objects.filter(code=code).exists():
        raise BadParameter(f"region: unknown code {code!r}")
    if code != PROVINCE_CODE and not is_within(code, root):
        raise PermissionDenied
    return code


def parse_date(raw: str | None, today: dt.date) -> dt.date:
    if not raw:
        return today
    try:
        return dt.date.fromisoformat(str(raw).strip())
    except ValueError as exc:
        raise BadParameter(f"date: {raw!r} is not a date (YYYY-MM-DD)") from exc


def city_map(rows: dict[str, tuple] | None = None) -> dict[str, str | None]:
    """Region code → its prefecture-level city (None for the province itself); ``rows``: code → (parent, level)."""
    if rows is None:
        rows = region_rows()
    out: dict[str, str | None] = {}
    for code in rows:
        c = code
        while c and rows.get(c, (None, None))[1] != RegionLevel.PREFECTURE:
            c = rows.get(c, (None, None))[0]
        out[code] = c
    return out


def region_rows() -> dict[str, tuple[str | None, str]]:
    return {code: (parent, level) for code, parent, level in Region.objects.values_list("code", "parent_id", "level")}


def capabilities(on: dt.date, cities: dict[str, str | None]) -> list[rules.Capability]:
    """The serving standards on ``on``: in use, social public or provincial highest, assessment certificate valid."""
    qs = (MeasurementStandard.objects.filter(status=StandardStatus.IN_USE, level__in=rules.SERVING_LEVELS,
                                             valid_until__gte=on, institute__region_id__in=subtree_codes(PROVINCE_CODE))
          .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
          .values_list("pk", "name", "parameter", "domain", "range_min", "range_max", "range_unit", "uncertainty",
                       "uncertainty_unit", "institute__region_id"))
    return [rules.Capability(id=pk, name=name, parameter=param, domain=domain, range_min=lo, range_max=hi, unit=unit,
                             uncertainty=u, uncertainty_unit=u_unit, city=cities.get(region))
            for pk, name, param, domain, lo, hi, unit, u, u_unit, region in qs]


def groups(region: str, on: dt.date, cities: dict[str, str | None]) -> list[rules.Group]:
    """Instruments in use in the region subtree: mandatory, in service, installed by ``on`` (or without a date).

    Read from coverage_counts.py's counters in two aggregate queries whatever the number of instruments: the
    counts of whole installation months before ``on``'s month (and of instruments without a date), and the
    members installed from the first of ``on``'s month to ``on`` itself (a month's installations, by index)."""
    codes = subtree_codes(region)
    fields = ("category__code", "category__domain", "region_id", "range_min", "range_max", "range_unit",
              "accuracy_class")
    month = on.year * 100 + on.month
    whole = (CoverageCount.objects.filter(month__lt=month, group__region_id__in=codes)
             .values_list(*(f"group__{f}" for f in fields)).annotate(n=Sum("n")).order_by())
    part = (CoverageMember.objects.filter(installed_on__gte=on.replace(day=1), installed_on__lte=on,
                                          group__region_id__in=codes)
            .values_list(*(f"group__{f}" for f in fields)).annotate(n=Count("pk")).order_by())
    counts: dict[tuple, int] = {}
    for *key, n in [*whole, *part]:
        counts[tuple(key)] = counts.get(tuple(key), 0) + n
    return [rules.Group(category=cat, domain=domain, region=reg, city=cities.get(reg), range_min=lo, range_max=hi,
                        unit=unit or "", accuracy_class=klass or "", count=n)
            for (cat, domain, reg, lo, hi, unit, klass), n in counts.items() if n]


def outside_labs(on: dt.date, parameters) -> dict[str, tuple[str, ...]]:
    """Parameter → the accepted external laboratories whose scope names it (accreditation valid on ``on`` where
    the node is an accredited laboratory)."""
    nodes = ExternalNode.objects.filter(accepted=True).only("name", "kind", "scope_text", "accreditation_valid_until")
    out: dict[str, list[str]] = {}
    for node in nodes:
        if node.kind != ExternalKind.NATIONAL_INSTITUTE and node.accreditation_valid_until \
                and node.accreditation_valid_until < on:
            continue
        for p in parameters:
            if p and p in (node.scope_text or ""):
                out.setdefault(p, []).append(node.name)
    return {k: tuple(v) for k, v in out.items()}


def target_for(region: str, year: int, parents: dict[str, str | None] | None = None) -> CoverageTarget | None:
    """The target that holds for the region in the year: the region's own, else its nearest ancestor's (a city
    without its own target is held to the province's); of the year, else the last one set before it (the plan's
    2020 target stands until replaced). One query (plus the region tree when ``parents`` is not given)."""
    if parents is None:
        parents = dict(Region.objects.values_list("code", "parent_id"))
    chain, code = [], region
    while code and code not in chain:
        chain.append(code)
        code = parents.get(code)
    found = list(CoverageTarget.objects.filter(region_id__in=chain, year__lte=year))
    if not found:
        return None
    return min(found, key=lambda t: (year - t.year, chain.index(t.region_id)))


@dataclass
class Coverage:
    region: str
    on: dt.date
    result: rules.Result
    target: CoverageTarget | None
    rows_hidden: int = 0

    @property
    def meets_target(self) -> bool | None:
        if self.target is None or self.result.total.rate is None:
            return None
        return self.result.total.rate * 100 >= float(self.target.target_percent)


def compute(region: str, on: dt.date, *, user=None) -> Coverage:
    """The coverage of the region subtree on the date (the region already checked for the user)."""
    rows = region_rows()
    cities = city_map(rows)
    caps = capabilities(on, cities)
    grps = groups(region, on, cities)
    needs = rules.load_needs()
    params = {n.parameter for ns in needs.values() for n in ns}
    result = rules.evaluate(grps, caps, needs, ratio=DEFAULT_UNCERTAINTY_RATIO, region_of=group_under(region),
                            outside_labs=outside_labs(on, params))
    hidden = 0
    if user is not None and not is_unrestricted(user) and region == PROVINCE_CODE:
        own = root_of(user)
        if own != PROVINCE_CODE:
            mine = set(subtree_codes(own))
            keep = {k: v for k, v in result.by_region.items() if k in mine}
            hidden = len(result.by_region) - len(keep)
            result.by_region = keep
            for gap in result.gaps:
                gap.regions = {r for r in gap.regions if r in mine}
    return Coverage(region, on, result, target_for(region, on.year, {k: v[0] for k, v in rows.items()}), hidden)


UNCERTAINTY_RULE = DEFAULT_UNCERTAINTY_SOURCE
