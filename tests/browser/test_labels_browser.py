"""Printing labels on a phone: from the filtered instrument list to the label page, a sheet chosen, the job's
page with the PDF, whose QR code reads as the instrument's public page."""

import pytest
from django.conf import settings
from tests.browser.conftest import login
from tests.registry.label_helpers import decoded, pdf_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_print_labels_from_the_list_on_a_phone(world, live_server, browser, lang):
    context = browser.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True)
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "url": live_server.url}])
    page = context.new_page()
    try:
        login(page, live_server, "enterprise", "pw-enterprise")
        page.goto(f"{live_server.url}/registry/instruments/?q=KS-0001")
        page.wait_for_selector("#results")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.click("#list-action-instrument-labels")
        page.wait_for_selector("#labels-form")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert "q=KS-0001" in page.url
        page.check("#layout-L7163")
        page.click("#start-labels")
        page.wait_for_selector("#job-download")
        with page.expect_download() as info:
            page.click("#job-download")
        data = open(info.value.path(), "rb").read()
    finally:
        context.close()
    assert len(pdf_pages(data)) == 1
    instrument = world.instrument_ks
    assert sorted(decoded(data)) == [("Code128", instrument.instrument_code), ("QRCode", instrument.public_url)]
