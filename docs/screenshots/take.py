"""Take the README screenshots from the running demo: each role's home page, lists, the supervision dashboard and overdue list, an instrument, a work order, the
energy pages, the public check, a list on a phone, an instrument's public status page and the inspector's scan on a
phone, a spot-check campaign, and the plan's indicators (live page, an indicator, the city scorecards).

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

    from jiliang.supervision.models import Campaign, InstrumentState, Status
    from jiliang.verification.models import Certificate, WorkOrder, WorkStatus

    today = timezone.localdate()
    # a verified instrument: its page leads with the status, the certificate and the next due date
    valid = (Certificate.objects.filter(kind="verification", status="valid", valid_until__gte=today)
             .order_by("-id").first())
    order = (WorkOrder.objects.filter(status=WorkStatus.CHECKED).order_by("-id").first()
             or WorkOrder.objects.order_by("-id").first())
    # a market scale in Kunshan whose verification ran out: what a shopper sees when scanning its label
    overdue = (InstrumentState.objects.filter(status=Status.OVERDUE, instrument__region_id="320583",
                                              instrument__usage="trade").select_related("instrument")
               .order_by("instrument_id").first())
    campaign = Campaign.objects.order_by("id").first()
    from jiliang.livelihood.models import AreaEstimate, Market, MeterBatch
    from jiliang.traceability.models import ImpactCase, Link

    market = Market.objects.filter(region_id="320583").order_by("id").first()
    batch = MeterBatch.objects.filter(biased=True).order_by("id").first() or MeterBatch.objects.order_by("id").first()
    estimate = AreaEstimate.objects.filter(flagged__gt=0).order_by("-id").first()
    case = ImpactCase.objects.order_by("id").first()
    # a county standard: its chain runs county → city → province → NIM
    county_link = (Link.objects.filter(child_kind="standard", parent_kind="standard", region_id="320583")
                   .order_by("id").first())
    livelihood = [
        ("markets-ranking", "demo-suzhou", "/livelihood/markets/ranking/"),
        ("market", "demo-market", f"/livelihood/markets/{market.pk}/"),
        ("meter-batch", "demo-province", f"/livelihood/meter-batches/{batch.pk}/", {"width": 1400, "height": 1100}),
        ("rotation-list", "demo-kunshan", "/livelihood/rotation/"),
        ("iot-status", "demo-province", "/livelihood/iot/"),
        ("transformer-area", "demo-province", f"/livelihood/transformer-areas/{estimate.area_id}/",
         {"width": 1400, "height": 1100}),
        ("traceability-chain", "demo-province", f"/registry/standards/{county_link.child_id}/",
         {"width": 1400, "height": 1000}),
        ("traceability-coverage", "demo-province", "/traceability/coverage/", {"width": 1400, "height": 1100}),
        ("traceability-tree", "demo-province", "/traceability/tree/?parameter=质量", {"width": 1400, "height": 1000}),
        ("impact-case", "demo-province", f"/traceability/impact/{case.pk}/", {"width": 1400, "height": 1000}),
    ]
    from jiliang.kpi.models import Indicator

    kpi_7 = Indicator.objects.filter(code="7").order_by("-plan__starts_on").first()
    kpi = [
        ("kpi-live", "demo-province", "/kpi/", {"width": 1400, "height": 1400}),
        ("kpi-indicator", "demo-province", f"/kpi/indicators/{kpi_7.pk}/", {"width": 1400, "height": 1200}),
        ("kpi-scorecards", "demo-province", "/kpi/scorecards/", {"width": 1400, "height": 1000}),
    ]
    return livelihood + kpi + [
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
        ("public-status", None, f"/i/{overdue.instrument.instrument_code}", PHONE),
        ("public-status-valid", None, f"/i/{valid.instrument.instrument_code}?lang=en", PHONE),
        ("scan", "demo-kunshan", f"/supervision/scan/{overdue.instrument.instrument_code}/", PHONE),
        ("campaign", "demo-province", f"/supervision/campaigns/{campaign.pk}/", {"width": 1400, "height": 1200}),
    ]


def label_sheet(path: Path) -> None:
    """The first sheet of Avery L7163 labels (14 a sheet, with Code 128) of Kunshan's scales in trade (non-automatic weighing instruments), as a PNG."""
    import io

    import pypdfium2

    from jiliang.registry import label_layouts
    from jiliang.registry.label_pdf import render_labels
    from jiliang.registry.labels import label_data
    from jiliang.registry.models import Instrument

    scales = (Instrument.objects.filter(region_id="320583", usage="trade", category__name="非自动衡器")
              .select_related("owner", "category").order_by("owner_id", "id")[:14])
    pdf = io.BytesIO()
    render_labels(pdf, label_layouts.layout("L7163"), (label_data(i) for i in scales), title="labels")
    page = pypdfium2.PdfDocument(pdf.getvalue())[0]
    page.render(scale=1.6).to_pil().save(path)


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
    if not args.only or "labels" in args.only.split(","):
        label_sheet(HERE / "labels.png")
        print("labels.png  a sheet of L7163 labels")
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
            page.wait_for_timeout(1500)  # ECharts draws bars growing for a second
            page.screenshot(path=str(HERE / f"{name}.png"))
            print(f"{name}.png  {user or 'public'}  {path}")
            context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
