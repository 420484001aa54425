"""Evaluation reports of a plan (issue #17 item 6; the plan's §二十四 asks for a mid-term evaluation at the end of
2017 and a final one in 2020, published): what a report holds, who may ask for one, and the background job that
writes its PDF (report_pdf.py) and Excel workbook (report_xlsx.py) from the same figures.

* **kinds**: mid-term (the plan's ``mid_term_on``), final (``ends_on``) or at any date in the plan's period up to
  today; a date before the plan's start or in the future is refused.
* **what is read**: the snapshots of the date (services.readings_at takes the missing ones first, so a second
  report of the same date reads the same figures), and the trend of each indicator from its snapshots up to the
  date (values.history).
* **scope**: the provincial bureau reports on any region of the plan; another bureau on its own region only. A
  report on the plan's region covers it and its cities; a report on another region covers that region and, for
  comparison, the plan region's row of the public indicators only.
* **public version**: the public indicators only, no evidence documents, notes or failure reasons (a failed value
  is "not available"); the provincial bureau publishes it, and then anyone may download it (/kpi/public/).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from jiliang.core import audit
from jiliang.core.jobs.services import JobError, Run, job_task, start_job
from jiliang.core.models import Region
from jiliang.core.regions import is_within

from . import access, services, status, values
from .models import EvaluationReport, Indicator, Plan, ReportKind, SnapshotState

JOB_KIND = "kpi-evaluation-report"
SUMMARY_ORDER = (status.MET, status.ON_TRACK, status.BEHIND, status.NOT_MET, status.NO_TARGET, status.NO_VALUE,
                 status.FAILED)


def status_label(code: str) -> str:
    """An indicator's status in words (status.py's rule), as the pages word it."""
    from .pages import STATUS

    return str(STATUS[code][0]) if code in STATUS else code


# ---------------------------------------------------------------- checks


def report_date(plan: Plan, kind: str, on: dt.date | None, today: dt.date | None = None) -> dt.date:
    """The date a report of ``kind`` evaluates, or a ValidationError naming the field."""
    today = today or timezone.localdate()
    if kind not in ReportKind.values:
        raise ValidationError({"kind": _("Choose one of: %(k)s.") % {"k": ", ".join(ReportKind.values)}})
    if kind == ReportKind.MID_TERM:
        if plan.mid_term_on is None:
            raise ValidationError({"kind": _("The plan %(p)s sets no mid-term evaluation date.") % {"p": plan.code}})
        day, field_name = plan.mid_term_on, "kind"
    elif kind == ReportKind.FINAL:
        day, field_name = plan.ends_on, "kind"
    else:
        if on is None:
            raise ValidationError({"on": _("Give the date of the evaluation (YYYY-MM-DD).")})
        day, field_name = on, "on"
    if day < plan.starts_on:
        raise ValidationError({field_name: _("The date %(d)s comes before the plan's start on %(s)s.")
                               % {"d": day, "s": plan.starts_on}})
    if day > today:
        raise ValidationError({field_name: _("The date %(d)s lies in the future; an evaluation reads what was "
                                             "recorded by its date.") % {"d": day}})
    return day


def report_region(user, plan: Plan, region: str | None) -> str:
    """The region a report covers: the province any region of the plan (default the plan's), another bureau its
    own region only."""
    access.check_read(user)
    own = access.root_of(user)
    if not region:
        return plan.region_id if access.is_province(user) else own
    if not Region.objects.filter(code=region, is_current=True).exists():
        raise ValidationError({"region": _("No current region has the code %(c)s.") % {"c": region}})
    if not is_within(region, plan.region_id):
        raise ValidationError({"region": _("The region %(r)s lies outside the plan's region %(p)s.")
                               % {"r": region, "p": plan.region_id}})
    if not access.is_province(user) and region != own:
        raise PermissionDenied(_("A bureau reports on its own region %(r)s only.") % {"r": own})
    return region


def regions_of(plan: Plan, region: str) -> list[str]:
    """The regions a report reads: the plan's region and its cities, or one region and (for comparison) the plan's
    region."""
    if region == plan.region_id:
        return values.plan_regions(plan)
    return [region, plan.region_id]


# ---------------------------------------------------------------- the figures


@dataclass
class Line:
    """One indicator's row in a report."""

    indicator: Indicator
    reading: values.Reading | None
    public: bool  # the public version's wording (no reasons, notes or evidence)

    @property
    def status(self) -> str:
        return self.reading.status if self.reading else status.NO_VALUE

    @property
    def failed(self) -> bool:
        return self.status == status.FAILED

    def value_text(self) -> str:
        r = self.reading
        if r is None or r.state == SnapshotState.MISSING:
            return _("not entered")
        if self.failed:
            return pgettext("indicator value", "not available") if self.public else status_label(status.FAILED)
        return fmt(r.value, self.indicator.unit)

    def status_text(self) -> str:
        """The status in words; the public version says a failed value is not available."""
        return pgettext("indicator value", "not available") if self.public and self.failed else status_label(self.status)

    def reason_text(self) -> str:
        """Why there is no value (internal: the failure's reason or the note; public: nothing internal)."""
        r = self.reading
        if r is None:
            return ""
        if self.failed:
            return "" if self.public else r.reason
        return "" if self.public else r.note

    def percent_of_target(self) -> float | None:
        r = self.reading
        if r is None or r.value is None or not r.target:
            return None
        if self.indicator.direction == "at_most":
            return float(100 * r.target / r.value) if r.value else None
        return float(100 * r.value / r.target)


@dataclass
class Trend:
    indicator: Indicator
    points: list[tuple[dt.date, float]]
    target: float | None


@dataclass
class Figures:
    report: EvaluationReport
    plan: Plan
    region: Region
    on: dt.date
    lines: list[Line]  # the report region's row of every indicator
    by_region: dict[str, dict[str, Line]]  # indicator code -> region -> line (city assessment indicators)
    comparison: dict[str, Line]  # indicator code -> the plan region's line (a report on another region)
    region_names: dict[str, str]
    trends: list[Trend]
    evidence: list[tuple] = field(default_factory=list)

    @property
    def summary(self) -> Counter:
        return Counter(line.status for line in self.lines)


def fmt(v: Decimal | float | None, unit: str = "") -> str:
    if v is None:
        return "—"
    d = Decimal(str(v))
    text = f"{d:.2f}" if unit == "%" or d != d.to_integral_value() else f"{d:.0f}"
    return f"{text} %" if unit == "%" else f"{text} {unit}".strip()


def num(v) -> float | None:
    return None if v is None else float(v)


def indicators_of(report: EvaluationReport) -> list[Indicator]:
    qs = report.plan.indicators.select_related("plan").order_by("position", "code")
    return list(qs.filter(public=True) if report.public else qs)


def gather(report: EvaluationReport, progress=None) -> Figures:
    """Read everything a report shows: the snapshots of its date (taken first where missing) and the trends."""
    plan, on = report.plan, report.on
    regions = regions_of(plan, report.region_id)
    indicators = indicators_of(report)
    services.take_snapshots(plan, on, regions=regions, progress=progress)
    readings = services.readings_at(plan, on, regions)
    lines = [Line(i, readings.get((i.code, report.region_id)), report.public) for i in indicators]
    by_region: dict[str, dict[str, Line]] = {}
    comparison: dict[str, Line] = {}
    if report.region_id == plan.region_id:
        for i in indicators:
            if i.city_assessment:
                by_region[i.code] = {r: Line(i, readings.get((i.code, r)), report.public) for r in regions[1:]}
    else:
        for i in indicators:
            if i.public:  # the plan region's figures a region's report may show
                comparison[i.code] = Line(i, readings.get((i.code, plan.region_id)), report.public)
    names = {r.code: r.display_name for r in Region.objects.filter(code__in=regions)}
    trends = []
    for i in indicators:
        points = [(r.on, float(r.value)) for r in values.history(i, report.region_id)
                  if r.on <= on and r.value is not None]
        if len(points) >= 1:
            line = next(ln for ln in lines if ln.indicator.pk == i.pk)
            trends.append(Trend(i, points, num(line.reading.target) if line.reading else None))
    evidence = []
    if not report.public:
        evidence = [(ln.indicator.code, ln.reading.evidence.document_number, ln.reading.evidence.document_date,
                     ln.reading.evidence.on, ln.reading.evidence.note)
                    for ln in lines if ln.reading and ln.reading.evidence]
    return Figures(report, plan, Region.objects.get(code=report.region_id), on, lines, by_region, comparison,
                   names, trends, evidence)


def summary_text(f: Figures) -> str:
    s = f.summary
    return _("As of %(on)s, of the %(n)d indicators evaluated for %(region)s: %(met)d met, %(on_track)d on track, "
             "%(behind)d behind, %(not_met)d not met, %(no_target)d without a target, %(no_value)d without a value "
             "and %(failed)d that could not be computed.") % {
        "on": f.on, "n": len(f.lines), "region": f.region.display_name, "met": s[status.MET],
        "on_track": s[status.ON_TRACK], "behind": s[status.BEHIND], "not_met": s[status.NOT_MET],
        "no_target": s[status.NO_TARGET], "no_value": s[status.NO_VALUE], "failed": s[status.FAILED]}


def title_of(report: EvaluationReport) -> str:
    words = {ReportKind.MID_TERM: _("mid-term evaluation"), ReportKind.FINAL: _("final evaluation"),
             ReportKind.OTHER: _("evaluation")}[report.kind]
    title = _("%(plan)s: %(kind)s as of %(on)s") % {"plan": report.plan, "kind": words, "on": report.on}
    return f"{title} ({_('public version')})" if report.public else title


def status_rule() -> str:
    return _("Status: met when the value reaches the target; with a baseline, on track when it is at or above the "
             "straight line from the baseline to the target, behind when below; without a baseline, met or not "
             "met. A failed computation is shown as failed, never as 0.")


# ---------------------------------------------------------------- actions


def start_report(user, plan: Plan, *, on: dt.date | None = None, kind: str = ReportKind.OTHER,
                 public: bool = False, region: str | None = None) -> EvaluationReport:
    """Check the request and queue the report job; returns the report (its ``job`` follows the progress)."""
    access.check_read(user)
    day = report_date(plan, kind, on)
    code = report_region(user, plan, region)
    with transaction.atomic():
        report = EvaluationReport.objects.create(plan=plan, kind=kind, on=day, public=bool(public), region_id=code,
                                                 requested_by=user)
        audit.record(report, "create", actor=user, message="evaluation report requested",
                     after={"plan": plan.code, "kind": kind, "on": day.isoformat(), "public": bool(public),
                            "region": code}, region_code=code)
        job = start_job(user, kind=JOB_KIND, title=title_of(report), task=report_task, params={"report": report.pk})
        EvaluationReport.objects.filter(pk=report.pk).update(job=job)
    report.refresh_from_db()
    return report


def publish(report: EvaluationReport, *, actor) -> EvaluationReport:
    """Publish a public report on the portal: the provincial bureau's, once its files are written."""
    access.check_province(actor)
    if not report.public:
        raise ValidationError({"public": _("Only the public version of a report can be published.")})
    if not (report.pdf and report.xlsx):
        raise ValidationError({"report": _("The report is not written yet; publish it when its job is done.")})
    if report.published_on:
        raise ValidationError({"report": _("The report was published on %(d)s.") % {"d": report.published_on}})
    with transaction.atomic():
        report.published_on = timezone.localdate()
        report.save(update_fields=["published_on", "last_updated"])
        audit.record(report, "action", actor=actor, message="evaluation report published",
                     after={"published_on": report.published_on.isoformat()}, region_code=report.region_id)
    return report


def published():
    """What the public may download: published public reports."""
    return (EvaluationReport.objects.filter(public=True, published_on__isnull=False)
            .exclude(pdf="").select_related("plan", "region"))


def file_name(report: EvaluationReport, ext: str) -> str:
    return (f"{report.plan.code}-{report.kind}-{report.on}-{report.region_id}"
            f"{'-public' if report.public else ''}-{report.pk}.{ext}")


@job_task
def report_task(run: Run) -> None:
    from . import report_pdf, report_xlsx

    report = (EvaluationReport.objects.select_related("plan", "region", "requested_by")
              .filter(pk=run.job.params.get("report")).first())
    if report is None:
        raise JobError(_("The report no longer exists."))
    try:
        report_region(report.requested_by, report.plan, report.region_id)
    except (PermissionDenied, ValidationError) as exc:
        raise JobError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
    run.progress(0, 4, _("reading the snapshots"), force=True)
    figures = gather(report, progress=lambda n, total: run.progress(0, 4, _("taking snapshots: %(n)d of %(t)d")
                                                                     % {"n": n, "t": total}))
    run.progress(1, 4, _("drawing the PDF"), force=True)
    pdf = report_pdf.render(figures)
    run.progress(2, 4, _("writing the Excel workbook"), force=True)
    xlsx = report_xlsx.render(figures)
    run.progress(3, 4, _("storing the files"), force=True)
    report.pdf.save(file_name(report, "pdf"), ContentFile(pdf), save=False)
    report.xlsx.save(file_name(report, "xlsx"), ContentFile(xlsx), save=False)
    report.save(update_fields=["pdf", "xlsx", "last_updated"])
    run.link(reverse("kpi:report", args=[report.pk]))
    run.progress(4, 4, _("%(n)d indicators evaluated.") % {"n": len(figures.lines)}, force=True)
