"""A list's Excel export as a job: the same rows, labels and description sheet as the immediate export
(``core.ui.export_list``), streamed into the job's result file with progress."""

from __future__ import annotations

from django.http import QueryDict
from django.utils.translation import gettext as _

from .services import JobError, Run, job_task, start_job

# Excel's last row (1,048,576) less the header row: a background export is bounded by the sheet only.
EXCEL_MAX_ROWS = 1_048_575


def start_list_export(ui, user, params: QueryDict):
    title = _("Excel export of %(what)s") % {"what": ui.model._meta.verbose_name_plural}
    return start_job(user, kind="export", title=title, task=export_list_task,
                     params={"ui": ui.slug, "query": params.urlencode()})


@job_task
def export_list_task(run: Run) -> None:
    from django.urls import get_resolver

    from jiliang.core.ui import REGISTRY, export_list, export_size

    get_resolver().url_patterns  # noqa: B018  (the apps register their lists as the URL map loads)
    job = run.job
    ui = next((u for u in REGISTRY.values() if u.slug == job.params.get("ui")), None)
    if ui is None:
        raise JobError(_("There is no list %(name)r to export.") % {"name": job.params.get("ui")})
    params = QueryDict(job.params.get("query", ""))
    total = min(export_size(ui, job.owner, params), EXCEL_MAX_ROWS)
    run.progress(0, total, _("rows written"), force=True)
    tmp = run.result_file(f"{ui.slug}.xlsx")
    name, count = export_list(ui, job.owner, params, target=tmp, max_rows=EXCEL_MAX_ROWS,
                              progress=lambda n: run.progress(n, total, _("rows written")))
    final = tmp.with_name(f"{job.pk}-{name}")
    tmp.rename(final)
    run.result_file(name)
    run.progress(count, count, _("rows written"), force=True)
