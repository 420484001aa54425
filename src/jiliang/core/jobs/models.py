"""Job rows (what the user follows on /jobs/) and schedule slots (what the scheduler has enqueued)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobState(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class JobQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> JobQuerySet:
        """A job is its owner's alone: no role, not even the provincial bureau, sees another's jobs or files.

        The work inside a job is scoped too: it runs with the owner's own restricted querysets."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(owner=user)


class Job(models.Model):
    """One piece of long work started by a user: its progress while it runs, its result file or error after."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.CASCADE,
                              related_name="+")
    kind = models.CharField(_("kind"), max_length=30)
    title = models.CharField(_("title"), max_length=200)
    params = models.JSONField(_("parameters"), default=dict)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    state = models.CharField(_("state"), max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    done = models.PositiveIntegerField(_("steps done"), default=0)
    total = models.PositiveIntegerField(_("steps in all"), null=True, blank=True)
    message = models.CharField(_("message"), max_length=300, blank=True)
    result_name = models.CharField(_("result file"), max_length=200, blank=True)
    result_path = models.CharField(max_length=300, blank=True)  # relative to JILIANG_JOBS_DIR
    result_link = models.CharField(_("result"), max_length=300, blank=True)  # a page that shows the result
    error = models.TextField(_("why it failed"), blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    started = models.DateTimeField(_("started"), null=True, blank=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        indexes = [models.Index(fields=["owner", "-id"], name="job_owner_recent")]

    def __str__(self) -> str:
        return f"{self.title} ({self.state})"

    @property
    def active(self) -> bool:
        return self.state in (JobState.QUEUED, JobState.RUNNING)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return 100 if self.state == JobState.DONE else None
        return min(100, round(100 * self.done / self.total))


class ScheduleSlot(models.Model):
    """One run of a periodic job: the unique (schedule, slot) row is what stops two schedulers from
    enqueueing the same run twice."""

    schedule = models.CharField(max_length=60)
    slot = models.DateTimeField()
    enqueued = models.DateTimeField(auto_now_add=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["schedule", "slot"], name="schedule_slot_once")]
        ordering = ["-slot"]

    def __str__(self) -> str:
        return f"{self.schedule} @ {self.slot:%Y-%m-%d %H:%M}"
