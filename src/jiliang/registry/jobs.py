"""The registry's import as a job: the checked upload (``ImportBatch``) is written by the worker.

The request that decides ("import the valid rows", "import") only queues the job; the task reads the kept
file again in the worker, checks it against the records as they are now (another import may have run since
the check), and applies it with progress. The check itself (the preview) stays in the request: it is what
the user waits to read, calamine reads 100,000 rows in a few seconds, and the upload limits bound it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from jiliang.core.jobs.services import Run, job_task, start_job
from jiliang.core.models import ImportBatch, ImportStatus
from jiliang.core.tabular import read_table

from .importing import IMPORTERS


def start_import(batch: ImportBatch, *, choice: str, list_url: str):
    title = _("Import of %(what)s from %(file)s") % {"what": IMPORTERS[batch.kind].label, "file": batch.filename}
    return start_job(batch.user, kind="import", title=title, task=apply_import_task,
                     params={"batch": batch.pk, "valid_only": choice == "valid", "list_url": list_url})


@job_task
def apply_import_task(run: Run) -> None:
    job = run.job
    batch = ImportBatch.objects.get(pk=job.params["batch"], user=job.owner)
    importer = IMPORTERS[batch.kind](job.owner)
    total = int(batch.report.get("total") or 0)
    run.progress(0, total, _("checking the rows against the records as they are now"), force=True)
    try:
        report = importer.plan(read_table(batch.filename, bytes(batch.data)))
        writes = report.count("create") + report.count("update")
        run.progress(0, writes, _("rows written"), force=True)
        result = importer.apply(report, valid_only=job.params.get("valid_only", False),
                                progress=lambda n: run.progress(n, writes, _("rows written"), force=True))
    except (ValidationError, PermissionDenied) as exc:
        batch.status = ImportStatus.FAILED
        batch.result = {"error": " ".join(getattr(exc, "messages", [str(exc)]))}
        batch.finished = timezone.now()
        batch.save(update_fields=["status", "result", "finished"])
        raise
    except BaseException:
        batch.status, batch.finished = ImportStatus.FAILED, timezone.now()
        batch.save(update_fields=["status", "finished"])
        raise
    batch.status, batch.result, batch.finished = ImportStatus.APPLIED, result, timezone.now()
    batch.save(update_fields=["status", "result", "finished"])
    run.progress(writes, writes, _("Imported: %(created)d new, %(updated)d changed, %(unchanged)d unchanged, "
                                   "%(skipped_error_rows)d rows with errors skipped.") % result, force=True)
    run.link(job.params.get("list_url", ""))
