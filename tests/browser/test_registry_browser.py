"""A county bureau at work in the browser: sign in, filter, export, open an instrument, be refused
another county's instrument."""

import io

import pytest
from openpyxl import load_workbook
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _more_instruments(world):
    from jiliang.core import services
    from jiliang.core.audit import audit_context
    from jiliang.registry import models as m

    with audit_context(actor=world.admin, channel="command"):
        for serial in ("KS-0002", "KS-0003"):
            services.create_record(m.Instrument, {
                "owner": world.ent_ks, "category": world.scale, "manufacturer": "凯丰衡器", "model": "ACS-30",
                "serial_number": serial, "accuracy_class": "III", "range_unit": "kg", "usage": "trade",
                "region_id": "320583", "status": "in_service"}, actor=world.admin)


def test_county_bureau_filters_exports_opens_and_is_refused_another_county(world, live_server, page):
    _more_instruments(world)
    login(page, live_server, "kunshan", "pw-kunshan")
    page.goto(f"{live_server.url}/registry/instruments/")
    assert page.locator("#results").inner_text().count("KS-0001") == 1
    assert "XW-0001" not in page.content()
    assert page.locator("#results tbody tr").count() == 3

    # Filter twice over HTMX: the URL holds each parameter once, and the export follows the table.
    page.fill("#id_q", "KS")
    page.click("#apply-filter")
    page.wait_for_url("**q=KS**")
    page.fill("#id_q", "ACS-30")
    page.click("#apply-filter")
    page.wait_for_url("**q=ACS-30**")
    page.wait_for_function("document.querySelectorAll('#results tbody tr').length === 2")
    assert page.url.count("q=") == 1 and page.url.count("?") == 1
    page.click("#results th a:has-text('出厂编号')")
    page.wait_for_url("**sort=serial_number**")
    page.click("#results th a:has-text('出厂编号')")
    page.wait_for_url("**sort=-serial_number**")
    assert page.url.count("sort=") == 1 and page.url.count("q=ACS-30") == 1
    table = [[td.inner_text().strip() for td in tr.locator("td").all()]
             for tr in page.locator("#results tbody tr").all()]
    assert [r[0] for r in table] == ["KS-0003", "KS-0002"]

    with page.expect_download() as download:
        page.click("#export-xlsx")
    book = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    sheet, about = book.worksheets
    exported = [["" if c.value is None else str(c.value) for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [r[0] for r in exported] == [r[0] for r in table]
    assert [r[:4] for r in exported] == [r[:4] for r in table]  # serial, category, manufacturer, model
    lines = {r[0].value: r[1].value for r in about.iter_rows()}
    assert lines["搜索"] == "ACS-30" and lines["排序"] == "出厂编号（降序）" and lines["行数"] == 2

    page.click("#results a:has-text('KS-0002')")
    page.wait_for_selector("#object-title")
    assert "KS-0002" in page.locator("#object-title").inner_text()
    assert "昆山" in page.content()

    response = page.goto(f"{live_server.url}/registry/instruments/{world.instrument_xw.pk}/")
    assert response.status == 404
    assert "XW-0001" not in page.content()


def test_language_switch_and_field_errors(world, live_server, page):
    login(page, live_server, "province", "pw-province")
    page.goto(f"{live_server.url}/registry/organisations/add/")
    page.select_option("#language-form select", "en")
    page.wait_for_load_state()
    page.fill("#id_name", "Bad code Ltd")
    page.fill("#id_uscc", "91320583000000070X")
    page.select_option("#id_kind", "enterprise")
    page.select_option("#id_region", "320583")
    page.click("button:has-text('Save')")
    error = page.locator(".field-error[data-field=uscc]")
    assert "check character" in error.inner_text()
