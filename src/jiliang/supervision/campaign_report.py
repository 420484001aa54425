"""The report of a spot-check campaign: a PDF in Chinese (reportlab, laid out like notice_pdf) and an Excel workbook
(one sheet per table, plus the targets). Both read the same :class:`ReportContent`, built from what the user may see.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer

from jiliang.core.export import write_sheets
from jiliang.core.pdf_fonts import ReportKit

from . import campaign_results as cr
from .models import Campaign, Finding


@dataclass(frozen=True)
class ReportContent:
    number: str
    title: str
    bureau: str
    scope: list[tuple[str, str]]
    method: list[tuple[str, str]]
    by_inspector: list[tuple[str, int, int]]  # inspector, targets, checked
    results: cr.Results
    targets: list[tuple]  # position, subject, owner, county, inspector, status, findings


def _subject(t) -> tuple[str, str]:
    if t.instrument_id:
        i = t.instrument
        return f"{i.instrument_code} {i.category.name} {i.model} {i.serial_number}", i.owner.name
    return t.organisation.name, t.organisation.name


def content(campaign: Campaign, targets) -> ReportContent:
    """The report's content in the active language, over ``targets`` (the ones the reader may see)."""
    targets = targets.select_related("instrument", "instrument__category", "instrument__owner", "organisation",
                                     "county", "inspector").order_by("position")
    kinds: dict[int, list[str]] = {}
    for target_id, kind in Finding.objects.filter(target__in=targets).values_list("target_id", "kind"):
        kinds.setdefault(target_id, []).append(kind)
    outcomes = cr.target_outcomes(campaign, targets)
    rows, inspectors = [], {}
    for t in targets:
        subject, owner = _subject(t)
        inspector = str(t.inspector) if t.inspector_id else "—"
        done = outcomes[t.pk].checked
        n, c = inspectors.get(inspector, (0, 0))
        inspectors[inspector] = (n + 1, c + done)
        rows.append((t.position, subject, owner, t.county.display_name, inspector, str(t.get_status_display()),
                     "、".join(kinds.get(t.pk, [])) or "—"))
    regions = ", ".join(r.display_name for r in campaign.regions.order_by("code")) or _("the bureau's whole region")
    cats = ", ".join(c.name for c in campaign.categories.order_by("name")) or _("every category")
    scope = [(_("organising bureau (region)"), campaign.bureau_region.display_name),
             (_("regions"), regions), (_("categories"), cats),
             (_("owner kinds"), ", ".join(campaign.owner_kinds) or _("all")),
             (_("usages"), ", ".join(campaign.usages) or _("all")),
             (_("mandatory verification only"), _("yes") if campaign.mandatory_only else _("no")),
             (_("period"), f"{campaign.period_start} – {campaign.period_end}"),
             (_("draw"), str(campaign.get_target_kind_display())),
             (_("sample size"), str(campaign.sample_size)),
             (_("at least per county"), str(campaign.min_per_county)),
             (_("inspectors never check their own county"), _("yes") if campaign.exclude_own_county else _("no"))]
    method = [(_("seed"), campaign.seed or "—"), (_("population"), str(campaign.population_size or "—")),
              (_("population SHA-256"), campaign.population_sha256 or "—"),
              (_("drawn at"), f"{timezone.localtime(campaign.drawn_at):%Y-%m-%d %H:%M}" if campaign.drawn_at else "—"),
              (_("algorithm"), _("SHA-256 counter stream (seed:purpose:k), rejection to a uniform integer, partial "
                                 "Fisher–Yates: first the minimum per county, county by county in code order, then "
                                 "the rest from what remains; inspectors by a shuffled round robin evened out by "
                                 "cost-reducing paths (docs/supervision-campaigns.md)."))]
    return ReportContent(number=campaign.number, title=campaign.title,
                         bureau=campaign.bureau_region.display_name, scope=scope, method=method,
                         by_inspector=[(k, v[0], v[1]) for k, v in sorted(inspectors.items())],
                         results=cr.results(campaign, targets), targets=rows)


RESULT_HEADERS = (gettext_noop("targets"), gettext_noop("checked"), gettext_noop("nonconforming"),
                  gettext_noop("nonconformity rate"), gettext_noop("interval (Wilson, 95 %)"))


def _result_line(row: cr.Row) -> list:
    return [row.label, row.targets, row.checked, row.nonconforming, cr.percent(row.rate),
            cr.interval_text(row.interval)]


def render_pdf(c: ReportContent) -> bytes:
    """The PDF (the labels come in the active language; the report is meant in Chinese)."""
    kit = ReportKit()
    body, head, title, p, table = kit.body, kit.head, kit.title, kit.p, kit.table

    story = [p(_("Spot-check campaign report"), title), p(f"{c.number} {c.title}", title), Spacer(1, 4 * mm),
             p(_("Scope"), head), table([_("item"), _("value")], c.scope, [55 * mm, 125 * mm]),
             p(_("Method of the draw"), head), table([_("item"), _("value")], c.method, [55 * mm, 125 * mm]),
             p(_("Targets by inspector"), head),
             table([_("inspector"), _("targets"), _("checked")], c.by_inspector, [90 * mm, 45 * mm, 45 * mm])]
    for label, rows, first in ((_("Results by county"), c.results.by_county, _("county")),
                               (_("Results by city"), c.results.by_city, _("city")),
                               (_("Results by category"), c.results.by_category, _("category"))):
        res_head = [first, *(_(h) for h in RESULT_HEADERS)]
        story += [p(label, head), table(res_head, [_result_line(r) for r in [*rows, c.results.total]],
                                        [50 * mm, 18 * mm, 18 * mm, 22 * mm, 30 * mm, 42 * mm])]
    story += [p(_("n = 0: no rate is given (—). Interval: Wilson score interval, 95 % (Wilson 1927, JASA "
                  "22:209–212)."), body),
              p(_("Targets"), head),
              table([_("draw order"), _("target"), _("owner"), _("county"), _("inspector"), _("status"),
                     _("findings")], c.targets,
                    [14 * mm, 50 * mm, 34 * mm, 20 * mm, 22 * mm, 18 * mm, 22 * mm])]
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=f"{c.number} {c.title}", invariant=1)
    doc.build(story)
    return out.getvalue()


def pdf(campaign: Campaign, targets) -> bytes:
    with translation.override("zh-hans"):
        return render_pdf(content(campaign, targets))


def xlsx(campaign: Campaign, targets) -> bytes:
    """One sheet per results table, the targets, and the about sheet (scope and method)."""
    c = content(campaign, targets)
    res = [_("name"), *(_(h) for h in RESULT_HEADERS)]
    sheets = [(_("by county"), res, [_result_line(r) for r in [*c.results.by_county, c.results.total]]),
              (_("by city"), res, [_result_line(r) for r in [*c.results.by_city, c.results.total]]),
              (_("by category"), res, [_result_line(r) for r in [*c.results.by_category, c.results.total]]),
              (_("by inspector"), [_("inspector"), _("targets"), _("checked")], c.by_inspector),
              (_("targets"), [_("draw order"), _("target"), _("owner"), _("county"), _("inspector"), _("status"),
                              _("findings")], c.targets)]
    buf = io.BytesIO()
    write_sheets(buf, sheets, about=[(_("campaign"), f"{c.number} {c.title}"), *c.scope, *c.method])
    return buf.getvalue()
