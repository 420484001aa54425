"""The public status page on a phone (390 px wide, no sign-in): scan target /i/<code> shows the status in words
and colour, switches to English, and a shopper reports a problem and gets the complaint's number."""

import pytest
from tests.supervision.public_helpers import fresh_cache, in_status  # noqa: F401  (fresh_cache: autouse)

from jiliang.supervision.models import Complaint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    pg = context.new_page()
    yield pg
    context.close()


def test_read_the_status_and_report_a_problem_on_a_phone(world, live_server, phone):
    inst = in_status(world, "overdue")
    phone.goto(f"{live_server.url}/i/{inst.instrument_code}")
    assert phone.inner_text("#status-headline").strip() == "超期未检"
    assert "不应用于贸易结算" in phone.inner_text("#status-sentence")
    colour = phone.evaluate("getComputedStyle(document.getElementById('status-banner')).backgroundColor")
    assert colour == "rgb(220, 53, 69)"  # Bootstrap's danger red
    # The page fits the phone: nothing wider than the viewport.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert phone.locator("nav.navbar").count() == 0  # no staff navigation
    phone.click("#public-languages a[hreflang=en]")
    phone.wait_for_url("**?lang=en")
    assert phone.inner_text("#status-headline").strip() == "Verification overdue"
    phone.click("#report-link")
    phone.click("#complaint-submit")  # nothing filled in: each field is named
    errors = phone.inner_text("#form-errors")
    assert "what the problem is about" in errors and "what happened" in errors
    phone.check("#kind-short_measure")
    phone.fill("#id_text", "Bought 1 kg of apples, it weighed 850 g at home.")
    phone.click("#complaint-submit")
    phone.wait_for_selector("#complaint-number")
    number = phone.inner_text("#complaint-number").strip()
    complaint = Complaint.objects.get()
    assert number == complaint.number and number.startswith("TS-320583-")
    assert complaint.kind == "short_measure" and complaint.contact == ""
    assert "Kunshan" in phone.inner_text("#complaint-deadline")
