"""The live page of the plan's indicators in a browser: the provincial bureau sees the table of every indicator,
the city table and the 'indicator vs target' chart drawn by ECharts (a canvas), in both languages."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.browser.conftest import login
from tests.kpi.conftest import plan  # noqa: F401  (the fixture)

from jiliang.kpi import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_province_sees_the_live_table_and_the_chart(world, plan, live_server, browser, lang):  # noqa: F811
    ind = plan.indicators.get(code="8.1")
    services.enter_value(ind, region="320000", on=dt.date(2016, 6, 30), value="2500", document_number="苏质监〔2016〕5号",
                         document_date=dt.date(2016, 7, 1),
                         attachment=SimpleUploadedFile("e.pdf", b"%PDF-1.4", content_type="application/pdf"),
                         actor=world.users["province"])
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "url": live_server.url}])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        login(page, live_server, "province", "pw-province")
        page.goto(f"{live_server.url}/kpi/?plan={plan.code}&on=2017-12-31")
        page.wait_for_selector("#chart-vs-target[data-ready='1'] canvas", timeout=15000)
        assert page.locator("#kpi-table tbody tr").count() == 26
        assert page.locator("#city-table tbody tr").count() == 13
        row = page.locator("#kpi-table tbody tr[data-code='8.1']")
        assert row.get_attribute("data-status") == "behind"  # 2500 below the line's 2856 at the end of 2017
        assert (ind.name_en if lang == "en" else ind.name) in row.inner_text()
        box = page.locator("#chart-vs-target canvas").first.bounding_box()
        assert box["width"] > 300 and box["height"] > 200
        page.click("#kpi-table tbody tr[data-code='8.1'] a")
        page.wait_for_selector("#chart-trend[data-ready='1'] canvas", timeout=15000)
        assert "2,500" in page.inner_text("#indicator-value")
        assert errors == []
    finally:
        context.close()


def test_the_province_starts_an_evaluation_and_downloads_it(world, plan, live_server, page, settings):  # noqa: F811
    """The mid-term evaluation from the reports page: the job is followed on the report's page while a worker runs
    it, then the PDF is downloaded and read: its title, the plan's name and the entered value as of 2017-12-31."""
    import io

    from django_tasks_db.management.commands.db_worker import Worker
    from pypdf import PdfReader

    from jiliang.kpi.models import EvaluationReport

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    services.enter_value(plan.indicators.get(code="8.1"), region="320000", on=dt.date(2017, 12, 31), value="1860",
                         document_number="苏质监〔2018〕2号", document_date=dt.date(2018, 1, 15),
                         attachment=SimpleUploadedFile("e.pdf", b"%PDF-1.4", content_type="application/pdf"),
                         actor=world.users["province"])
    login(page, live_server, "province", "pw-province")
    page.goto(f"{live_server.url}/kpi/reports/")
    page.select_option("#r-kind", "mid_term")
    page.click("#report-start")
    page.wait_for_url("**/kpi/reports/*/")
    report = EvaluationReport.objects.get()
    assert report.on == dt.date(2017, 12, 31)
    Worker(queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
           max_tasks=None, worker_id="browser", excluded_queue_names=[]).run()
    page.wait_for_selector("#report-pdf", timeout=15_000)  # the page polled and swapped itself
    with page.expect_download() as info:
        page.click("#report-pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(open(info.value.path(), "rb").read())).pages)
    assert "江苏省计量发展规划" in text and "2017-12-31" in text
    assert "1,860" in text or "1860" in text
