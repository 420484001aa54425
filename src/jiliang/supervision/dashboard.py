"""The bureaus' supervision dashboard: rates and status counts of a region subtree, read from the counters only
(supervision.counters: StatusCount, DueCount, EventCount), never from events or instruments, so that a page costs
the same for ten instruments and ten million (bench/supervision_dashboard.py).

Scope: a bureau sees its region subtree (the province everything, a city its districts and counties, a county
itself): :func:`root_of` and :func:`check_region`. Rates are rates.py's, with their definition and version.

Targets shown against the figures (sources in docs/supervision.md):

* :data:`TARGET_VERIFICATION_RATE` 98 %: 强制检定计量器具受检率 of the province's plan (专栏1, item 7).
* :data:`COLUMN10_TARGETS`: markets and clinics (专栏10): 受检率 100 %, 合格率 ≥ 95 %.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from jiliang.core.models import Region
from jiliang.core.regions import PROVINCE_CODE, group_under, is_within, subtree_codes
from jiliang.core.roles import BUREAU_ROLES
from jiliang.core.scoping import is_unrestricted, user_role
from jiliang.registry.models import OrganisationKind

from . import counters, lifecycle, rates

TARGET_VERIFICATION_RATE = 0.98  # plan 专栏1 item 7: 强制检定计量器具受检率 98 %
COLUMN10_KINDS = (OrganisationKind.MARKET, OrganisationKind.HOSPITAL)  # 专栏10: markets, (rural) clinics
COLUMN10_TARGETS = {"verification_rate": 1.0, "pass_rate": 0.95}  # 专栏10: 受检率 100 %, 合格率 ≥ 95 %
SHOWN_STATUSES = (lifecycle.VALID, lifecycle.DUE_SOON, lifecycle.OVERDUE, lifecycle.FAILED,
                  lifecycle.NEVER_VERIFIED, lifecycle.LIFE_ENDED)
DIMENSIONS = {"region": "region_id", "category": "category_id", "usage": "usage", "owner_kind": "owner_kind"}


class BadParameter(ValueError):
    """A query parameter the dashboard cannot read; the message names the parameter."""


def root_of(user) -> str:
    """The region whose subtree the user supervises; PermissionDenied for anyone but a bureau (or a superuser)."""
    if is_unrestricted(user):
        return PROVINCE_CODE
    if user_role(user) not in BUREAU_ROLES or not user.region_id:
        raise PermissionDenied
    return user.region_id


def check_region(user, code: str | None) -> str:
    """The region asked for, if it lies in the user's subtree (else PermissionDenied); the root when not given."""
    root = root_of(user)
    if not code:
        return root
    if not Region.objects.filter(code=code).exists():
        raise BadParameter(f"region: unknown code {code!r}")
    if not is_within(code, root):
        raise PermissionDenied
    return code


_PERIOD = re.compile(r"^(\d{4})(?:-(?:(\d{2})|Q([1-4])))?$")


def parse_period(raw: str | None, today: dt.date) -> rates.Period:
    """``2025`` (a year), ``2025-Q2`` (a quarter) or ``2025-06`` (a month); default: the current year."""
    if not raw:
        return rates.Period.year(today.year)
    m = _PERIOD.match(raw.strip())
    if not m:
        raise BadParameter(f"period: {raw!r} is not a year (2025), a quarter (2025-Q2) or a month (2025-06)")
    year = int(m.group(1))
    if m.group(2):
        month = int(m.group(2))
        if not 1 <= month <= 12:
            raise BadParameter(f"period: month {month} is not between 01 and 12")
        return rates.Period.month(year, month)
    if m.group(3):
        q = int(m.group(3))
        return rates.Period.months(year * 100 + 3 * q - 2, year * 100 + 3 * q)
    return rates.Period.year(year)


def period_label(period: rates.Period) -> str:
    first, last = period.first_month, period.last_month
    if first == last:
        return f"{first // 100}-{first % 100:02d}"
    if first % 100 == 1 and last % 100 == 12 and first // 100 == last // 100:
        return str(first // 100)
    if (first % 100) % 3 == 1 and last - first == 2:
        return f"{first // 100}-Q{(first % 100 + 2) // 3}"
    return f"{period.start:%Y-%m}…{period.end:%Y-%m}"


@dataclass
class Filters:
    region: str
    period: rates.Period
    category: int | None = None
    usage: str | None = None
    owner_kind: str | None = None
    key: bool = False
    extra: Q = field(default_factory=Q)

    def scope(self, region: str | None = None) -> Q:
        region = region or self.region
        return counters.scope_filter(
            regions=None if region == PROVINCE_CODE else subtree_codes(region),  # the province: every row
            categories=None if self.category is None else [self.category],
            usages=None if self.usage is None else [self.usage],
            owner_kinds=None if self.owner_kind is None else [self.owner_kind],
            key_only=self.key) & self.extra


def parse_filters(user, params, today: dt.date) -> Filters:
    """The dashboard's and the API's query parameters: region, period, category, usage, owner_kind, key."""
    from jiliang.registry.models import Usage

    region = check_region(user, params.get("region") or None)
    category = params.get("category") or None
    if category is not None:
        if not str(category).isdigit():
            raise BadParameter(f"category: {category!r} is not a category id")
        category = int(category)
    usage = params.get("usage") or None
    if usage is not None and usage not in Usage.values:
        raise BadParameter(f"usage: unknown usage {usage!r}")
    kind = params.get("owner_kind") or None
    if kind is not None and kind not in OrganisationKind.values:
        raise BadParameter(f"owner_kind: unknown kind {kind!r}")
    key = str(params.get("key") or "").lower() in ("1", "true", "yes", "on")
    return Filters(region, parse_period(params.get("period"), today), category, usage, kind, key)


@dataclass
class Row:
    """One line of a table: a group's status counts today and its rates in the period."""

    key: object
    label: str
    statuses: dict[str, int]
    on_time: rates.Rate
    by_end: rates.Rate
    passed: rates.Rate

    @property
    def counted(self) -> int:
        return sum(self.statuses.get(s, 0) for s in SHOWN_STATUSES)

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label, "statuses": {s: self.statuses.get(s, 0) for s in SHOWN_STATUSES},
                "rates": [self.on_time.as_dict(), self.by_end.as_dict(), self.passed.as_dict()]}


def _rates(due_rows, event_rows, period) -> tuple[rates.Rate, rates.Rate, rates.Rate]:
    return (rates.verification_rate_from_counts(due_rows, period),
            rates.verification_rate_from_counts(due_rows, period, by_end=True),
            rates.pass_rate_from_counts(event_rows, period))


def total(f: Filters, label: str = "") -> Row:
    scope = f.scope()
    due = counters.due_counts(scope, f.period).get(None, [])
    ev = counters.event_counts(scope, f.period).get(None, [])
    return Row(f.region, label, counters.status_counts(scope).get(None, {}), *_rates(due, ev, f.period))


def _grouped(f: Filters, column: str, group=lambda k: k) -> dict:
    """{group: (statuses, due rows, event rows)} with counter rows grouped by ``column`` then mapped by ``group``."""
    scope = f.scope()
    out: dict = {}

    def slot(k):
        return out.setdefault(group(k), ({}, [], []))

    for k, st in counters.status_counts(scope, by=column).items():
        s = slot(k)[0]
        for status, n in st.items():
            s[status] = s.get(status, 0) + n
    for k, rows in counters.due_counts(scope, f.period, by=column).items():
        slot(k)[1].extend(rows)
    for k, rows in counters.event_counts(scope, f.period, by=column).items():
        slot(k)[2].extend(rows)
    return out


def by_child_region(f: Filters) -> list[Row]:
    """The regions directly below the filter's region (a county: itself), by code."""
    groups = group_under(f.region)
    data = _grouped(f, "region_id", lambda code: groups.get(code, f.region))
    names = {r.code: r.display_name for r in Region.objects.filter(code__in=list(data))}
    return [Row(code, names.get(code, code), st, *_rates(due, ev, f.period))
            for code, (st, due, ev) in sorted(data.items())]


def by_dimension(f: Filters, dim: str) -> list[Row]:
    """Rows by category, usage or owner kind, largest first."""
    from jiliang.registry.models import InstrumentCategory, Usage

    data = _grouped(f, DIMENSIONS[dim])
    if dim == "category":
        labels = {c.pk: str(c) for c in InstrumentCategory.objects.filter(pk__in=list(data))}
    elif dim == "usage":
        labels = dict(Usage.choices)
    else:
        labels = dict(OrganisationKind.choices)
    rows = [Row(k, str(labels.get(k, k)), st, *_rates(due, ev, f.period)) for k, (st, due, ev) in data.items()]
    return sorted(rows, key=lambda r: (-r.counted, r.label))


def trend(f: Filters) -> list[dict]:
    """受检率 (on time) and 合格率 of each month of the period."""
    scope = f.scope()
    due = counters.due_counts(scope, f.period).get(None, [])
    ev = counters.event_counts(scope, f.period).get(None, [])
    out = []
    for key in f.period.month_keys():
        month = rates.Period.months(key, key)
        out.append({"month": f"{key // 100}-{key % 100:02d}",
                    "on_time": rates.verification_rate_from_counts(due, month),
                    "passed": rates.pass_rate_from_counts(ev, month)})
    return out


def ranking(rows: list[Row]) -> list[dict]:
    """The child regions by 受检率 on time, best first (no instrument due: last), against the 98 % target."""
    ranked = sorted(rows, key=lambda r: (r.on_time.value is None, -(r.on_time.value or 0), r.key))
    return [{"row": r, "rank": n, "meets": r.on_time.value is not None and r.on_time.value >= TARGET_VERIFICATION_RATE}
            for n, r in enumerate(ranked, 1)]


def column10(f: Filters) -> list[dict]:
    """专栏10: markets and clinics, 受检率 (target 100 %) and 合格率 (target ≥ 95 %), by owner kind."""
    out = []
    for kind in COLUMN10_KINDS:
        sub = Filters(f.region, f.period, f.category, f.usage, kind, f.key, f.extra)
        row = total(sub, str(OrganisationKind(kind).label))
        out.append({"row": row, "kind": kind,
                    "meets_on_time": row.on_time.value is not None
                    and row.on_time.value >= COLUMN10_TARGETS["verification_rate"],
                    "meets_pass": row.passed.value is not None and row.passed.value >= COLUMN10_TARGETS["pass_rate"]})
    return out


def overdue_count(f: Filters) -> int:
    return counters.status_counts(f.scope() & Q(status=lifecycle.OVERDUE)).get(None, {}).get(lifecycle.OVERDUE, 0)
