"""A county bureau at work in the browser: sign in, filter, export, open an instrument, be refused
another county's instrument."""

import io

import pytest
from openpyxl import load_workbook
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_county_bureau_filters_exports_opens_and_is_refused_another_county(world, live_server, page):
    login(page, live_server, "kunshan", "pw-kunshan")
    page.goto(f"{live_server.url}/registry/instruments/")
    assert page.locator("#results").inner_text().count("KS-0001") == 1
    assert "XW-0001" not in page.content()

    page.fill("#id_q", "KS-0001")
    page.click("#apply-filter")
    page.wait_for_url("**q=KS-0001**")
    assert page.locator("#results tbody tr").count() == 1

    with page.expect_download() as download:
        page.click("#export-xlsx")
    path = download.value.path()
    sheet = load_workbook(io.BytesIO(open(path, "rb").read())).worksheets[0]
    cells = [c.value for row in sheet.iter_rows() for c in row]
    assert "KS-0001" in cells and "XW-0001" not in cells

    page.click("#results a:has-text('KS-0001')")
    page.wait_for_selector("#object-title")
    assert "KS-0001" in page.locator("#object-title").inner_text()
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
