"""A large export in the browser: the export link leads to the job's page, which shows it queued, follows
its progress by itself while the worker runs it, and offers the file once it is done."""

import io

import pytest
from openpyxl import load_workbook
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_large_export_is_followed_live_on_its_job_page(world, live_server, page, settings):
    from django_tasks_db.management.commands.db_worker import Worker

    from jiliang.core.jobs.models import Job
    from jiliang.registry import models as m

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.JILIANG_EXPORT_SYNC_ROWS = 0
    login(page, live_server, "kunshan", "pw-kunshan")
    page.goto(f"{live_server.url}/registry/instruments/")
    page.click("#export-xlsx")
    page.wait_for_url("**/jobs/*/")
    job = Job.objects.get()
    assert page.locator("#job-state").inner_text() == "排队中"
    assert page.locator("#job-progress").get_attribute("hx-trigger") == "every 1s"
    Worker(queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
           max_tasks=None, worker_id="browser", excluded_queue_names=[]).run()
    page.wait_for_selector("#job-download", timeout=10_000)  # the page polled and swapped itself
    assert page.locator("#job-state").inner_text() == "已完成"
    assert page.locator("#job-progress").get_attribute("hx-trigger") is None  # polling stopped
    with page.expect_download() as info:
        page.click("#job-download")
    sheet = load_workbook(io.BytesIO(open(info.value.path(), "rb").read())).worksheets[0]
    job.refresh_from_db()
    assert sheet.max_row - 1 == m.Instrument.objects.restrict(world.users["kunshan"]).count() == job.total
    page.goto(f"{live_server.url}/jobs/")
    assert page.locator(f"tr[data-job='{job.pk}']").get_attribute("data-state") == "done"
