"""The drawn traceability chain on an instrument's page: ECharts draws the tree (canvas), the table lists each link
with its check; in both languages."""

import pytest
from django.conf import settings
from tests.browser.conftest import login
from tests.traceability.conftest import tworld  # noqa: F401
from tests.verification.fixtures import flow  # noqa: F401


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_instrument_page_draws_its_chain(tworld, live_server, browser, lang):  # noqa: F811
    w = tworld.world
    tworld.certify()
    tworld.rebuild()
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "url": live_server.url}])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        login(page, live_server, "kunshan", "pw-kunshan")
        page.goto(f"{live_server.url}/registry/instruments/{w.instrument_ks.pk}/")
        page.wait_for_selector("#chart-trace-chain[data-ready='1'] canvas", timeout=15000)
        summary = page.inner_text("#trace-summary")
        assert summary == ("可溯源至中国计量科学研究院。" if lang == "zh-hans" else "Traceable to 中国计量科学研究院.")
        rows = page.locator("#trace-links tbody tr")
        assert rows.count() == 2
        assert page.locator("#trace-links tbody tr[data-ok='1']").count() == 2
        assert "NIM-2025-0001" in page.inner_text("#trace-links")
        box = page.locator("#chart-trace-chain canvas").first.bounding_box()
        assert box["width"] > 300 and box["height"] > 200
        assert errors == []
    finally:
        context.close()
