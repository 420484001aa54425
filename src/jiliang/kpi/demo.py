"""The demo's plan indicators: issued documents, entered values with their evidence, and the snapshots the trends
and the evaluations read (the month ends of the last year, the mid-term and the final evaluation dates).

Everything here is demo data and says so (演示数据): the documents' numbers and titles are made up in the shape of
real ones, the entered values are invented, the evidence PDFs are one-page stand-ins."""

from __future__ import annotations

import datetime as dt
import io

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from . import services, values
from .models import Plan
from .tasks import last_month_end

PLAN = "jiangsu-2014-2020"
DEMO = "（演示数据）"
DOCUMENTS = [  # (number, title, kind, issued on)
    ("苏人大演示〔2016〕1号", "计量监督管理条例（修订）", "regulation", dt.date(2016, 7, 29)),
    ("苏政令演示〔2017〕1号", "计量校准监督管理办法", "measures", dt.date(2017, 6, 1)),
    ("苏质监规演示〔2016〕2号", "强制检定计量器具事中事后监管办法", "normative", dt.date(2016, 3, 1)),
    ("苏质监规演示〔2018〕1号", "集贸市场计量监督管理规定", "normative", dt.date(2018, 5, 1)),
    ("苏质监规演示〔2019〕3号", "重点用能单位能源计量审查规范", "normative", dt.date(2019, 9, 1)),
]
SPEC_TITLES = ["电子计价秤使用规范", "出租汽车计价器现场校准规范", "加油机在线监测规范", "电动汽车充电桩校准规范",
               "医用血压计校准规范", "水表在线检定规范", "燃气表检定装置校准规范", "压力表现场校准规范"]
# (indicator, region, date, value): invented for the demo
ENTERED = [
    ("8.1", "320000", dt.date(2017, 12, 31), 1860), ("8.1", "320000", dt.date(2020, 12, 31), 5120),
    ("8.1", "320500", dt.date(2020, 12, 31), 910),
    ("3.2", "320000", dt.date(2017, 12, 31), 38), ("3.2", "320000", dt.date(2020, 12, 31), 86),
    ("S12.1", "320000", dt.date(2020, 12, 31), 57), ("S12.3", "320000", dt.date(2020, 12, 31), 24),
    ("C9.2", "320000", dt.date(2020, 12, 31), 10),
]


def evidence_pdf(title: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate, Spacer

    from jiliang.core.pdf_fonts import ReportKit

    kit, out = ReportKit(), io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, invariant=1).build([kit.p(title, kit.title), Spacer(1, 20),
                                                            kit.p("演示数据：本文件仅为演示系统的证明材料占位。")])
    return out.getvalue()


def snapshot_days(today: dt.date, months: int = 12) -> list[dt.date]:
    days, day = [], last_month_end(today)
    for _ in range(months):
        days.append(day)
        day = last_month_end(day)
    return sorted(days)


def build(ctx: dict, rng, scale: int, progress) -> None:
    plan = Plan.objects.filter(code=PLAN).first()
    if plan is None:
        return
    province = get_user_model().objects.get(username="demo-province")
    suzhou = get_user_model().objects.get(username="demo-suzhou")
    for number, title, kind, on in DOCUMENTS:
        services.add_document(number=number, title=title + DEMO, kind=kind, issuer="江苏省（演示）", issued_on=on,
                              region="320000", revision="修订" in title, actor=province)
    for n in range(46):  # local technical specifications, 2014-2020: 46 of the plan's 50
        year = 2014 + n * 7 // 46
        services.add_document(number=f"JJF(苏)演示 {100 + n}-{year}", title=SPEC_TITLES[n % len(SPEC_TITLES)] + DEMO,
                              kind="technical_spec", issuer="江苏省市场监督管理局（演示）",
                              issued_on=dt.date(year, 1 + n % 12, 10), region="320000", actor=province)
    for code, region, on, value in ENTERED:
        services.enter_value(plan.indicators.get(code=code), region=region, on=on, value=value,
                             document_number=f"苏市监计演示〔{on.year + 1}〕{rng.randint(1, 60)}号",
                             document_date=on + dt.timedelta(days=rng.randint(10, 40)),
                             attachment=SimpleUploadedFile(f"{code}-{on.year}.pdf", evidence_pdf(f"{code} {on}"),
                                                           content_type="application/pdf"),
                             note="演示数据", actor=suzhou if region == "320500" else province)
    # The province shares indicator 8.2 out to its cities (demo targets, scaled to the demo's organisations).
    mms = plan.indicators.get(code="8.2")
    for city in values.plan_regions(plan)[1:]:
        services.set_target(mms, region=city, year=plan.ends_on.year, value=rng.randint(8, 14), actor=province)
    days = [plan.mid_term_on, plan.ends_on, *snapshot_days(timezone.localdate())]
    progress(0, len(days))
    for i, day in enumerate(days, 1):
        services.take_snapshots(plan, day)
        progress(i, len(days))
    ctx["kpi_snapshots"] = len(days)
