"""Evaluation reports (kpi/reports.py): the PDF and the workbook agree with the API for the same date; the public
version holds no non-public indicator, evidence, note or failure reason; dates outside the plan are refused; the
snapshots a report reads are taken once; publishing and the public list; the pages' access."""

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from tests.conftest import ROLES, client_for, web_client_for
from tests.kpi.report_fixtures import english, media, pdf_text, workbook  # noqa: F401

from jiliang.core.models import Region
from jiliang.kpi import reports, services
from jiliang.kpi.models import EvaluationReport, Snapshot
from jiliang.kpi.reports import fmt

pytestmark = pytest.mark.usefixtures("english")
DAY = dt.date(2025, 6, 30)
EVIDENCE_NO = "苏市监〔2025〕77号"


@pytest.fixture
def data(world, plan, media):  # noqa: F811
    """Documents for indicator 1.4 (3 specifications), an entered value with evidence for 3.2, and indicator 5.4
    made to fail (a designation no organisation register has)."""
    province = world.users["province"]
    for n in range(3):
        services.add_document(number=f"JJF(苏) {100 + n}-2024", title=f"规范{n}", kind="technical_spec",
                              issuer="江苏省市场监督管理局", issued_on=dt.date(2024, 3, 1 + n), region="320000",
                              actor=province)
    services.enter_value(plan.indicators.get(code="3.2"), region="320000", on=dt.date(2025, 5, 31), value=7,
                         document_number=EVIDENCE_NO, document_date=dt.date(2025, 6, 2),
                         attachment=SimpleUploadedFile("e.pdf", b"%PDF-1.4 evidence", content_type="application/pdf"),
                         note="内部备注：省局核定", actor=province)
    plan.indicators.filter(code="5.4").update(params={"designation": "no-such-designation"})
    return world


def _start(user, plan, **kw):
    report = reports.start_report(user, plan, **{"kind": "other", "on": DAY, **kw})
    report.refresh_from_db()
    assert report.job.state == "done", report.job.error
    return report


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _api(user, plan, region, on=DAY):
    response = client_for(user).get(reverse("api:kpi-indicators-list"),
                                    {"plan": plan.code, "region": region, "on": on.isoformat()})
    assert response.status_code == 200, response.content
    return {row["code"]: row for row in response.json()["results"]}


def _sheet(report, name_index=0):
    wb = workbook(report.xlsx.open("rb").read())
    rows = list(wb.worksheets[name_index].iter_rows(values_only=True))
    return rows[0], rows[1:]


def test_pdf_and_workbook_agree_with_the_api(data, plan):
    province = data.users["province"]
    report = _start(province, plan)
    api = _api(province, plan, "320000")
    assert {r["read_from"] for r in api.values()} == {"snapshot"}  # the report took the day's snapshots
    assert len(api) == plan.indicators.count() == 26
    text = _flat(pdf_text(report.pdf.open("rb").read()))
    head, rows = _sheet(report)
    assert len(rows) == 26
    by_code = {r[0]: dict(zip(head, r, strict=True)) for r in rows}
    for code, row in api.items():
        ind = plan.indicators.get(code=code)
        x = by_code[code]
        value = None if row["value"] is None else float(row["value"])
        assert x[head[4]] == value, code
        assert x[head[6]] == (None if row["numerator"] is None else float(row["numerator"])), code
        assert x[head[7]] == (None if row["denominator"] is None else float(row["denominator"])), code
        assert x[head[8]] == (None if row["target"] is None else float(row["target"])), code
        with translation.override(report.job.language):  # the workbook's language: the requester's
            assert x[head[11]] == reports.status_label(row["status"]), code
        assert code in text
        if value is not None:
            assert _flat(fmt(value, ind.unit)) in text, (code, fmt(value, ind.unit))
    assert api["1.4"]["value"] == "3.000000" and by_code["1.4"][head[4]] == 3
    assert api["3.2"]["value"] == "7.000000"
    # a failure is shown as failed with its reason, never as 0
    assert api["5.4"]["status"] == "failed" and by_code["5.4"][head[4]] is None
    assert "no-such-designation" in by_code["5.4"][head[14]] and "no-such-designation" in text
    # the internal version names the evidence
    assert _flat(EVIDENCE_NO) in text
    # by city: every city-assessment indicator for the 13 cities
    assessed = plan.indicators.filter(city_assessment=True).count()
    _head, city_rows = _sheet(report, 1)
    assert len(city_rows) == assessed * 13
    suzhou = _api(province, plan, "320500")
    for r in city_rows:
        if r[2] == Region.objects.get(code="320500").display_name and suzhou[r[0]]["value"] is not None:
            assert r[4] == float(suzhou[r[0]]["value"])
    # the summary counts the statuses of the table
    counts = {s: sum(1 for r in api.values() if r["status"] == s) for s in ("met", "failed", "no_value")}
    assert counts["failed"] == 1
    with translation.override("en"):
        summary = reports.summary_text(reports.gather(report))
    assert f"{counts['met']} met" in summary and "1 that could not be computed" in summary


def test_the_public_version_lacks_internal_data(data, plan):
    province = data.users["province"]
    report = _start(province, plan, public=True)
    text = pdf_text(report.pdf.open("rb").read())
    flat = _flat(text)
    hidden = list(plan.indicators.filter(public=False).values_list("code", flat=True))
    assert hidden == ["S12.1"]
    head, rows = _sheet(report)
    assert {r[0] for r in rows} == set(plan.indicators.filter(public=True).values_list("code", flat=True))
    assert "S12.1" not in flat
    assert _flat(EVIDENCE_NO) not in flat and "内部备注" not in flat
    assert "no-such-designation" not in flat
    row = {r[0]: r for r in rows}["5.4"]
    assert row[4] is None and row[3] == row[11] == "not available" and not row[14]
    wb = workbook(report.xlsx.open("rb").read())
    cells = " ".join(str(c) for ws in wb.worksheets for r in ws.iter_rows(values_only=True) for c in r if c)
    assert EVIDENCE_NO not in cells and "no-such-designation" not in cells and "S12.1" not in cells
    internal = _start(province, plan)
    cells = " ".join(str(c) for ws in workbook(internal.xlsx.open("rb").read()).worksheets
                     for r in ws.iter_rows(values_only=True) for c in r if c)
    assert EVIDENCE_NO in cells and "S12.1" in cells


def test_dates_before_the_plan_or_in_the_future_are_refused(world, plan, media):  # noqa: F811
    province = world.users["province"]
    with pytest.raises(ValidationError, match="before the plan's start"):
        reports.start_report(province, plan, kind="other", on=dt.date(2013, 12, 31))
    with pytest.raises(ValidationError, match="in the future"):
        reports.start_report(province, plan, kind="other", on=dt.date.today() + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="Give the date"):
        reports.start_report(province, plan, kind="other")
    assert not EvaluationReport.objects.exists()
    response = client_for(province).post(reverse("api:kpi-reports-list"),
                                         {"plan": plan.code, "kind": "other", "on": "2013-06-30"}, format="json")
    assert response.status_code == 400 and "on" in response.json()
    mid = reports.start_report(province, plan, kind="mid_term")
    assert mid.on == dt.date(2017, 12, 31)


def test_snapshots_are_taken_once_and_not_rewritten_by_a_second_report(data, plan):
    province = data.users["province"]
    first = _start(province, plan)
    taken = {s.pk: (s.value, s.taken_at) for s in Snapshot.objects.filter(on=DAY)}
    assert len(taken) == 26 * 14
    services.add_document(number="JJF(苏) 200-2025", title="新规范", kind="technical_spec", issuer="省局",
                          issued_on=dt.date(2025, 1, 5), region="320000", actor=province)
    second = _start(province, plan)
    assert {s.pk: (s.value, s.taken_at) for s in Snapshot.objects.filter(on=DAY)} == taken
    for r in (first, second):
        head, rows = _sheet(r)
        assert {x[0]: x for x in rows}["1.4"][4] == 3  # the snapshot's count, not today's 4


def test_a_city_reports_on_itself_only_and_sees_the_provinces_public_figures(data, plan):
    suzhou = data.users["suzhou"]
    report = _start(suzhou, plan)
    assert report.region_id == "320500"
    with pytest.raises(PermissionDenied):
        reports.start_report(suzhou, plan, kind="other", on=DAY, region="320100")
    with pytest.raises(PermissionDenied):
        reports.start_report(suzhou, plan, kind="other", on=DAY, region="320000")
    _head, comparison = _sheet(report, 1)
    assert {r[0] for r in comparison} == set(plan.indicators.filter(public=True).values_list("code", flat=True))
    assert all(r[2] == Region.objects.get(code="320000").display_name for r in comparison)
    with pytest.raises(PermissionDenied):
        reports.start_report(data.users["institute"], plan, kind="other", on=DAY)


def test_publishing_and_the_public_list(data, plan):
    province, suzhou = data.users["province"], data.users["suzhou"]
    internal = _start(province, plan)
    public = _start(province, plan, public=True)
    with pytest.raises(ValidationError):
        reports.publish(internal, actor=province)
    anonymous = web_client_for(None)
    assert anonymous.get(reverse("kpi:public-file", args=[public.pk, "pdf"])).status_code == 404
    assert web_client_for(suzhou).post(reverse("kpi:report-publish", args=[public.pk])).status_code == 404
    response = web_client_for(province).post(reverse("kpi:report-publish", args=[public.pk]))
    assert response.status_code == 302
    public.refresh_from_db()
    assert public.published_on == dt.date.today()
    page = anonymous.get(reverse("kpi:public"))
    assert page.status_code == 200
    assert reverse("kpi:public-file", args=[public.pk, "pdf"]) in page.content.decode()
    assert reverse("kpi:public-file", args=[internal.pk, "pdf"]) not in page.content.decode()
    got = anonymous.get(reverse("kpi:public-file", args=[public.pk, "pdf"]))
    assert got.status_code == 200 and b"".join(got.streaming_content).startswith(b"%PDF")
    assert anonymous.get(reverse("kpi:public-file", args=[internal.pk, "pdf"])).status_code == 404
    assert anonymous.get(reverse("kpi:public-file", args=[2**64, "pdf"])).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_report_pages_access(data, plan, role):
    """The province's report (region 320000) and Suzhou's (320500): who lists, opens and downloads which."""
    province_report = _start(data.users["province"], plan)
    suzhou_report = _start(data.users["suzhou"], plan)
    client = web_client_for(data.users[role])
    listing = client.get(reverse("kpi:reports"))
    if role == "anonymous":
        assert listing.status_code == 302
        return
    if role in ("institute", "enterprise"):
        assert listing.status_code == 403
        assert client.get(reverse("kpi:report", args=[suzhou_report.pk])).status_code == 403
        return
    assert listing.status_code == 200
    sees = {"province": {province_report.pk, suzhou_report.pk}, "suzhou": {suzhou_report.pk}}.get(role, set())
    for r in (province_report, suzhou_report):
        detail = client.get(reverse("kpi:report", args=[r.pk]))
        download = client.get(reverse("kpi:report-file", args=[r.pk, "xlsx"]))
        assert detail.status_code == download.status_code == (200 if r.pk in sees else 404), (role, r.region_id)
        assert (reverse("kpi:report", args=[r.pk]) in listing.content.decode()) == (r.pk in sees)
    assert client.get(reverse("kpi:report", args=[2**64])).status_code == 404


def test_the_start_form_names_the_bad_field(data, plan):
    client = web_client_for(data.users["province"])
    response = client.post(reverse("kpi:reports"), {"plan": plan.code, "kind": "other", "on": "2031-01-01"})
    assert response.status_code == 400 and "2031-01-01" in response.content.decode()
    response = client.post(reverse("kpi:reports"), {"plan": plan.code, "kind": "other", "on": "2020-02-30"})
    assert response.status_code == 400 and "2020-02-30" in response.content.decode()
    response = client.post(reverse("kpi:reports"), {"plan": plan.code, "kind": "final", "public": "1"})
    assert response.status_code == 302
    report = EvaluationReport.objects.get()
    assert report.on == dt.date(2020, 12, 31) and report.public and report.pdf
    page = client.get(response["Location"])
    assert reverse("kpi:report-file", args=[report.pk, "pdf"]) in page.content.decode()
