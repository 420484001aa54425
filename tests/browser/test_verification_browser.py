"""The whole flow in Chromium: the owner requests, the institute accepts, schedules, measures, checks and
approves, issues; the PDF opens, the QR URL shows 'valid'; after revocation it shows 'revoked'.

Debian's Chromium at /usr/bin/chromium (JILIANG_CHROMIUM, tests/browser/conftest.py); missing Chromium fails the
test, never skips. The ``flow`` fixture (three metrologists, a calibrated standard) is tests/verification's.
"""

import pytest
from tests.browser.conftest import login
from tests.verification.fixtures import flow  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def logout(page, live_server):
    page.context.clear_cookies()


def test_request_measure_check_approve_issue_verify_revoke(flow, live_server, page, settings):  # noqa: F811
    settings.JILIANG_PUBLIC_URL = live_server.url
    w = flow.world
    # the owner asks for verification of its price scale
    login(page, live_server, "enterprise", "pw-enterprise")
    page.goto(f"{live_server.url}/verification/work-orders/request/")
    page.select_option("#id_institute", str(w.inst_p.pk))
    page.select_option("#id_kind", "verification")
    page.select_option("#id_instruments", [str(w.instrument_ks.pk)])
    page.select_option("#id_regulation", "JJG539-2016")
    page.click("#btn-request")
    page.wait_for_selector("#wo-status")
    wo_url = page.url
    assert page.locator("#wo-status").get_attribute("data-status") == "requested"
    logout(page, live_server)

    # the institute accepts, schedules, measures
    login(page, live_server, "institute", "pw-institute")
    page.goto(wo_url)
    page.click("#btn-accept")
    page.wait_for_selector("#btn-schedule")
    page.select_option("#sel-technician", str(flow.technician.pk))
    page.click("#btn-schedule")
    page.wait_for_selector(".measure-link")
    page.click(".measure-link")
    page.wait_for_selector("#results-form")
    page.select_option("#sel-standards", [str(w.standard_p.pk)])
    for i, ind in enumerate(["0.1", "2.5025", "9.995", "15.005"]):
        page.fill(f"input[name=ind_{i}]", ind)
        page.fill(f"input[name=U_{i}]", "0.0005")
    page.click("#btn-save-results")
    page.wait_for_selector("#btn-check")
    assert page.locator("#items .outcome").get_attribute("data-outcome") == "pass"
    assert "合格" in page.locator("#items .outcome").inner_text()  # the outcome in words, not the code
    # check by the technician is refused with a message, by a second person accepted
    page.select_option("#sel-checker", str(flow.technician.pk))
    page.click("#btn-check")
    page.wait_for_selector(".alert-danger")
    assert flow.technician.name in page.locator(".alert-danger").first.inner_text()  # checks own work: refused
    page.select_option("#sel-checker", str(flow.checker.pk))
    page.click("#btn-check")
    page.wait_for_selector("#btn-approve")
    page.select_option("#sel-approver", str(flow.approver.pk))
    page.click("#btn-approve")
    page.wait_for_selector("#btn-issue")
    page.click("#btn-issue")
    page.wait_for_selector(".cert-link")
    page.click(".cert-link")
    page.wait_for_selector("#cert-status")

    # the PDF opens
    pdf_href = page.get_attribute("#open-pdf", "href")
    pdf = page.request.get(f"{live_server.url}{pdf_href}")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:4] == b"%PDF"

    # the QR code's URL shows a valid certificate whose signature verifies, without signing in
    qr_url = page.locator("#qr-url").inner_text()
    assert qr_url.startswith(live_server.url + "/verify/")
    cert_url = page.url
    public = page.context.browser.new_context().new_page()
    public.goto(qr_url)
    assert public.locator("#verify-status").get_attribute("data-status") == "valid"
    assert public.locator("#signature").get_attribute("data-ok") == "1"

    # revoke, and the public page says so
    page.goto(cert_url)
    page.fill("#revoke-reason", "seal found broken")
    page.click("#btn-revoke")
    page.wait_for_selector("#cert-status")
    public.goto(qr_url)
    assert public.locator("#verify-status").get_attribute("data-status") == "revoked"
    assert "seal found broken" in public.locator("#revoked-reason").inner_text()
    public.context.close()
