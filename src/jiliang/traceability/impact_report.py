"""The report of a reverse-traceability case: a PDF in Chinese (reportlab, laid out like supervision's campaign
report) and an Excel workbook of every affected record the user may see, written by a background job with
progress (core/jobs). The PDF gives the case, the counts by depth and by owner, and the first
:data:`PDF_ROWS` records (the workbook has them all)."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer

from jiliang.core.export import write_workbook
from jiliang.core.jobs.services import JobError, Run, job_task, start_job
from jiliang.core.pdf_fonts import ReportKit
from jiliang.core.scoping import VIEW
from jiliang.registry.models import Instrument, MeasurementStandard

from .models import AffectedRecord, ImpactCase, NodeKind

PDF_ROWS = 2000
CHUNK = 2000
KIND = "impact-report"
FORMATS = ("pdf", "xlsx")


def records(user, case: ImpactCase):
    return (AffectedRecord.objects.restrict(user, VIEW).filter(case=case).select_related("owner")
            .order_by("depth", "on", "id"))


def labelled(rows) -> Iterator[tuple[AffectedRecord, str]]:
    """The records with their node's name, reading nodes in chunks (no query per row)."""
    batch: list[AffectedRecord] = []

    def flush():
        inst = Instrument.objects.select_related("category").in_bulk(
            [r.node_id for r in batch if r.node_kind == NodeKind.INSTRUMENT])
        std = MeasurementStandard.objects.in_bulk([r.node_id for r in batch if r.node_kind == NodeKind.STANDARD])
        for r in batch:
            if r.node_kind == NodeKind.INSTRUMENT and r.node_id in inst:
                i = inst[r.node_id]
                yield r, f"{i.category.name} {i.model} #{i.serial_number}"
            elif r.node_kind == NodeKind.STANDARD and r.node_id in std:
                yield r, std[r.node_id].name
            else:
                yield r, f"{r.node_kind}:{r.node_id}"
        batch.clear()

    for r in rows.iterator(chunk_size=CHUNK):
        batch.append(r)
        if len(batch) >= CHUNK:
            yield from flush()
    yield from flush()


def headers() -> list[str]:
    return [_("depth"), _("kind"), _("record"), _("certificate number"), _("calibrated or verified on"),
            _("owner"), _("region"), _("decision"), _("note")]


def line(r: AffectedRecord, name: str) -> list:
    return [r.depth, r.get_node_kind_display(), name, r.certificate_no, r.on, r.owner.name, r.region_id,
            r.get_decision_display(), r.note]


def about(case: ImpactCase) -> list[tuple[str, str]]:
    return [(_("case"), str(case.pk)), (_("trigger"), case.get_trigger_display()),
            (_("source"), str(case.standard or case.certificate)), (_("found on"), str(case.found_on)),
            (_("last good calibration on"), str(case.last_good_on or "—")), (_("reason"), case.reason),
            (_("status"), case.get_status_display()),
            (_("certificates affected"), str(case.affected_certificates)),
            (_("instruments affected"), str(case.affected_instruments)),
            (_("standards affected"), str(case.affected_standards))]


def write_xlsx(target, user, case: ImpactCase, progress=None) -> int:
    return write_workbook(target, _("Affected records"), headers(),
                          (line(r, name) for r, name in labelled(records(user, case))), about=about(case),
                          progress=progress)


def render_pdf(user, case: ImpactCase, progress=None) -> bytes:
    """The PDF, in Chinese."""
    with translation.override("zh-hans"):
        kit = ReportKit(cell_size=8, cell_leading=10)
        head, title, p, table = kit.head, kit.title, kit.p, kit.table

        qs = records(user, case)
        by_depth = Counter(qs.values_list("depth", flat=True).iterator(chunk_size=20000))
        by_owner = Counter(qs.values_list("owner__name", flat=True).iterator(chunk_size=20000))
        shown = []
        for n, (r, name) in enumerate(labelled(qs[:PDF_ROWS]), start=1):
            shown.append(line(r, name))
            if progress and n % 500 == 0:
                progress(n)
        total = sum(by_depth.values())
        story = [p(_("Reverse traceability report"), title), p(str(case.standard or case.certificate), title),
                 Spacer(1, 4 * mm), p(_("The case"), head),
                 table([_("item"), _("value")], about(case), [50 * mm, 130 * mm]),
                 p(_("Affected records by depth"), head),
                 table([_("depth"), _("records")], sorted(by_depth.items()), [40 * mm, 40 * mm]),
                 p(_("Affected records by owner"), head),
                 table([_("owner"), _("records")], by_owner.most_common(50), [120 * mm, 40 * mm]),
                 p(_("Affected records"), head)]
        if total > len(shown):
            story.append(p(_("The first %(n)d of %(total)d records; the Excel workbook lists them all.")
                           % {"n": len(shown), "total": total}))
        story.append(table(headers(), shown, [10 * mm, 14 * mm, 34 * mm, 34 * mm, 18 * mm, 30 * mm, 14 * mm,
                                               18 * mm, 18 * mm]))
        out = io.BytesIO()
        doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=10 * mm, rightMargin=10 * mm, topMargin=15 * mm,
                                bottomMargin=15 * mm, title=f"{_('Reverse traceability report')} {case.pk}",
                                invariant=1)
        doc.build(story)
        return out.getvalue()


def start_report(user, case: ImpactCase, fmt: str):
    if fmt not in FORMATS:
        raise JobError(_("Choose PDF or Excel."))
    title = _("Reverse traceability report %(id)d (%(fmt)s)") % {"id": case.pk, "fmt": fmt.upper()}
    return start_job(user, kind=KIND, title=title, task=report_task, params={"case": case.pk, "format": fmt})


@job_task
def report_task(run: Run) -> None:
    job = run.job
    case = ImpactCase.objects.restrict(job.owner, VIEW).filter(pk=job.params.get("case")).first()
    if case is None:
        raise JobError(_("The case is no longer yours to see."))
    fmt = job.params.get("format")
    total = records(job.owner, case).count()
    run.progress(0, total, _("records written"), force=True)
    if fmt == "pdf":
        data = render_pdf(job.owner, case, progress=lambda n: run.progress(n, total, _("records written")))
        run.result_file(f"impact-{case.pk}.pdf").write_bytes(data)
    else:
        path = run.result_file(f"impact-{case.pk}.xlsx")
        total = write_xlsx(path, job.owner, case, progress=lambda n: run.progress(n, total, _("records written")))
    run.progress(total, total, _("%(n)d records.") % {"n": total}, force=True)
    run.link(reverse("traceability-impact-detail", args=[case.pk]))
