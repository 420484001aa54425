"""The figures of free verification (计量惠民) for a region and a year: counts, fees waived, 受检率 and 合格率 by
county and by programme, against the plan's 专栏10 targets (受检率 100 %, 合格率 ≥ 95 %:
supervision.dashboard.COLUMN10_TARGETS).

The rates are supervision's (supervision/rates.py, one definition with its version), over these sets:

* **合格率** of the free verifications: the free verifications' events dated in the year (not void), passing ÷
  concluded, per unit (台件), through ``rates.pass_rate_from_counts``;
* **受检率** of the programmes' population: the due occurrences (supervision's DueOccurrence) falling due in the year
  of the instruments the programmes cover (free_scope.instruments_q; the programmes whose dates overlap the year),
  met on or before their due date, through ``rates.verification_rate``. The free verifications alone cannot give a
  受检率: an instrument never presented is never marked free.

Every query starts from ``restrict(user, VIEW)``: a county bureau counts its county, an institution the free
verifications it did (its 受检率 has no population: "—"), an owner its own instruments.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jiliang.core.models import Region
from jiliang.core.regions import subtree_codes
from jiliang.core.scoping import VIEW
from jiliang.registry.models import Instrument
from jiliang.supervision import rates
from jiliang.supervision.dashboard import COLUMN10_TARGETS
from jiliang.supervision.lifecycle import Occurrence, month_key
from jiliang.supervision.models import DueOccurrence

from . import free_scope
from .models import FreeProgramme, FreeVerification

TOTAL = "total"


@dataclass
class Row:
    key: str
    label: str
    count: int = 0
    fees: Decimal = Decimal("0.00")
    fee_unknown: int = 0  # free verifications whose fee is not entered yet
    passed: rates.Rate = field(default_factory=lambda: rates.Rate(rates.PASS_RATE, 0, 0))
    verification: rates.Rate = field(default_factory=lambda: rates.Rate(rates.VERIFICATION_RATE, 0, 0))

    @property
    def meets_verification(self) -> bool | None:
        v = self.verification.value
        return None if v is None else v >= COLUMN10_TARGETS["verification_rate"]

    @property
    def meets_pass(self) -> bool | None:
        v = self.passed.value
        return None if v is None else v >= COLUMN10_TARGETS["pass_rate"]

    def as_dict(self) -> dict:
        return {"key": self.key, "name": self.label, "count": self.count, "fees_waived": f"{self.fees:.2f}",
                "fee_unknown": self.fee_unknown, "verification_rate": self.verification.as_dict(),
                "pass_rate": self.passed.as_dict(), "meets_verification_target": self.meets_verification,
                "meets_pass_target": self.meets_pass}


@dataclass
class Summary:
    year: int
    region: Region | None
    programme: FreeProgramme | None
    by_county: list[Row]
    by_programme: list[Row]
    total: Row

    def as_dict(self) -> dict:
        return {"year": self.year, "region": self.region.code if self.region else None,
                "programme": self.programme.code if self.programme else None,
                "targets": {"verification_rate": COLUMN10_TARGETS["verification_rate"],
                            "pass_rate": COLUMN10_TARGETS["pass_rate"], "source": "Jiangsu plan 专栏10"},
                "definition_version": rates.DEFINITION_VERSION,
                "by_county": [r.as_dict() for r in self.by_county],
                "by_programme": [r.as_dict() for r in self.by_programme], "total": self.total.as_dict()}


def programme_label(p: FreeProgramme) -> str:
    if (get_language() or "").startswith("en") and p.name_en:
        return p.name_en
    return p.name


def programmes_of_year(year: int, programme: FreeProgramme | None = None) -> list[FreeProgramme]:
    """The programmes whose dates overlap the year (or the one asked for)."""
    qs = FreeProgramme.objects.prefetch_related("categories", "owners").order_by("kind", "code")
    if programme is not None:
        qs = qs.filter(pk=programme.pk)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return list(qs.filter(Q(starts_on__isnull=True) | Q(starts_on__lte=end),
                          Q(ends_on__isnull=True) | Q(ends_on__gte=start)))


def _pass_rate(counts: Counter, period: rates.Period) -> rates.Rate:
    return rates.pass_rate_from_counts([rates.EventCount(m, r, n) for (m, r), n in counts.items()], period)


def summary(user, *, year: int, region: Region | None = None, programme: FreeProgramme | None = None) -> Summary:
    """The figures of ``year`` in ``region``'s subtree (None: all the user sees), for one programme or all."""
    period = rates.Period.year(year)
    codes = subtree_codes(region.code) if region is not None else None
    frees = FreeVerification.objects.restrict(user, VIEW).filter(
        event__verified_on__gte=period.start, event__verified_on__lte=period.end, event__void=False)
    if codes is not None:
        frees = frees.filter(event__instrument__region_id__in=codes)
    if programme is not None:
        frees = frees.filter(programme=programme)
    counts: dict[str, dict[str, list]] = {"c": defaultdict(lambda: [0, Decimal("0.00"), 0, Counter()]),
                                          "p": defaultdict(lambda: [0, Decimal("0.00"), 0, Counter()])}
    total = [0, Decimal("0.00"), 0, Counter()]
    for county, prog, day, result, fee in frees.values_list(
            "event__instrument__region_id", "programme_id", "event__verified_on", "event__result",
            "fee_waived").iterator(chunk_size=5000):
        for acc in (counts["c"][county], counts["p"][prog], total):
            acc[0] += 1
            if fee is None:
                acc[2] += 1
            else:
                acc[1] += fee
            acc[3][(month_key(day), result)] += 1
    # 受检率: the programmes' population, due in the year.
    programmes = programmes_of_year(year, programme)
    by_programme_occ: dict[int, list[Occurrence]] = {}
    union = Q(pk__in=[])
    occurrences = DueOccurrence.objects.restrict(user, VIEW).filter(due__gte=period.start, due__lte=period.end)
    if codes is not None:
        occurrences = occurrences.filter(instrument__region_id__in=codes)
    for p in programmes:
        q = free_scope.instruments_q(p)
        union |= q
        covered = Instrument.objects.filter(q).values("pk")
        by_programme_occ[p.pk] = [Occurrence(due, met) for due, met in occurrences.filter(
            instrument_id__in=covered).values_list("due", "met_on").iterator(chunk_size=5000)]
    by_county_occ: dict[str, list[Occurrence]] = defaultdict(list)
    all_occ: list[Occurrence] = []
    if programmes:
        for county, due, met in occurrences.filter(instrument_id__in=Instrument.objects.filter(union).values("pk")) \
                .values_list("instrument__region_id", "due", "met_on").iterator(chunk_size=5000):
            by_county_occ[county].append(Occurrence(due, met))
            all_occ.append(Occurrence(due, met))

    def row(key, label, acc, occ) -> Row:
        acc = acc or [0, Decimal("0.00"), 0, Counter()]
        return Row(key=key, label=label, count=acc[0], fees=acc[1], fee_unknown=acc[2],
                   passed=_pass_rate(acc[3], period), verification=rates.verification_rate(occ, period))

    county_codes = sorted(set(counts["c"]) | set(by_county_occ))
    names = {r.code: str(r) for r in Region.objects.filter(code__in=county_codes).select_related("parent")}
    by_county = [row(c, names.get(c, c), counts["c"].get(c), by_county_occ.get(c, [])) for c in county_codes]
    by_prog = [row(p.code, programme_label(p), counts["p"].get(p.pk), by_programme_occ.get(p.pk, []))
               for p in programmes]
    # A programme outside the year's window that still has free verifications in the year (dates changed later).
    known = {p.pk for p in programmes}
    for p in FreeProgramme.objects.filter(pk__in=[k for k in counts["p"] if k not in known]).order_by("code"):
        by_prog.append(row(p.code, programme_label(p), counts["p"][p.pk], []))
    return Summary(year=year, region=region, programme=programme, by_county=by_county, by_programme=by_prog,
                   total=row(TOTAL, _("total"), total, all_occ))
