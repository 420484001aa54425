"""The PDF of an evaluation report, in Chinese (reportlab platypus in core.pdf_fonts.ReportKit's styles; charts drawn
with reportlab.graphics): the summary, indicator against target (value as a share of its target), the cities of
the city-assessment indicators, the trends from the snapshots, the table of every indicator and the definitions."""

from __future__ import annotations

import io

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, SimpleDocTemplate, Spacer

from jiliang.core.pdf_fonts import ReportKit, cjk_font, cjk_text

from .reports import Figures, fmt, status_label, status_rule, summary_text, title_of

BLUE = colors.HexColor("#2f6fb0")
RED = colors.HexColor("#c0392b")
TREND_CHARTS = 40  # the trend lines drawn at most (the workbook has every point)


def _label(text: str, n: int = 14) -> str:
    text = cjk_text(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def target_chart(f: Figures, font: str) -> Drawing | None:
    """Each indicator with a value and a target: the value as % of its target (100 = reached), as bars."""
    rows = [(ln.indicator.code, ln.percent_of_target()) for ln in f.lines]
    rows = [(c, min(p, 200.0)) for c, p in rows if p is not None]
    if not rows:
        return None
    height = max(40, 7 * len(rows) + 22) * mm
    d = Drawing(180 * mm, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 22 * mm, 10 * mm, 150 * mm, height - 20 * mm
    chart.data = [[p for _c, p in reversed(rows)]]
    chart.categoryAxis.categoryNames = [c for c, _p in reversed(rows)]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 200, 25
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = BLUE
    d.add(chart)
    x100 = chart.x + chart.width / 2
    d.add(Line(x100, chart.y, x100, chart.y + chart.height, strokeColor=RED, strokeDashArray=[2, 2]))
    d.add(String(22 * mm, height - 7 * mm, cjk_text(_("value as a percentage of the target (100 = target reached; capped at 200)")),
                 fontName=font, fontSize=8))
    return d


def city_chart(f: Figures, code: str, font: str) -> Drawing | None:
    lines = f.by_region.get(code, {})
    rows = [(f.region_names.get(r, r), ln.reading.value) for r, ln in lines.items()
            if ln.reading and ln.reading.value is not None]
    if not rows:
        return None
    ind = next(ln.indicator for ln in lines.values())
    d = Drawing(180 * mm, 62 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 14 * mm, 14 * mm, 160 * mm, 40 * mm
    chart.data = [[float(v) for _n, v in rows]]
    chart.categoryAxis.categoryNames = [_label(n, 6) for n, _v in rows]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 6
    chart.categoryAxis.labels.angle = 30
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = BLUE
    d.add(chart)
    target = next((ln.reading.target for ln in lines.values() if ln.reading and ln.reading.target is not None), None)
    if target is not None:
        top = max([float(v) for _n, v in rows] + [float(target)])
        chart.valueAxis.valueMax = top * 1.1 or 1
        y = chart.y + chart.height * float(target) / (top * 1.1 or 1)
        d.add(Line(chart.x, y, chart.x + chart.width, y, strokeColor=RED, strokeDashArray=[2, 2]))
    d.add(String(14 * mm, 57 * mm, cjk_text(f"{ind.code} {ind.name}（{ind.unit}）")[:60], fontName=font, fontSize=8))
    return d


def trend_chart(trend, font: str) -> Drawing:
    d = Drawing(85 * mm, 52 * mm)
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 12 * mm, 10 * mm, 68 * mm, 32 * mm
    first = trend.points[0][0]
    series = [[((day - first).days, v) for day, v in trend.points]]
    if len(series[0]) == 1:
        series[0].append((series[0][0][0] + 1, series[0][0][1]))
    if trend.target is not None:
        series.append([(series[0][0][0], trend.target), (series[0][-1][0], trend.target)])
    plot.data = series
    plot.lines[0].strokeColor = BLUE
    if trend.target is not None:
        plot.lines[1].strokeColor = RED
        plot.lines[1].strokeDashArray = [2, 2]
    plot.xValueAxis.labels.fontSize = 6
    plot.yValueAxis.labels.fontSize = 6
    plot.yValueAxis.valueMin = 0
    d.add(plot)
    d.add(String(12 * mm, 46 * mm, _label(f"{trend.indicator.code} {trend.indicator.name}", 26), fontName=font,
                 fontSize=7))
    d.add(String(12 * mm, 2 * mm, cjk_text(_("days since %(d)s") % {"d": first}), fontName=font, fontSize=6))
    return d


def headers() -> list[str]:
    return [_("code"), _("indicator"), _("value"), _("numerator"), _("denominator"), _("plan target"), _("status"),
            _("definition version"), _("note")]


def row(ln) -> list:
    r = ln.reading
    target = "—" if r is None or r.target is None else f"{fmt(r.target, ln.indicator.unit)} ({r.goal.by.year})"
    return [ln.indicator.code, ln.indicator.name, ln.value_text(), fmt(r.numerator) if r else "—",
            fmt(r.denominator) if r else "—", target, ln.status_text(), (r.version if r else "") or "—",
            ln.reason_text()]


def render(f: Figures) -> bytes:
    with translation.override("zh-hans"):
        return _render(f)


def _render(f: Figures) -> bytes:
    kit = ReportKit(cell_size=7.5, cell_leading=9.5)
    font = cjk_font()
    p, table = kit.p, kit.table
    story = [p(title_of(f.report), kit.title), Spacer(1, 3 * mm),
             p(_("Plan: %(p)s (%(n)s), %(issuer)s; period %(a)s to %(b)s. Region: %(r)s.")
               % {"p": f.plan.name, "n": f.plan.document_number or "—", "issuer": f.plan.issuer,
                  "a": f.plan.starts_on, "b": f.plan.ends_on, "r": f.region.display_name}),
             p(_("Summary"), kit.head), p(summary_text(f))]
    counts = f.summary
    story.append(table([_("status"), _("indicators")],
                       [(status_label(s), counts[s]) for s in ("met", "on_track", "behind", "not_met", "no_target",
                                                               "no_value", "failed")], [40 * mm, 25 * mm]))
    chart = target_chart(f, font)
    if chart is not None:
        story.append(KeepTogether([p(_("Indicators against their targets"), kit.head), chart]))
    story += [p(_("Every indicator"), kit.head),
              table(headers(), [row(ln) for ln in f.lines],
                    [12 * mm, 44 * mm, 18 * mm, 16 * mm, 16 * mm, 20 * mm, 13 * mm, 25 * mm, 22 * mm])]
    if f.by_region:
        story.append(p(_("By city: the indicators of the city governments' assessment"), kit.head))
        for code, lines in f.by_region.items():
            drawn = city_chart(f, code, font)
            rows = [[f.region_names.get(r, r), ln.value_text(),
                     fmt(ln.reading.target, ln.indicator.unit) if ln.reading else "—", ln.status_text()]
                    for r, ln in lines.items()]
            story.append(KeepTogether([x for x in (drawn,) if x is not None]
                                      + [table([_("city"), _("value"), _("plan target"), _("status")], rows,
                                               [40 * mm, 30 * mm, 30 * mm, 25 * mm]), Spacer(1, 3 * mm)]))
    if f.comparison:
        story += [p(_("The plan region's public figures, for comparison"), kit.head),
                  table(headers()[:3] + [headers()[5], headers()[6]],
                        [[ln.indicator.code, ln.indicator.name, ln.value_text(),
                          fmt(ln.reading.target, ln.indicator.unit) if ln.reading else "—", ln.status_text()]
                         for ln in f.comparison.values()], [14 * mm, 80 * mm, 28 * mm, 28 * mm, 22 * mm])]
    trend_lines = [t for t in f.trends if len(t.points) > 1]  # a single snapshot is no trend (the workbook keeps it)
    if trend_lines:
        drawings = [trend_chart(t, font) for t in trend_lines[:TREND_CHARTS]]
        pairs = []
        for k in range(0, len(drawings), 2):
            pair = Drawing(180 * mm, 52 * mm)
            for j, dr in enumerate(drawings[k:k + 2]):
                dr.translate(j * 90 * mm, 0)
                pair.add(dr)
            pairs.append(pair)
        heading = p(_("Trends (month-end snapshots up to the date; dashed: the target)"), kit.head)
        story += [KeepTogether([heading, *pairs[:1]]), *pairs[1:]]
        if len(trend_lines) > TREND_CHARTS:
            story.append(p(_("The first %(n)d of %(t)d trends; the Excel workbook has every point.")
                           % {"n": TREND_CHARTS, "t": len(trend_lines)}))
    if f.evidence:
        story += [p(_("Evidence of the entered values"), kit.head),
                  table([_("code"), _("document number"), _("document date"), _("as of"), _("note")],
                        f.evidence, [16 * mm, 50 * mm, 25 * mm, 25 * mm, 60 * mm])]
    story.append(p(_("Definitions"), kit.head))
    for ln in f.lines:
        version = ln.reading.version if ln.reading and ln.reading.version else "—"
        story.append(p(f"{ln.indicator.code} {ln.indicator.name}（{ln.indicator.unit}，{version}）："
                       f"{ln.indicator.definition}", kit.cell))
    story += [Spacer(1, 2 * mm), p(status_rule(), kit.cell),
              p(_("Figures from the snapshots of %(on)s (kept as taken). Generated %(at)s.")
                % {"on": f.on, "at": f"{timezone.localtime():%Y-%m-%d %H:%M}"}, kit.cell)]
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=10 * mm, rightMargin=10 * mm, topMargin=14 * mm,
                            bottomMargin=14 * mm, title=title_of(f.report), invariant=1)
    doc.build(story)
    return out.getvalue()
