"""Pages fit a phone (390×844) and a laptop (1366×768), in Chinese and in English (issue 10, items 16 and 18).

Nothing is wider than the viewport (only a table's own scroll box may scroll sideways, its first column kept
in view); on a phone the list filters fold behind a button that opens them; the instrument page leads with its
verification status; a JJG 596 work order's result table fits a laptop without a scroll bar.
"""

import pytest
from django.conf import settings
from tests.browser.conftest import login
from tests.conftest import web_client_for
from tests.verification.fixtures import METER_ROWS, flow, meter, post_meter_results  # noqa: F401  (the fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE, LAPTOP = (390, 844), (1366, 768)


@pytest.fixture
def records(flow, meter):  # noqa: F811
    """A verified price scale (its order issued) and an electricity meter measured at its JJG 596 points."""
    cert = flow.issued()
    c = web_client_for(flow.technician_user)
    assert post_meter_results(c, meter, METER_ROWS).status_code == 302
    return {"cert": cert, "instrument": flow.world.instrument_ks, "meter_wo": meter["wo"],
            "scale_wo": cert.item.work_order}


def open_as(browser, live_server, size, lang, username=None):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "url": live_server.url}])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error"
            and not m.location.get("url", "").endswith("/favicon.ico") else None)
    if username:
        login(page, live_server, username, f"pw-{username}")
    return page, errors


def assert_fits(page, width: int, what: str) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{what}: the page is {scroll} px wide in a {width} px viewport"


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_pages_fit_the_screen(records, live_server, browser, size, lang):
    page, errors = open_as(browser, live_server, size, lang, "enterprise")
    width, height = size
    cert, instrument = records["cert"], records["instrument"]

    # the instrument list: filters behind a button on the phone, beside the table on the laptop
    page.goto(f"{live_server.url}/registry/instruments/")
    page.wait_for_selector("#results")
    assert_fits(page, width, "instrument list")
    if size == PHONE:
        assert page.is_visible("#filter-toggle") and not page.is_visible("#id_q")
        page.click("#filter-toggle")
        page.wait_for_selector("#filters.collapse.show")  # opened (Bootstrap ignores a click while it slides)
        assert page.is_visible("#id_q")
        assert page.get_attribute("#filter-toggle", "aria-expanded") == "true"
        page.fill("#id_q", "KS-0001")
        page.click("#apply-filter")
        page.wait_for_function("() => document.querySelector('#result-count').textContent.trim().startsWith('1')")
        assert page.locator("#results tbody tr").count() == 1
        # the table scrolls in its own box, its first (key) column kept in view
        box = page.locator(".list-scroll")
        assert box.evaluate("e => e.scrollWidth > e.clientWidth")
        box.evaluate("e => { e.scrollLeft = 300; }")
        page.wait_for_function("() => document.querySelector('.list-scroll').scrollLeft > 0")
        left = box.bounding_box()["x"]
        first = page.locator("#results tbody tr td").first.bounding_box()["x"]
        assert abs(first - left) <= 1, (first, left)
        assert page.is_visible("#id_q")  # the HTMX filter kept the page, and the filters open
        page.click("#filter-toggle")
        page.wait_for_selector("#filters.collapse:not(.show)", state="attached")
        assert not page.is_visible("#id_q")
    else:
        assert not page.is_visible("#filter-toggle") and page.is_visible("#id_q")
    assert_fits(page, width, "filtered instrument list")

    # the instrument page leads with its verification status, seen without scrolling
    page.goto(f"{live_server.url}/registry/instruments/{instrument.pk}/")
    page.wait_for_selector("#instrument-status")
    assert_fits(page, width, "instrument page")
    assert page.evaluate("document.querySelector('main .card, main section').id") == "instrument-status"
    status = page.locator("#instrument-status")
    assert status.get_attribute("data-state") == "valid"
    assert status.bounding_box()["y"] + 40 < height
    assert cert.number in page.locator("#last-event").inner_text()
    assert page.locator("#next-due").inner_text() == cert.valid_until.isoformat()

    # the work orders: a stepper (a timeline on the phone) and result tables that fit the laptop
    for wo in (records["meter_wo"], records["scale_wo"]):
        page.goto(f"{live_server.url}/verification/work-orders/{wo.pk}/")
        page.wait_for_selector(".wo-item .points")
        assert_fits(page, width, f"work order {wo.number}")
        steps = page.locator(".wo-step")
        assert steps.count() == 7
        first, second = steps.nth(0).bounding_box(), steps.nth(1).bounding_box()
        if size == PHONE:
            assert second["y"] > first["y"] and abs(second["x"] - first["x"]) <= 1  # one below the other
        else:
            assert second["x"] > first["x"] and abs(second["y"] - first["y"]) <= 1  # side by side
            overflowing = page.evaluate("""[...document.querySelectorAll('.wo-item .table-responsive')]
                .filter(e => e.scrollWidth > e.clientWidth).length""")
            assert overflowing == 0, f"a result table of {wo.number} scrolls sideways at {width} px"

    # the public check: its front door and a certificate, without signing in
    public, public_errors = open_as(browser, live_server, size, lang)
    public.goto(f"{live_server.url}/verify/")
    public.wait_for_selector("#cert-number")
    assert_fits(public, width, "/verify/")
    public.fill("#cert-number", cert.number)
    public.fill("#check-code", cert.check_code.lower())
    public.click("#check-code-form button")
    public.wait_for_selector("#verify-status[data-status=valid]")
    assert_fits(public, width, f"/verify/{cert.number}")
    assert public.is_visible("#verify-verdict")
    public.context.close()
    page.context.close()
    assert errors == [] and public_errors == []
