"""The inspector's phone in Chromium with a phone's viewport (390 × 844, touch, mobile): the Kunshan county inspector
signs in, types the code of an instrument (a camera is not needed in a test), sees its status, records a finding
with a photo (a real PNG) and the position from the browser, and finds it in the history. Nothing overflows the
screen sideways, and the main buttons are large enough for a thumb."""

import base64

import pytest
from django.utils import timezone
from tests.browser.conftest import login
from tests.supervision.conftest import overdue

from jiliang.registry import codes
from jiliang.supervision.models import Finding

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A real 1 × 1 PNG (red pixel).
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==")


def test_scan_by_typing_the_code_and_record_a_finding(world, live_server, browser, tmp_path):
    overdue(world, world.instrument_ks, 1)
    code = world.instrument_ks.instrument_code
    photo = tmp_path / "seal.png"
    photo.write_bytes(PNG)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  device_scale_factor=3, geolocation={"latitude": 31.3857, "longitude": 120.9812},
                                  permissions=["geolocation"], locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, live_server, "kunshan", "pw-kunshan")
    page.goto(f"{live_server.url}/supervision/scan/")
    assert page.is_visible("#scan-camera-button")
    box = page.locator("#scan-submit").bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300  # a thumb's target (WCAG 2.5.5: 44 × 44 CSS px)
    assert box["y"] > 844 / 2 and box["y"] + box["height"] <= 844  # in the lower half of the screen, where the thumb is
    page.fill("#scan-code", codes.group(code).lower())  # typed from the label, in its groups, small letters
    page.click("#scan-submit")
    page.wait_for_selector("#scan-result")
    assert page.url.endswith(f"/supervision/scan/{code}/")
    assert page.get_attribute("#instrument-status", "data-state") == "overdue"
    assert page.inner_text("#next-due").strip() == "2025-07-10"
    assert world.inst_p.name in page.inner_text("#last-event")
    assert page.inner_text("#owner-name").strip() == world.ent_ks.name
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the screen

    page.click("label[for='id_finding-kind_1']")  # seal broken
    page.fill("#id_finding-detail", "铅封破损，显示屏有划痕")
    page.fill("#id_finding-measure", "责令停止使用")
    page.set_input_files("#id_finding-photos", str(photo))
    page.click("#position-button")
    page.wait_for_selector("#position-text[data-set='1']")  # a selector: CSP forbids the eval of a string
    assert "31.385700" in page.inner_text("#position-text")
    submit = page.locator("#finding-submit").bounding_box()
    assert submit["height"] >= 44 and submit["y"] + submit["height"] <= 844  # in reach, on screen (sticky)
    page.click("#finding-submit")
    page.wait_for_selector("#history .finding-row[data-kind='seal_broken']")
    assert "铅封破损" in page.inner_text("#history-findings")
    assert errors == []
    context.close()

    finding = Finding.objects.get()
    assert (finding.kind, finding.inspector.username, finding.found_on) == ("seal_broken", "kunshan",
                                                                           timezone.localdate())
    assert (str(finding.latitude), str(finding.longitude)) == ("31.385700", "120.981200")
    assert [(bytes(p.data), p.content_type) for p in finding.photos.all()] == [(PNG, "image/png")]


def test_the_camera_button_without_a_camera_says_to_type(world, live_server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, live_server, "kunshan", "pw-kunshan")
    page.goto(f"{live_server.url}/supervision/scan/")
    page.click("#scan-camera-button")
    page.wait_for_selector("#scan-camera-error:not(.d-none), #scan-camera:not(.d-none)")
    if page.is_visible("#scan-camera-error"):
        assert page.inner_text("#scan-camera-error").strip()  # told to type the code
    assert errors == []
    context.close()
