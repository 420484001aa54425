"""Starting a job, running it in a worker, and what a running job reports (progress, result file, error).

A job kind is a function of a :class:`Run` made a django-tasks task by :func:`job_task`; the task's only
argument is the job's id::

    @job_task
    def export_list_task(run: Run) -> None:
        path = run.result_file("instruments.xlsx")
        ...
        run.progress(done, total, _("rows written"))
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_tasks import task

from jiliang.core import audit

from .models import Job, JobState

log = logging.getLogger("jiliang.jobs")
PROGRESS_EVERY_S = 0.5  # a running job writes its progress at most this often


class JobError(Exception):
    """A failure to tell the user as it is (already in their language), without the exception's type."""


def jobs_dir() -> Path:
    return Path(settings.JILIANG_JOBS_DIR)


def delete_old_results(now=None, days: int | None = None) -> int:
    """Delete the result files of jobs finished more than ``days`` (JILIANG_JOB_RESULT_DAYS) ago; the job rows
    stay, and their download then says the file is no longer on the server. Returns how many files went."""
    days = settings.JILIANG_JOB_RESULT_DAYS if days is None else days
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    root, deleted = jobs_dir().resolve(), 0
    old = (Job.objects.filter(finished__lt=cutoff, state__in=[JobState.DONE, JobState.FAILED])
           .exclude(result_path="").values_list("result_path", flat=True))
    for relative in old.iterator():
        path = (root / relative).resolve()
        if root in path.parents and path.is_file():
            path.unlink()
            deleted += 1
    return deleted


def _audit(job: Job, message: str, **after) -> None:
    owner = job.owner
    with transaction.atomic():
        audit.record(job, "action", actor=owner, message=message, after={"state": job.state, **after},
                     region_code=getattr(owner, "region_id", None) or "",
                     organisation_id=getattr(owner, "organisation_id", None))


def start_job(owner, *, kind: str, title: str, task, params: dict | None = None) -> Job:
    """Queue ``task`` (a django-tasks task taking the job id) as a new job of ``owner``.

    The task row is written in the same transaction as the job row, so a job is never left without its task
    (nor a task without its job)."""
    with transaction.atomic():
        job = Job.objects.create(owner=owner, kind=kind, title=str(title)[:200], params=params or {},
                                 language=get_language() or settings.LANGUAGE_CODE)
        audit.record(job, "create", actor=owner, message=f"job queued: {kind}",
                     after={"kind": kind, "title": job.title},
                     region_code=getattr(owner, "region_id", None) or "",
                     organisation_id=getattr(owner, "organisation_id", None))
        result = task.enqueue(job.pk)
        Job.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


class Run:
    """What the task body of a running job uses: progress, the result file and the link to the result."""

    def __init__(self, job: Job):
        self.job = job
        self._last = 0.0

    def progress(self, done: int, total: int | None = None, message: str = "", *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < PROGRESS_EVERY_S:
            return
        self._last = now
        fields = {"done": done, "message": str(message)[:300]}
        if total is not None:
            fields["total"] = total
        Job.objects.filter(pk=self.job.pk).update(**fields)
        for k, v in fields.items():
            setattr(self.job, k, v)
        log.info("job %s %s: %s/%s %s", self.job.pk, self.job.kind, done, self.job.total or "?", message)

    def result_file(self, name: str) -> Path:
        """The path to write the result file to (kept under JILIANG_JOBS_DIR, served to the owner only)."""
        relative = Path(str(self.job.owner_id)) / f"{self.job.pk}-{Path(name).name}"
        path = jobs_dir() / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        self.job.result_name = Path(name).name[:200]
        self.job.result_path = str(relative)
        return path

    def link(self, url: str) -> None:
        self.job.result_link = url[:300]


def readable_error(exc: BaseException) -> str:
    """The error in the user's language: the messages of the errors users can act on, otherwise a plain
    sentence naming what went wrong (the traceback stays in the worker's log and the task result)."""
    if isinstance(exc, JobError):
        return str(exc)
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, PermissionDenied):
        return str(exc) or _("You may not do this.")
    return _("The job stopped on an unexpected error (%(kind)s: %(detail)s). Please report it to the "
             "administrator.") % {"kind": type(exc).__name__, "detail": str(exc)[:300]}


def job_task(fn):
    """A django-tasks task for one kind of job: ``fn(run)`` runs as the job whose id the task is given.

    The job turns running, the owner's language is active and the owner is named in the audit trail
    (channel ``task``); afterwards it is done, or failed with a readable error (the exception is re-raised,
    so the task result keeps the traceback). A job runs once even if its task is delivered twice."""

    @functools.wraps(fn)
    def body(job_id: int) -> None:
        job = Job.objects.select_related("owner").get(pk=job_id)
        if job.state != JobState.QUEUED:
            log.warning("job %s is %s, not queued: not run again", job.pk, job.state)
            return
        job.state, job.started = JobState.RUNNING, timezone.now()
        job.save(update_fields=["state", "started"])
        run = Run(job)
        with translation.override(job.language), audit.audit_context(actor=job.owner, channel="task"):
            _audit(job, f"job started: {job.kind}")
            try:
                fn(run)
            except BaseException as exc:
                job.state, job.error = JobState.FAILED, readable_error(exc)
                job.finished = timezone.now()
                job.save(update_fields=["state", "error", "finished", "message", "result_name", "result_path",
                                        "result_link"])
                _audit(job, f"job failed: {job.kind}", error=job.error[:300])
                log.warning("job %s failed: %s", job.pk, job.error)
                raise
            job.state, job.finished = JobState.DONE, timezone.now()
            job.done = job.total if job.total is not None else job.done
            job.save(update_fields=["state", "finished", "done", "message", "result_name", "result_path",
                                    "result_link"])
            _audit(job, f"job done: {job.kind}", result=job.result_name or job.result_link)
            log.info("job %s done: %s", job.pk, job.result_name or job.result_link or job.message)

    return task()(body)
