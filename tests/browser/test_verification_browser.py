"""The work order flow in Chromium, in Chinese and in English.

The owner finds its instrument by search and requests; the institute accepts, schedules and measures; the checker
and the approver sign from their own accounts (the technician is offered no check); the certificate's QR URL shows
'valid', then 'revoked'. The electricity meter's results form has its power-factor fields and names the point
and field of an error in the user's language; the checker sends an order back with a reason; a calibration adds
and removes points and shows no empty conformity columns.

Debian's Chromium at /usr/bin/chromium (JILIANG_CHROMIUM, tests/browser/conftest.py); missing Chromium fails the
test, never skips. The ``flow`` and ``meter`` fixtures are tests/verification's.
"""

import pytest
from django.conf import settings
from tests.browser.conftest import login
from tests.verification.fixtures import flow, meter  # noqa: F401  (the fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGS = ["zh-hans", "en"]
TEXT = {
    "zh-hans": {"pf": "功率因数", "field": "检测点 Imax/1 · 功率因数", "reason_label": "原因", "pass": "合格",
                "inductive": "0.5 L（感性）"},
    "en": {"pf": "power factor", "field": "test point Imax/1 · power factor", "reason_label": "reason",
           "pass": "pass", "inductive": "0.5 L (inductive)"},
}


def as_user(page, live_server, username, lang):
    page.context.clear_cookies()
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "url": live_server.url}])
    login(page, live_server, username, f"pw-{username}")


def test_request_measure_check_approve_issue_verify_revoke(flow, live_server, page, settings):  # noqa: F811
    settings.JILIANG_PUBLIC_URL = live_server.url
    w = flow.world
    # the owner finds its price scale by search and asks for its verification
    as_user(page, live_server, "enterprise", "zh-hans")
    page.goto(f"{live_server.url}/verification/work-orders/request/")
    assert page.locator("#id_instruments option").count() == 0 and page.locator("select#id_instruments").count() == 0
    page.select_option("#id_institute", str(w.inst_p.pk))
    page.select_option("#id_kind", "verification")
    page.fill("#instrument-search", "KS-00")
    page.wait_for_selector(".instrument-option")
    assert "0–15 kg" in page.locator(".instrument-option").first.inner_text()
    page.locator(".instrument-option").first.dispatch_event("mousedown")
    page.wait_for_selector(".chosen-instrument")
    page.select_option("#id_regulation", "JJG539-2016")
    page.click("#btn-request")
    page.wait_for_selector("#wo-status")
    wo_url = page.url
    assert page.locator("#wo-status").get_attribute("data-status") == "requested"
    assert page.locator(".wo-step").count() == 7

    # the institute (the technician's account) accepts, schedules and measures
    as_user(page, live_server, "institute", "zh-hans")
    page.goto(wo_url)
    page.click("#btn-accept")
    page.wait_for_selector("#btn-schedule")
    page.select_option("#sel-technician", str(flow.technician.pk))
    page.click("#btn-schedule")
    page.wait_for_selector(".measure-link")
    page.click(".measure-link")
    page.wait_for_selector("#results-form")
    assert flow.technician.name in page.locator("#signer").inner_text()
    page.select_option("#sel-standards", [str(w.standard_p.pk)])
    assert page.locator("input[name=unit_0]").input_value() == "kg"
    for i, ind in enumerate(["0.1", "2.5025", "9.995", "15.005"]):
        page.fill(f"input[name=ind_{i}]", ind)
        page.fill(f"input[name=U_{i}]", "0.0005")
    page.click("#btn-save-results")
    page.wait_for_selector("#signer-measured")
    assert page.locator(".outcome").first.get_attribute("data-outcome") == "pass"
    assert "15 kg" in page.locator("#items").inner_text()
    # the technician is offered no check and no choice of signer
    assert page.locator("#btn-check").count() == 0 and page.locator("#sel-checker").count() == 0

    as_user(page, live_server, "checker", "zh-hans")
    page.goto(wo_url)
    assert flow.checker.name in page.locator("#btn-check").inner_text()
    page.click("#btn-check")
    page.wait_for_selector("#wo-status[data-status=checked]")
    as_user(page, live_server, "approver", "zh-hans")
    page.goto(wo_url)
    page.click("#btn-approve")
    page.wait_for_selector("#btn-issue")
    assert flow.approver.name in page.locator("[data-step=approved]").inner_text()
    page.click("#btn-issue")
    page.wait_for_selector(".cert-link")
    page.click(".cert-link")
    page.wait_for_selector("#cert-status")

    pdf_href = page.get_attribute("#open-pdf", "href")
    pdf = page.request.get(f"{live_server.url}{pdf_href}")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:4] == b"%PDF"
    qr_url = page.locator("#qr-url").inner_text()
    assert qr_url.startswith(live_server.url + "/verify/")
    cert_url = page.url
    public = page.context.browser.new_context().new_page()
    public.goto(qr_url)
    assert public.locator("#verify-status").get_attribute("data-status") == "valid"
    assert public.locator("#signature").get_attribute("data-ok") == "1"
    page.goto(cert_url)
    page.fill("#revoke-reason", "seal found broken")
    page.click("#btn-revoke")
    page.wait_for_selector("#cert-status")
    public.goto(qr_url)
    assert public.locator("#verify-status").get_attribute("data-status") == "revoked"
    assert "seal found broken" in public.locator("#revoked-reason").inner_text()
    public.context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_electricity_meter_power_factor(flow, meter, live_server, page, lang):  # noqa: F811
    t = TEXT[lang]
    as_user(page, live_server, "institute", lang)
    page.goto(f"{live_server.url}/verification/items/{meter['item'].pk}/results/")
    page.wait_for_selector("#results-form")
    assert t["pf"] in page.locator("#points-table thead").inner_text()
    assert page.locator("select[name=attr_3_pf]").input_value() == "0.5L"
    assert page.locator("input[name=unit_0]").input_value() == "A"
    page.select_option("#sel-standards", [str(meter["standard"].pk)])
    for i, ind in enumerate(["60.3", "10.05", "1.005", "10.08"]):
        page.fill(f"input[name=ind_{i}]", ind)
        page.fill(f"input[name=U_{i}]", "0.05")
    page.select_option("select[name=attr_0_pf]", "")
    page.click("#btn-save-results")
    page.wait_for_selector("#result-errors")
    errors = page.locator("#result-errors").inner_text()
    assert t["field"] in errors and "points[" not in errors and "attributes" not in errors
    page.select_option("select[name=attr_0_pf]", "1")
    page.select_option("#sel-standards", [str(meter["standard"].pk)])
    page.click("#btn-save-results")
    page.wait_for_selector("#wo-status")
    items = page.locator("#items").inner_text()
    assert t["pass"] in items and t["inductive"] in items and "60 A" in items


@pytest.mark.parametrize("lang", LANGS)
def test_send_back_and_calibration_points(flow, live_server, page, lang):  # noqa: F811
    wo = flow.request()
    flow.to_measured(wo)
    as_user(page, live_server, "checker", lang)
    page.goto(f"{live_server.url}/verification/work-orders/{wo.pk}/")
    page.fill("#send-back-reason", "Max 15 kg noch einmal / 复测 Max")
    page.click("#btn-send-back")
    page.wait_for_selector("#wo-status[data-status=scheduled]")
    assert "复测 Max" in page.locator("#wo-reason").inner_text()
    assert page.locator("[data-step=measured]").get_attribute("data-done") == "0"

    cal = flow.request("calibration", method="JJF 1847-2020")
    flow.to_scheduled(cal)
    as_user(page, live_server, "calibrator", lang)
    page.goto(f"{live_server.url}/verification/items/{cal.items.get().pk}/results/")
    page.wait_for_selector("#results-form")
    page.select_option("#sel-standards", [str(flow.world.standard_p.pk)])
    assert page.locator("tr.point-row").count() == 3
    page.click("#btn-add-point")
    page.click("#btn-add-point")
    assert page.locator("tr.point-row").count() == 5
    page.locator("tr.point-row").nth(1).locator(".remove-point").click()
    assert page.locator("tr.point-row").count() == 4
    for i, ref in enumerate(["1", "5", "10", "15"]):
        page.fill(f"input[name=label_{i}]", f"{ref} kg")
        page.fill(f"input[name=ref_{i}]", ref)
        page.fill(f"input[name=ind_{i}]", ref)
        page.fill(f"input[name=unit_{i}]", "kg")
        page.fill(f"input[name=U_{i}]", "0.001")
    page.click("#btn-save-results")
    page.wait_for_selector("#wo-status[data-status=measured]")
    table = page.locator(".wo-item .points")
    assert table.locator("tbody tr").count() == 4
    assert page.locator(".col-mpe").count() == 0 and page.locator(".col-outcome").count() == 0
    assert "15 kg" in table.inner_text() and "\\kilogram" not in page.content()
