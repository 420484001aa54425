"""The Excel workbook of an evaluation report (core.export.write_sheets): every number of the PDF with its
definition, as plain numbers (a failed or missing value is an empty cell with its state, never a 0).

Sheets: indicators (one row per indicator of the report's region), by city (the city-assessment indicators, one row
per indicator and city; for a report on one region, the plan region's public figures), trends (every snapshot up to
the date), definitions, evidence (the internal version only) and the about sheet."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from jiliang.core.export import write_sheets

from .reports import Figures, Line, num, status_rule, summary_text, title_of


def headers() -> list[str]:
    return [_("code"), _("indicator"), _("region"), _("state"), _("value"), _("unit"), _("numerator"),
            _("denominator"), _("plan target"), _("target year"), _("expected on the date"), _("status"),
            _("percentage of the target"), _("definition version"), _("note")]


def _row(f: Figures, region: str, ln: Line) -> list:
    r = ln.reading
    pct = ln.percent_of_target()
    state = ln.value_text() if r is None or r.value is None else _("value")
    return [ln.indicator.code, ln.indicator.display_name, f.region_names.get(region, region), state,
            num(r.value) if r else None, ln.indicator.unit, num(r.numerator) if r else None,
            num(r.denominator) if r else None, num(r.target) if r else None,
            r.goal.by.year if r and r.goal else None, num(r.expected) if r else None, ln.status_text(),
            None if pct is None else round(pct, 2), (r.version if r else "") or "", ln.reason_text()]


def render(f: Figures) -> bytes:
    region = f.report.region_id
    sheets = [(_("indicators"), headers(), [_row(f, region, ln) for ln in f.lines])]
    by_city = [_row(f, r, ln) for lines in f.by_region.values() for r, ln in lines.items()]
    by_city += [_row(f, f.plan.region_id, ln) for ln in f.comparison.values()]
    sheets.append((_("by city"), headers(), by_city))
    sheets.append((_("trends"), [_("code"), _("indicator"), _("region"), _("as of"), _("value"), _("unit")],
                   [[t.indicator.code, t.indicator.display_name, f.region.display_name, day, v, t.indicator.unit]
                    for t in f.trends for day, v in t.points]))
    sheets.append((_("definitions"), [_("code"), _("indicator"), _("group"), _("unit"), _("direction"), _("source"),
                                      _("definition"), _("definition used"), _("definition version")],
                   [[ln.indicator.code, ln.indicator.display_name, ln.indicator.group, ln.indicator.unit,
                     ln.indicator.get_direction_display(), ln.indicator.get_source_kind_display(),
                     ln.indicator.display_definition, ln.reading.definition if ln.reading else "",
                     ln.reading.version if ln.reading else ""] for ln in f.lines]))
    if not f.report.public:
        sheets.append((_("evidence"), [_("code"), _("document number"), _("document date"), _("as of"), _("note")],
                       f.evidence))
    about = [(_("report"), title_of(f.report)), (_("plan"), f"{f.plan.name} {f.plan.document_number}".strip()),
             (_("region"), f.region.display_name), (_("as of"), str(f.on)), (_("summary"), summary_text(f)),
             (_("status rule"), status_rule()),
             (_("figures"), _("the snapshots of the date, kept as they were taken"))]
    buf = io.BytesIO()
    write_sheets(buf, sheets, about=about)
    return buf.getvalue()
