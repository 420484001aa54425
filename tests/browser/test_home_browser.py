"""The home page of each role in Chromium: it loads with its panels, draws its charts where there are data, and the
console shows no JavaScript error."""

import pytest
from tests.browser.conftest import login
from tests.core.test_home_pages import BUREAU, COUNTY, ENTERPRISE, INSTITUTE, home  # noqa: F401  (the fixture)
from tests.telemetry.conftest import energy  # noqa: F401
from tests.verification.fixtures import flow  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = {"province": BUREAU, "suzhou": BUREAU, "kunshan": COUNTY, "xuanwu": COUNTY, "changshu": COUNTY,
         "institute": INSTITUTE, "checker": INSTITUTE, "approver": INSTITUTE, "enterprise": ENTERPRISE}


@pytest.mark.parametrize("username", list(ROLES))
def test_home_page_of_each_role_loads_without_errors(home, live_server, page, username):  # noqa: F811
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Chromium asks for /favicon.ico by itself (the site has none); every other failed load is an error
    page.on("console", lambda m: errors.append(m.text) if m.type == "error"
            and not m.location.get("url", "").endswith("/favicon.ico") else None)
    login(page, live_server, username, f"pw-{username}")
    page.wait_for_load_state("networkidle")
    panels = page.eval_on_selector_all("section[data-panel]", "els => els.map(e => e.dataset.panel)")
    assert panels == ROLES[username]
    charts = page.eval_on_selector_all("[data-chart]", "els => els.map(e => e.id)")
    for chart in charts:  # every chart element was drawn (a canvas inside), none left as bare axes
        page.wait_for_selector(f"#{chart} canvas")
    if username == "changshu":  # nothing in the county: "No data" in place of the charts
        assert charts == [] and page.locator("section[data-panel='registry-charts'] .panel-empty").count() == 2
    elif "registry-charts" in panels:
        assert charts == ["chart-category", "chart-status"]
    assert errors == []
