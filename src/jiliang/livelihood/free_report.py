"""The annual report of free verification (计量惠民) for a region and a year: a PDF in Chinese (reportlab, laid out
like supervision's campaign report, with drawn bars) and an Excel workbook, both from free_figures.summary over
what the reader may see; generated as a background job with progress (core/jobs)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from jiliang.core.export import write_sheets
from jiliang.core.jobs.services import JobError, Run, job_task, start_job
from jiliang.core.models import Region
from jiliang.core.pdf_fonts import cjk_font, cjk_text
from jiliang.core.regions import subtree_codes
from jiliang.core.roles import BUREAU_ROLES, Role
from jiliang.core.scoping import is_unrestricted, user_role
from jiliang.supervision import rates
from jiliang.supervision.dashboard import COLUMN10_TARGETS

from . import free_figures
from .free_figures import Row, Summary

KIND = "livelihood-free-report"
FORMATS = ("pdf", "xlsx")


def percent(rate: rates.Rate) -> str:
    return "—" if rate.value is None else f"{100 * rate.value:.1f} %"


def meets(flag: bool | None) -> str:
    return "—" if flag is None else (_("yes") if flag else _("no"))


def headers() -> list[str]:
    return [_("free verifications"), _("fees waived (yuan)"), _("fee not entered"), _("verification rate"),
            _("due"), _("meets 100 %"), _("pass rate"), _("concluded"), _("meets 95 %")]


def line(r: Row) -> list:
    return [r.label, r.count, f"{r.fees:.2f}", r.fee_unknown, percent(r.verification), r.verification.denominator,
            meets(r.meets_verification), percent(r.passed), r.passed.denominator, meets(r.meets_pass)]


def may_report(user) -> bool:
    """Bureaus, and institutions for the free verifications they did."""
    return is_unrestricted(user) or user_role(user) in BUREAU_ROLES | {Role.INSTITUTE}


def check_region(user, code: str | None) -> Region | None:
    """The region asked for, if the user may ask for it: a city or county bureau within its own subtree."""
    if not code:
        if user_role(user) in (Role.CITY_BUREAU, Role.COUNTY_BUREAU) and user.region_id:
            return Region.objects.get(code=user.region_id)
        return None
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationError({"region": _("No region has the code %(c)s.") % {"c": code}})
    if user_role(user) in (Role.CITY_BUREAU, Role.COUNTY_BUREAU) and code not in subtree_codes(user.region_id or ""):
        raise PermissionDenied(_("The region %(r)s lies outside your region.") % {"r": region})
    return region


def definitions() -> list[tuple[str, str]]:
    """The rates used, in the reader's language: supervision's own wording (dashboard_views.definitions)."""
    from jiliang.supervision.dashboard_views import definitions as supervision_definitions

    on_time, _by_end, passed, due = supervision_definitions()
    return [(_("verification rate"), on_time[1]), (passed[0], passed[1]), due]


def title_of(s: Summary) -> str:
    place = s.region.display_name if s.region else _("all regions you may see")
    return _("Free verification annual report %(year)d, %(place)s") % {"year": s.year, "place": place}


def _bars(rows: list[Row], font: str) -> Drawing:
    """Free verifications by county as drawn bars (at most 30 counties, the largest)."""
    rows = sorted(rows, key=lambda r: -r.count)[:30]
    d = Drawing(180 * mm, 70 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 16 * mm, 160 * mm, 48 * mm
    chart.data = [[r.count for r in rows] or [0]]
    chart.categoryAxis.categoryNames = [cjk_text(r.label.split(" ")[-1])[:8] for r in rows] or [""]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 6
    chart.categoryAxis.labels.angle = 45
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = colors.HexColor("#2f6fb0")
    d.add(chart)
    d.add(String(12 * mm, 66 * mm, cjk_text(_("free verifications by county")), fontName=font, fontSize=8))
    return d


def render_pdf(s: Summary) -> bytes:
    font = cjk_font()
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=15)
    cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10)
    head = ParagraphStyle("head", fontName=font, fontSize=12.5, leading=18, spaceBefore=6, spaceAfter=3)
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, alignment=TA_CENTER)

    def p(text, style=body) -> Paragraph:
        return Paragraph(escape(cjk_text(str(text))), style)

    def table(first, rows) -> Table:
        data = [[p(h, cell) for h in [first, *headers()]]] + [[p(v, cell) for v in line(r)] for r in rows]
        t = Table(data, colWidths=[36 * mm, *[16 * mm] * 9], repeatRows=1)
        t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                               ("BACKGROUND", (0, len(rows)), (-1, len(rows)), colors.whitesmoke),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return t

    t = s.total
    story = [p(title_of(s), title), Spacer(1, 4 * mm),
             p(_("In %(year)d, %(n)d verifications were done free of charge; fees waived %(fees)s yuan (%(u)d without "
                 "an entered fee). Verification rate %(v)s (target 100 %%), pass rate %(r)s (target at least 95 %%), "
                 "plan column 10.") % {"year": s.year, "n": t.count, "fees": f"{t.fees:.2f}", "u": t.fee_unknown,
                                      "v": percent(t.verification), "r": percent(t.passed)}),
             Spacer(1, 3 * mm), _bars(s.by_county, font),
             p(_("By county"), head), table(_("county"), [*s.by_county, t]),
             p(_("By programme"), head), table(_("programme"), [*s.by_programme, t]),
             p(_("Definitions"), head),
             *[p(f"{label}: {text}") for label, text in definitions()],
             p(_("Pass rate: over the free verifications of the year. Verification rate: over the instruments the "
                 "programmes cover, due in the year. Targets: the plan's column 10.")),
             p(_("Definition version %(v)s; targets: plan column 10 (verification rate %(a)d %%, pass rate at least "
                 "%(b)d %%). Generated %(at)s.") % {
                 "v": rates.DEFINITION_VERSION, "a": round(100 * COLUMN10_TARGETS["verification_rate"]),
                 "b": round(100 * COLUMN10_TARGETS["pass_rate"]), "at": f"{timezone.localtime():%Y-%m-%d %H:%M}"})]
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=12 * mm, rightMargin=12 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=title_of(s), invariant=1)
    doc.build(story)
    return out.getvalue()


def render_xlsx(s: Summary) -> bytes:
    """Sheets by county and by programme (each with the total row), and the about sheet."""
    t = s.total
    sheets = [(_("by county"), [_("county"), *headers()], [line(r) for r in [*s.by_county, t]]),
              (_("by programme"), [_("programme"), *headers()], [line(r) for r in [*s.by_programme, t]])]
    buf = io.BytesIO()
    about = [(_("report"), title_of(s)), (_("year"), str(s.year)),
             (_("definition version"), rates.DEFINITION_VERSION),
             *definitions(),
             (_("targets"), _("plan column 10: verification rate 100 %, pass rate at least 95 %"))]
    write_sheets(buf, sheets, about=about)
    return buf.getvalue()


def start_report(user, *, year: int, region: str | None, fmt: str):
    """Check the request and queue the report job; returns the job."""
    if not may_report(user):
        raise PermissionDenied(_("The free-verification report is for market supervision bureaus and verification "
                                 "institutions."))
    if fmt not in FORMATS:
        raise ValidationError({"format": _("Choose pdf or xlsx.")})
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Give a year between 2000 and 2100.")})
    place = check_region(user, region)
    title = _("Free verification report %(year)d %(place)s (%(fmt)s)") % {
        "year": year, "place": place.display_name if place else "", "fmt": fmt.upper()}
    return start_job(user, kind=KIND, title=title, task=report_task,
                     params={"year": year, "region": place.code if place else None, "format": fmt})


@job_task
def report_task(run: Run) -> None:
    job = run.job
    params = job.params
    run.progress(0, 3, _("counting"), force=True)
    try:
        region = check_region(job.owner, params.get("region"))
    except (PermissionDenied, ValidationError) as exc:
        raise JobError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
    fmt = params.get("format", "pdf")
    with translation.override("zh-hans" if fmt == "pdf" else translation.get_language()):  # the PDF is Chinese
        s = free_figures.summary(job.owner, year=int(params["year"]), region=region)
        run.progress(1, 3, _("figures counted"), force=True)
        data = render_pdf(s) if fmt == "pdf" else render_xlsx(s)
    run.progress(2, 3, _("report drawn"), force=True)
    name = f"free-verification-{params['year']}-{params.get('region') or 'all'}.{fmt}"
    run.result_file(name).write_bytes(data)
    run.progress(3, 3, _("%(n)d free verifications in the report.") % {"n": s.total.count}, force=True)
