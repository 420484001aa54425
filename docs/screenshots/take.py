"""Take the README screenshots from the running demo: each role's home page, lists, the supervision dashboard and overdue list, an instrument, a work order, the
energy pages, the public check, and a list on a phone.

    make run                                   # the demo on http://127.0.0.1:8000, in another shell
    .venv/bin/python docs/screenshots/take.py  # [--base URL] [--only instrument,work-order,verify]

Reads the demo database (the same settings as the server) to choose the records, then drives Debian's Chromium
(JILIANG_CHROMIUM, default /usr/bin/chromium) at 1400×860 (a phone at 390×844) in Chinese. Chinese text needs a CJK font
(fonts-noto-cjk), else it prints as boxes.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
LAPTOP, PHONE = {"width": 1400, "height": 860}, {"width": 390, "height": 844}
DEMO_PASSWORD = "jiliang-demo"  # noqa: S105  (the demo logins, printed by `make run`)


def choose():
    """(name, user or None, path[, viewport]) of each screenshot, from the demo's records."""
    from django.utils import timezone

    from jiliang.verification.models import Certificate, WorkOrder, WorkStatus

    today = timezone.localdate()
    # a verified instrument: its page leads with the status, the certificate and the next due date
    valid = (Certificate.objects.filter(kind="verification", status="valid", valid_until__gte=today)
             .order_by("-id").first())
    order = (WorkOrder.objects.filter(status=WorkStatus.CHECKED).order_by("-id").first()
             or WorkOrder.objects.order_by("-id").first())
    return [
        ("overview", "demo-province", "/"),
        ("home-suzhou", "demo-suzhou", "/"),
        ("home-institute", "demo-institute", "/"),
        ("home-enterprise", "demo-enterprise", "/"),
        ("instruments", "demo-kunshan", "/registry/instruments/"),
        ("supervision", "demo-province", "/supervision/"),
        ("supervision-overdue", "demo-suzhou", "/supervision/overdue/"),
        ("energy", "demo-province", "/telemetry/"),
        ("energy-quality", "demo-province", "/telemetry/quality/"),
        ("phone-instruments", "demo-kunshan", "/registry/instruments/", PHONE),
        ("instrument", "demo-province", f"/registry/instruments/{valid.instrument_id}/"),
        ("work-order", "demo-approver", f"/verification/work-orders/{order.pk}/"),
        ("verify", None, f"/verify/{valid.number}?code={valid.check_code}"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--only", default="", help="comma-separated names, e.g. overview,instrument,verify")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE.parents[1] / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiliang.settings")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    import django

    django.setup()
    from playwright.sync_api import sync_playwright

    shots = [s for s in choose() if not args.only or s[0] in args.only.split(",")]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("JILIANG_CHROMIUM", "/usr/bin/chromium"),
                                    args=["--no-sandbox", "--disable-gpu", "--lang=zh-CN"])
        for name, user, path, *viewport in shots:
            context = browser.new_context(viewport=viewport[0] if viewport else LAPTOP, locale="zh-CN")
            context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": args.base}])
            page = context.new_page()
            if user:
                page.goto(f"{args.base}/login/")
                page.fill("#id_username", user)
                page.fill("#id_password", DEMO_PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url(f"{args.base}/")
            page.goto(args.base + path)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(HERE / f"{name}.png"))
            print(f"{name}.png  {user or 'public'}  {path}")
            context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
