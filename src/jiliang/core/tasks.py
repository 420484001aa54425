"""Periodic tasks of core (their Schedules are in core/extensions.py)."""

from pathlib import Path

from django.conf import settings
from django_tasks import task

from .audit import audit_context, write_anchor


@task()
def audit_anchor(slot: str) -> dict:
    """`jiliang audit-anchor` on schedule: the chain's signed head appended to JILIANG_AUDIT_ANCHOR_FILE."""
    with audit_context(channel="task"):
        anchor = write_anchor(Path(settings.JILIANG_AUDIT_ANCHOR_FILE))
    return {"entry_id": anchor["entry_id"], "entries": anchor["entries"]}


@task()
def delete_old_job_results(slot: str) -> dict:
    """Result files of jobs older than JILIANG_JOB_RESULT_DAYS go, so var/jobs does not grow without end."""
    from .jobs.services import delete_old_results

    return {"deleted": delete_old_results()}
