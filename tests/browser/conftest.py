"""Playwright driving Debian's Chromium (/usr/bin/chromium). Missing Chromium is a failure, not a skip."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("JILIANG_CHROMIUM", "/usr/bin/chromium")
# Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make beside it are
# still synchronous, so Django's async guard is lifted for browser tests only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


def login(page, live_server, username, password):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
