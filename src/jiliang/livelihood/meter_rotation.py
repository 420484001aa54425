"""Rotation of household meters: the quarterly lists (到期轮换清单), recording a rotation, overdue counts, and a
county bureau's publication of a quarter's list.

Household meters are "只作首次强制检定，限期使用，到期轮换" (1991 trial rules item 三; service_life.py has the rows).
Some county bureaus publish each quarter the water and gas meters whose service life ends in the quarter or has
already ended, per utility (安吉县市场监督管理局, "2024年四季度到期轮换清单", 2025-01-07:
shared/reference/supervision-integrity-licensing.md §7, M). jiliang's list of a quarter, for a utility or a
county, is:

* the meters in service (not retired) whose rotation deadline (``rotation_due``) falls in the quarter, and
* those whose deadline is before the quarter's first day: overdue (超期未换).

It reads HouseholdMeter by its (utility, rotation_due) or (region, rotation_due) index: one range scan. Pages
(the page and the API) are keyset pages in the list's order (rotation_due, instrument id): a page after the cursor
of the previous one's last row costs the same whether it is the first or the ten-thousandth (no OFFSET, no count
of the rows before it); the exports read the list in keyset batches of EXPORT_BATCH rows, so memory stays flat
for a utility of two million meters; the counts (due, overdue) are one aggregate in SQL.
A rotation (:func:`rotate_meter`) retires the old meter (the instrument's status retired with the reason and
date; the profile's ``retired_on`` and ``replaced_by``) and registers the new one at the same place (region,
address, account area, transformer area) through services.register_household_meter.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from jiliang.core import audit
from jiliang.core.models import Region
from jiliang.core.regions import subtree_codes
from jiliang.core.roles import Role
from jiliang.core.scoping import VIEW, is_unrestricted, user_role
from jiliang.registry.models import InstrumentStatus

from . import service_life, services
from .meter_access import check_registrar
from .models import HouseholdMeter, RotationPublication

# The columns of a list, the same for the page, Excel, PDF, API and public page: no personal data (the account
# area is the utility's area reference, never a name or a house number).
FIELDS = ("instrument_id", "instrument__instrument_code", "kind", "size", "gas_kind", "accuracy_class", "rule", "service_life_years",
          "first_verified_on", "rotation_due", "utility__name", "region_id", "region__name", "account_area",
          "instrument__manufacturer", "instrument__model")
DUE, OVERDUE = "due", "overdue"


@dataclass(frozen=True)
class Quarter:
    year: int
    quarter: int

    @property
    def bounds(self) -> tuple[dt.date, dt.date]:
        return service_life.quarter_bounds(self.year, self.quarter)

    @property
    def label(self) -> str:
        return _("%(year)d Q%(q)d") % {"year": self.year, "q": self.quarter}

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, year, quarter) -> Quarter:
        try:
            q = cls(int(year), int(quarter))
            q.bounds  # noqa: B018 - checks the quarter
            if not 2000 <= q.year <= 2100:
                raise ValueError
            return q
        except (TypeError, ValueError):
            raise ValidationError({"quarter": _("Give a year (2000–2100) and a quarter (1–4).")}) from None


def rotation_queryset(base, quarter: Quarter, *, utility=None, region: str | None = None):
    """The meters of the quarter's list from ``base`` (already restricted to what the reader may see)."""
    _start, end = quarter.bounds
    qs = base.filter(retired_on__isnull=True, rotation_due__lte=end)
    if utility is not None:
        qs = qs.filter(utility=utility)
    if region:
        qs = qs.filter(region_id__in=subtree_codes(region)) if len(subtree_codes(region)) > 1 \
            else qs.filter(region_id=region)
    return qs.order_by("rotation_due", "instrument_id")


def list_rows(qs, quarter: Quarter, limit: int | None = None):
    """The list's rows as dicts (values(): no model instances), with ``state`` due or overdue."""
    start, _end = quarter.bounds
    rows = qs.values(*FIELDS)
    if limit is not None:
        rows = rows[:limit]
    for r in rows:
        r["state"] = OVERDUE if r["rotation_due"] < start else DUE
        rule = service_life.BY_CATEGORY.get(r["rule"])
        r["regulation"] = rule.regulation if rule else ""
        yield r


def cursor_of(row: dict) -> str:
    """The keyset cursor of a list row: its place in the list's order (rotation_due, instrument id)."""
    return f"{row['rotation_due'].isoformat()}.{row['instrument_id']}"


def parse_cursor(text: str) -> tuple[dt.date, int]:
    """(rotation_due, instrument id) of a cursor from :func:`cursor_of`; ValidationError on "after" otherwise."""
    day, _dot, pk = (text or "").partition(".")
    try:
        return dt.date.fromisoformat(day), int(pk)
    except ValueError:
        raise ValidationError({"after": _("%(v)r is not a cursor of this list (use the one a page gives for the "
                                          "next page).") % {"v": text}}) from None


def page(qs, quarter: Quarter, *, size: int, after: str | None = None) -> tuple[list[dict], str | None]:
    """One keyset page of the list: the ``size`` rows after the cursor ``after`` (from the start without one),
    and the cursor of the next page (None on the last). ``qs`` is :func:`rotation_queryset`'s."""
    if after:
        due, pk = parse_cursor(after)
        qs = qs.filter(Q(rotation_due__gt=due) | Q(instrument_id__gt=pk), rotation_due__gte=due)
    rows = list(list_rows(qs, quarter, limit=size + 1))
    return rows[:size], cursor_of(rows[size - 1]) if len(rows) > size else None


EXPORT_BATCH = 5000


def all_rows(qs, quarter: Quarter, batch: int = EXPORT_BATCH):
    """Every row of the list, read in keyset pages of ``batch`` rows (the Excel and PDF exports)."""
    after = None
    while True:
        rows, after = page(qs, quarter, size=batch, after=after)
        yield from rows
        if after is None:
            return


def summary(qs, quarter: Quarter) -> dict:
    start, _end = quarter.bounds
    counts = qs.order_by().aggregate(total=Count("pk"), overdue=Count("pk", filter=Q(rotation_due__lt=start)))
    return {"total": counts["total"], "overdue": counts["overdue"], "due": counts["total"] - counts["overdue"]}


def rules_used(qs) -> list[service_life.Rule]:
    """The regulation rows the list's meters fall under (the PDF and page print each with its source)."""
    used = set(qs.order_by().values_list("rule", flat=True).distinct())
    return [r for r in service_life.RULES if r.category in used]


RULE_SOURCES = {
    "water-meter-dn15-25": "JJG 162-2019: DN ≤ 25 mm, Q3 ≤ 16 m³/h, 6 年 (legal-metrology.md §5)",
    "water-meter-dn32-50": "JJG 162-2019: 25 mm < DN ≤ 50 mm, Q3 ≤ 16 m³/h, 4 年 (legal-metrology.md §5)",
    "gas-meter-natural": "JJG 577-2012 / JJG 1190-2022: 天然气表 10 年 (legal-metrology.md §5)",
    "gas-meter-manufactured": "JJG 577-2012: 人工煤气、液化石油气表 6 年 (legal-metrology.md §5)",
    "electricity-meter-household": "JJG 596-2012: 1、2 级 8 年 (M: 期限未见原文)",
    "electricity-meter-household-precise": "JJG 596-2012: 0.5S、0.2S 级 6 年 (M: 期限未见原文)",
}


def overdue_by_utility(base, today: dt.date):
    """Per utility: meters in service past their rotation deadline, and meters in service."""
    return (base.filter(retired_on__isnull=True).order_by().values("utility_id", "utility__name")
            .annotate(in_service=Count("pk"), overdue=Count("pk", filter=Q(rotation_due__lt=today)))
            .order_by("-overdue", "utility__name"))


# ---------------------------------------------------------------- rotation


@transaction.atomic
def rotate_meter(old: HouseholdMeter, *, rotated_on: dt.date, serial_number: str, manufacturer: str, actor,
                 model: str = "", instrument_code: str = "", code_scheme: str = "", kind: str | None = None,
                 size=None, q3=None, gas_kind: str | None = None, accuracy_class: str | None = None, batch=None,
                 first_verified_on: dt.date | None = None, first_result: str = "", first_errors: dict | None = None,
                 institution=None, reason: str = "", today: dt.date | None = None) -> HouseholdMeter:
    """Retire ``old`` on ``rotated_on`` and register the new meter at the same place; returns the new meter (its
    first verification, where given with the ``institution``, recorded as supervision's event)."""
    today = today or dt.date.today()
    old = HouseholdMeter.objects.select_for_update().select_related("instrument", "utility").get(pk=old.pk)
    check_registrar(actor, old.utility)
    if not HouseholdMeter.objects.restrict(actor, VIEW).filter(pk=old.pk).exists():
        raise PermissionDenied(_("You cannot see that meter."))
    if old.retired_on is not None:
        raise ValidationError({"meter": _("This meter was already retired on %(day)s.") % {"day": old.retired_on}})
    if rotated_on > today:
        raise ValidationError({"rotated_on": _("%(day)s is in the future.") % {"day": rotated_on}})
    if old.installed_on and rotated_on < old.installed_on:
        raise ValidationError({"rotated_on": _("The old meter was installed on %(day)s.") % {"day": old.installed_on}})
    kind = kind or old.kind
    new = services.register_household_meter(
        utility=old.utility, kind=kind, manufacturer=manufacturer, model=model, serial_number=serial_number,
        region=old.region_id, instrument_code=instrument_code, code_scheme=code_scheme,
        size=old.size if size is None else size, q3=q3,
        gas_kind=old.gas_kind if gas_kind is None else gas_kind,
        accuracy_class=old.accuracy_class if accuracy_class is None else accuracy_class,
        address=old.instrument.address, account_area=old.account_area, installed_on=rotated_on, batch=batch,
        area=old.area, first_verified_on=first_verified_on, first_result=first_result, first_errors=first_errors,
        institution=institution, actor=actor, today=today)
    inst = old.instrument
    before = {"status": inst.status, "status_reason": inst.status_reason,
              "status_date": inst.status_date.isoformat() if inst.status_date else None}
    due = old.rotation_due
    inst.status = InstrumentStatus.RETIRED
    inst.status_reason = (reason or (_("rotated: service life ended %(day)s") % {"day": due} if due and due < rotated_on
                                     else _("rotated"))) + " → " + new.instrument.instrument_code
    inst.status_reason = inst.status_reason[:300]
    inst.status_date = rotated_on
    inst.full_clean()
    inst.save(update_fields=["status", "status_reason", "status_date", "last_updated"])
    audit.record(inst, "update", actor=actor, before=before,
                 after={"status": inst.status, "status_reason": inst.status_reason,
                        "status_date": rotated_on.isoformat()},
                 message="household meter rotated")
    old.retired_on = rotated_on
    old.replaced_by = new
    old.save(update_fields=["retired_on", "replaced_by"])
    audit.record(old, "update", actor=actor, before={"retired_on": None, "replaced_by": None},
                 after={"retired_on": rotated_on.isoformat(), "replaced_by": new.pk}, message="household meter rotated")
    return new


# ---------------------------------------------------------------- publication


def may_publish(actor, region: Region) -> bool:
    """A county bureau publishes its own county's list; the provincial bureau any county's."""
    if is_unrestricted(actor):
        return True
    return user_role(actor) == Role.COUNTY_BUREAU and actor.region_id == region.code


@transaction.atomic
def publish(*, region: Region, quarter: Quarter, actor, withdraw: bool = False) -> RotationPublication:
    if region.level not in ("district", "county-level-city", "county"):
        raise ValidationError({"region": _("Lists are published per county.")})
    if not may_publish(actor, region):
        raise PermissionDenied(_("Only the county's bureau publishes its rotation lists."))
    pub, created = RotationPublication.objects.select_for_update().get_or_create(
        region=region, year=quarter.year, quarter=quarter.quarter,
        defaults={"published_by": actor, "withdrawn": withdraw})
    if not created:
        before = {"withdrawn": pub.withdrawn}
        pub.withdrawn, pub.published_by = withdraw, actor
        pub.save(update_fields=["withdrawn", "published_by", "last_updated"])
        audit.record(pub, "update", actor=actor, before=before, after={"withdrawn": withdraw},
                     message="rotation list withdrawn" if withdraw else "rotation list published")
    else:
        audit.record(pub, "create", actor=actor, after=audit.snapshot(pub), message="rotation list published")
    return pub


# ---------------------------------------------------------------- Excel and PDF


def headers() -> list[str]:
    return [_("instrument code"), _("meter kind"), _("size"), _("gas kind"), _("accuracy class"),
            _("regulation row"), _("regulation"), _("service life (years)"), _("first verified on"), _("rotate by"),
            _("state"), _("utility"), _("region"), _("account area"), _("manufacturer"), _("model")]


def row_values(r: dict) -> list:
    from .models import GasKind, MeterKind

    return [r["instrument__instrument_code"], str(MeterKind(r["kind"]).label), r["size"],
            str(GasKind(r["gas_kind"]).label) if r["gas_kind"] else "", r["accuracy_class"], r["rule"],
            r["regulation"], r["service_life_years"], r["first_verified_on"], r["rotation_due"],
            _("overdue") if r["state"] == OVERDUE else _("due in the quarter"), r["utility__name"],
            f"{r['region_id']} {r['region__name']}", r["account_area"], r["instrument__manufacturer"],
            r["instrument__model"]]


def workbook(qs, quarter: Quarter, title: str) -> bytes:
    from jiliang.core.export import write_workbook

    out = io.BytesIO()
    rules = rules_used(qs)
    write_workbook(out, title, headers(), (row_values(r) for r in all_rows(qs, quarter)),
                   about=[(_("list"), title), (_("quarter"), quarter.label),
                          *((r.category, RULE_SOURCES.get(r.category, r.regulation)) for r in rules)])
    return out.getvalue()


PDF_MAX_ROWS = 20_000


def pdf(qs, quarter: Quarter, title: str) -> bytes:
    """The list as a PDF in Chinese (reportlab, STSong-Light): title, counts, the regulation rows with their
    sources, then the meters (at most PDF_MAX_ROWS; the Excel file has them all)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

    from jiliang.core.pdf_fonts import cjk_font, cjk_text

    from .models import MeterKind

    font = cjk_font()
    body = ParagraphStyle("b", fontName=font, fontSize=9, leading=12)
    head = ParagraphStyle("h", fontName=font, fontSize=15, leading=20, spaceAfter=6)
    counts = summary(qs, quarter)
    story = [Paragraph(cjk_text(title), head),
             Paragraph(cjk_text(f"到期轮换清单 · {quarter.year}年第{quarter.quarter}季度 · 合计 {counts['total']} 只"
                                f"（本季度到期 {counts['due']}，已超期 {counts['overdue']}）"), body),
             Paragraph(cjk_text("依据：民用水表、燃气表、电能表只作首次强制检定，限期使用，到期轮换"
                                "（1991年试行办法第三条）。使用期限自首次检定之日起计。"), body), Spacer(1, 3 * mm)]
    for r in rules_used(qs):
        story.append(Paragraph(cjk_text(f"{r.category}：{RULE_SOURCES.get(r.category, r.regulation)}"), body))
    story.append(Spacer(1, 4 * mm))
    data = [["识别编码", "表类", "规格/等级", "规程", "首次检定", "轮换期限", "状态", "区划", "片区"]]
    kinds = {MeterKind.WATER: "水表", MeterKind.GAS: "燃气表", MeterKind.ELECTRICITY: "电能表"}
    for i, r in enumerate(all_rows(qs, quarter)):
        if i >= PDF_MAX_ROWS:
            data.append([f"……其余 {counts['total'] - PDF_MAX_ROWS} 只见 Excel 清单", "", "", "", "", "", "", "", ""])
            break
        data.append([r["instrument__instrument_code"], kinds.get(r["kind"], r["kind"]),
                     r["size"] or r["accuracy_class"], r["regulation"], str(r["first_verified_on"] or ""),
                     str(r["rotation_due"]), "已超期" if r["state"] == OVERDUE else "本季到期",
                     f"{r['region_id']} {r['region__name']}", cjk_text(r["account_area"] or "")[:30]])
    table = LongTable(data, repeatRows=1)
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), font, 8), ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef"))]))
    story.append(table)
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm,
                      bottomMargin=12 * mm, title=cjk_text(title), author="jiliang").build(story)
    return out.getvalue()

