"""The supervision flow of issue #13 in Chromium: the provincial official drills down from the province to a county
on the dashboard and exports that county's overdue list (the file is opened and its rows counted); the county
inspector issues a notice to verify to an owner of an overdue instrument; the owner then finds the notice in the
app and opens it (the read receipt is recorded)."""

import io
import re

import pytest
from openpyxl import load_workbook
from tests.browser.conftest import login
from tests.supervision.conftest import history  # noqa: F401  (the fixture)

from jiliang.supervision.models import InstrumentState, Notice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_province_drills_down_exports_overdue_county_issues_a_notice_owner_reads_it(history, live_server,  # noqa: F811
                                                                                     browser):
    overdue_ks = set(InstrumentState.objects.filter(region_id="320583", status="overdue")
                     .values_list("instrument_id", flat=True))
    assert len(overdue_ks) == 2  # K1 and K2 of the known history

    province = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 900})
    page = province.new_page()
    login(page, live_server, "province", "pw-province")
    page.goto(f"{live_server.url}/supervision/?period=2021")
    page.click("#table-regions tr[data-key='320500'] a")  # 苏州市
    page.wait_for_selector("#crumbs li[data-region='320500']")
    page.click("#table-regions tr[data-key='320583'] a")  # 昆山市
    page.wait_for_selector("#crumbs li[data-region='320583']")
    assert [li.get_attribute("data-region") for li in page.query_selector_all("#crumbs li")] == [
        "320000", "320500", "320583"]
    assert page.inner_text("#count-overdue").strip() == "2"
    page.click("#link-overdue")
    page.wait_for_selector("#table-overdue")
    assert {int(r.get_attribute("data-instrument")) for r in page.query_selector_all("tr.overdue-row")} == overdue_ks
    with page.expect_download() as download:
        page.click("#export-overdue")
    book = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    sheet = book.worksheets[0]
    rows = [r for r in sheet.iter_rows(values_only=True) if any(c not in (None, "") for c in r)]
    header = next(i for i, r in enumerate(rows) if any(isinstance(c, str) and "K1" in c for c in r)) - 1
    assert len(rows) - header - 1 == 2  # the county's two overdue instruments, nothing else
    province.close()

    county = browser.new_context(viewport={"width": 1400, "height": 900})
    page = county.new_page()
    login(page, live_server, "kunshan", "pw-kunshan")
    page.goto(f"{live_server.url}/supervision/notices/issue/")
    page.select_option("#id_owner", str(history.ent_ks.pk))
    page.click("button[type=submit]")  # show the owner's instruments
    page.wait_for_selector("#id_instruments")
    if page.query_selector("select#id_instruments"):
        page.select_option("#id_instruments", [str(pk) for pk in sorted(overdue_ks)])
    else:
        for pk in overdue_ks:
            page.check(f"#id_instruments input[value='{pk}']")
    page.fill("#id_deadline", "2099-12-31")
    page.click("button[name=issue]")
    page.wait_for_url(re.compile(r"/supervision/notices/\d+/$"))
    notice = Notice.objects.get()
    assert notice.number in page.inner_text("main")
    assert set(notice.instruments.values_list("pk", flat=True)) == overdue_ks and notice.read_at is None
    county.close()

    owner = browser.new_context(viewport={"width": 1400, "height": 900})
    page = owner.new_page()
    login(page, live_server, "enterprise", "pw-enterprise")
    page.goto(f"{live_server.url}/supervision/notices/")
    page.click(f"text={notice.number}")
    page.wait_for_url(re.compile(rf"/supervision/notices/{notice.pk}/$"))
    assert "2099" in page.inner_text("main")
    notice.refresh_from_db()
    assert notice.read_at is not None
    owner.close()
