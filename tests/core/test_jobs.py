"""Jobs: a large export or an import's apply step runs as a job its owner follows on /jobs/ and nobody else
sees; a failing job says why in the user's language; a missing result file is a clear 404; the database
worker runs queued jobs."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook
from tests.conftest import _user, web_client_for

from jiliang.core.jobs.export import export_list_task
from jiliang.core.jobs.models import Job, JobState
from jiliang.core.jobs.services import Run, job_task, start_job
from jiliang.core.models import AuditEntry
from jiliang.core.roles import Role
from jiliang.registry import models as m


@job_task
def failing_task(run: Run) -> None:
    run.progress(3, 10, "half way", force=True)
    raise ValidationError("第 7 行：型号不能为空")


@job_task
def crashing_task(run: Run) -> None:
    raise ZeroDivisionError("division by zero")


def big_export(world, settings, user=None, lang="zh-hans", **params):
    settings.JILIANG_EXPORT_SYNC_ROWS = 0  # any row at all: a job
    client = web_client_for(user or world.users["kunshan"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    response = client.get(reverse("instruments-list"), {**params, "export": "xlsx"})
    return client, response


def test_an_export_above_the_setting_runs_as_a_job_and_its_file_holds_the_filtered_rows(world, settings):
    client, response = big_export(world, settings, sort="serial_number")
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job-detail", args=[job.pk])
    assert job.state == JobState.DONE and job.kind == "export" and job.owner == world.users["kunshan"]
    visible = list(m.Instrument.objects.restrict(world.users["kunshan"]).order_by("serial_number")
                   .values_list("serial_number", flat=True))
    assert job.total == job.done == len(visible) >= 1
    page = client.get(response["Location"]).content.decode()
    assert "已完成" in page and reverse("job-download", args=[job.pk]) in page and "hx-trigger" not in page
    download = client.get(reverse("job-download", args=[job.pk]))
    assert download.status_code == 200 and job.result_name in download["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).worksheets[0]
    serials = [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)]
    header = [c.value for c in sheet[1]]
    assert serials == visible or [r[header.index("出厂编号")] for r in sheet.iter_rows(min_row=2, values_only=True)] \
        == visible
    # the job's start and end are in the audit trail, under the owner, over the task channel
    messages = list(AuditEntry.objects.filter(object_type="core.job", object_id=str(job.pk)).order_by("id")
                    .values_list("message", "channel", "actor_id"))
    assert [msg for msg, *_ in messages] == ["job queued: export", "job started: export", "job done: export"]
    assert {(c, a) for _, c, a in messages[1:]} == {("task", world.users["kunshan"].pk)}


def test_a_small_export_stays_immediate(world, settings):
    settings.JILIANG_EXPORT_SYNC_ROWS = 10_000
    response = web_client_for(world.users["kunshan"]).get(reverse("instruments-list"), {"export": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert not Job.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("kunshan", 200), ("kunshan-colleague", 404), ("suzhou", 404),
                                             ("xuanwu", 404), ("province", 404), ("anonymous", 302)])
def test_only_the_owner_sees_a_job_and_its_file(world, settings, who, status):
    big_export(world, settings)
    job = Job.objects.get()
    if who == "kunshan-colleague":  # another user of the same bureau
        user = _user("kunshan-2", Role.COUNTY_BUREAU, "320583", world.users["kunshan"].organisation)
    else:
        user = world.users[who]
    client = web_client_for(user)
    for url in (reverse("job-detail", args=[job.pk]), reverse("job-download", args=[job.pk])):
        response = client.get(url)
        assert response.status_code == status, url
        if status == 302:
            assert response["Location"].startswith(reverse("login"))
    listing = client.get(reverse("job-list"))
    if user is not None:
        assert (job.title in listing.content.decode()) == (who == "kunshan")


def test_a_failing_job_stores_a_readable_error_in_the_users_language(world):
    owner = world.users["kunshan"]
    client = web_client_for(owner)
    job = start_job(owner, kind="test", title="失败的任务", task=failing_task)
    job.refresh_from_db()
    assert job.state == JobState.FAILED and job.error == "第 7 行：型号不能为空" and job.finished
    assert (job.done, job.total) == (3, 10)
    page = client.get(reverse("job-detail", args=[job.pk])).content.decode()
    assert "失败" in page and "第 7 行：型号不能为空" in page
    crash = start_job(owner, kind="test", title="崩溃", task=crashing_task)
    crash.refresh_from_db()
    assert crash.state == JobState.FAILED
    assert "意外错误" in crash.error and "ZeroDivisionError" in crash.error, crash.error
    assert AuditEntry.objects.filter(object_type="core.job", object_id=str(crash.pk),
                                     message="job failed: test").exists()


def test_a_result_file_missing_on_disk_is_a_clear_404(world, settings):
    client, _ = big_export(world, settings, lang="en")
    job = Job.objects.get()
    (settings.JILIANG_JOBS_DIR / job.result_path).unlink()
    response = client.get(reverse("job-download", args=[job.pk]))
    assert response.status_code == 404
    assert "no longer on the server" in response.content.decode() and job.result_name in response.content.decode()


def test_result_files_older_than_the_setting_are_deleted_by_the_daily_task_and_say_so(world, settings):
    import datetime as dt

    from django.utils import timezone

    from jiliang.core.tasks import delete_old_job_results

    settings.JILIANG_JOB_RESULT_DAYS = 7
    client, _ = big_export(world, settings, lang="en")
    big_export(world, settings, lang="en")
    old, recent = Job.objects.order_by("id")
    Job.objects.filter(pk=old.pk).update(finished=timezone.now() - dt.timedelta(days=8))
    Job.objects.filter(pk=recent.pk).update(finished=timezone.now() - dt.timedelta(days=6))
    outside = settings.JILIANG_JOBS_DIR.parent / "outside.xlsx"
    outside.write_bytes(b"not a job's")
    Job.objects.create(owner=old.owner, kind="export", title="escape", state=JobState.DONE,
                       finished=timezone.now() - dt.timedelta(days=30), result_path="../outside.xlsx")

    assert delete_old_job_results.call(slot="2026-12-04T01:00:00+08:00") == {"deleted": 1}
    assert not (settings.JILIANG_JOBS_DIR / old.result_path).exists()
    assert (settings.JILIANG_JOBS_DIR / recent.result_path).is_file() and outside.is_file()
    response = client.get(reverse("job-download", args=[old.pk]))
    assert response.status_code == 404 and "no longer on the server" in response.content.decode()
    assert client.get(reverse("job-download", args=[recent.pk])).status_code == 200
    assert delete_old_job_results.call(slot="2026-12-05T01:00:00+08:00") == {"deleted": 0}  # nothing twice


def test_a_job_runs_once_even_if_its_task_comes_twice(world, settings):
    big_export(world, settings)
    job = Job.objects.get()
    before = AuditEntry.objects.count()
    export_list_task.call(job.pk)
    assert AuditEntry.objects.count() == before


def test_the_import_apply_step_is_a_job_that_links_to_the_list(world):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from tests.registry.test_import import HEADERS, row, xlsx

    client = web_client_for(world.users["kunshan"])
    data = xlsx(HEADERS, [row(world, "JOB-1"), row(world, "JOB-2")])
    client.post(reverse("instruments-import"), {"file": SimpleUploadedFile("i.xlsx", data)})
    from jiliang.core.models import ImportBatch

    batch = ImportBatch.objects.get()
    response = client.post(reverse("instruments-import"), {"batch": batch.pk, "choice": "all"})
    job = Job.objects.get()
    assert response["Location"] == reverse("job-detail", args=[job.pk])
    assert job.state == JobState.DONE and job.kind == "import" and (job.done, job.total) == (2, 2)
    assert job.result_link == reverse("instruments-list") and "2" in job.message
    assert m.Instrument.objects.filter(serial_number__in=["JOB-1", "JOB-2"]).count() == 2
    # the batch cannot be applied a second time
    assert client.post(reverse("instruments-import"), {"batch": batch.pk, "choice": "all"}).status_code == 404


def test_the_database_worker_runs_a_queued_job(world, settings, monkeypatch):
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.management.commands.db_worker import Worker

    # The worker drops connections left outside autocommit; here that is the test's own transaction.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.JILIANG_EXPORT_SYNC_ROWS = 0
    owner = world.users["kunshan"]
    response = web_client_for(owner).get(reverse("instruments-list"), {"export": "xlsx"})
    job = Job.objects.get()
    assert response.status_code == 302 and job.state == JobState.QUEUED and job.task_id
    page = web_client_for(owner).get(reverse("job-list")).content.decode()
    assert 'hx-trigger="every 1s"' in page  # polls while a job is queued or running
    Worker(queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
           max_tasks=None, worker_id="test", excluded_queue_names=[]).run()
    job.refresh_from_db()
    assert job.state == JobState.DONE and (settings.JILIANG_JOBS_DIR / job.result_path).is_file()
    page = web_client_for(owner).get(reverse("job-list")).content.decode()
    assert "hx-trigger" not in page


def test_a_huge_export_streams_into_its_file_with_flat_memory(tmp_path):
    import tracemalloc

    from jiliang.core.export import write_workbook

    def peak_for(n: int) -> int:
        rows = ((i, f"仪器-{i:06d}", i * 0.5) for i in range(n))
        seen = []
        tracemalloc.start()
        try:
            count = write_workbook(tmp_path / f"{n}.xlsx", "big", ["no", "name", "value"], rows, max_rows=n,
                                   progress=seen.append)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert count == n and seen[-1] == n and len(seen) == n // 1000
        return peak

    small, large = peak_for(5_000), peak_for(20_000)
    # four times the rows, about the same peak: rows go to the file as they come, none is held
    assert large < 1.3 * small + 1024 * 1024, (small, large)
    sheet = load_workbook(tmp_path / "20000.xlsx", read_only=True).worksheets[0]
    assert sum(1 for _ in sheet.iter_rows(values_only=True)) == 20_001
