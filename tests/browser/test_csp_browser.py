"""Under the Content Security Policy (script-src 'self') the pages still work in Chromium, and Chromium
reports no violation: the scripts moved out of the pages run, Swagger UI starts from its own file."""

import pytest
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_work_under_the_csp_without_violations(world, live_server, page):
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    login(page, live_server, "province", "pw-province")
    page.wait_for_selector("#chart-status canvas")  # home.js drew the charts

    page.goto(f"{live_server.url}/registry/instruments/")
    assert "form-control" in page.get_attribute("#id_q", "class")  # object-list.js styled the filter form

    page.select_option("#language-form select", "en")  # site.js: the language switch submits itself
    page.wait_for_selector("html[lang=en]")

    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector("#swagger-ui .info")  # Swagger UI started from its script file
    assert violations == []
