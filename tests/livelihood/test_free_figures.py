"""Free-verification figures against a hand count (free_world's docstring), the page in both languages, the API,
and the annual report: the PDF's text and the Excel rows, made by the background job."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader
from tests.conftest import client_for, web_client_for
from tests.livelihood import free_world
from tests.livelihood.free_world import YEAR

from jiliang.core.jobs.models import Job, JobState
from jiliang.core.models import Region
from jiliang.livelihood import free_figures, free_report, free_services

pytestmark = pytest.mark.django_db
fworld = free_world.fworld  # the fixture, for this module


@pytest.fixture
def marked(fworld):
    w = fworld
    p = w.users["province"]
    free_services.mark_free(w.events.scale_ok, w.market, actor=p)  # 10.00 from the schedule, pass
    free_services.mark_free(w.events.scale_late, w.market, "12", actor=p)  # fail
    free_services.mark_free(w.events.bp_ks, w.clinic, "15", actor=p)  # pass
    return w


def test_summary_against_the_hand_count(marked):
    w = marked
    s = free_figures.summary(w.users["province"], year=YEAR)
    t = s.total
    assert t.count == 3 and t.fees == Decimal("37.00") and t.fee_unknown == 0
    assert (t.passed.numerator, t.passed.denominator) == (2, 3)
    # population: 3 market scales + 1 sphygmomanometer due 2026-03-01; on time: scale_ok, bp_ks
    assert (t.verification.numerator, t.verification.denominator) == (2, 4)
    progs = {r.key: r for r in s.by_programme}
    assert (progs["market"].count, progs["market"].fees) == (2, Decimal("22.00"))
    assert (progs["market"].verification.numerator, progs["market"].verification.denominator) == (1, 3)
    assert (progs["market"].passed.numerator, progs["market"].passed.denominator) == (1, 2)
    assert progs["market"].meets_pass is False and progs["market"].meets_verification is False
    assert (progs["clinic"].verification.numerator, progs["clinic"].verification.denominator) == (1, 1)
    assert progs["clinic"].meets_verification is True and progs["clinic"].meets_pass is True
    assert [r.key for r in s.by_county] == ["320583"]
    assert s.as_dict()["total"]["pass_rate"]["version"]
    # another year: nothing
    assert free_figures.summary(w.users["province"], year=YEAR - 1).total.count == 0


def test_scoped_summaries(marked):
    w = marked
    assert free_figures.summary(w.users["kunshan"], year=YEAR).total.count == 3
    xw = free_figures.summary(w.users["xuanwu"], year=YEAR).total
    assert xw.count == 0 and xw.verification.denominator == 0
    inst = free_figures.summary(w.users["institute"], year=YEAR).total
    assert inst.count == 3 and inst.verification.denominator == 0  # its own verifications; no population
    one = free_figures.summary(w.users["province"], year=YEAR, programme=w.clinic)
    assert one.total.count == 1 and [r.key for r in one.by_programme] == ["clinic"]
    xw_region = free_figures.summary(w.users["province"], year=YEAR, region=Region.objects.get(code="320102"))
    assert xw_region.total.count == 0


@pytest.mark.parametrize("lang,words", [("en", ["Free verification for", "By county", "pass rate"]),
                                        ("zh-hans", ["计量惠民"])])
def test_figures_page(marked, lang, words, settings):
    client = web_client_for(marked.users["kunshan"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    resp = client.get(reverse("free-figures"), {"year": YEAR})
    assert resp.status_code == 200
    html = resp.content.decode()
    for word in words:
        assert word in html
    assert 'id="free-count">3<' in html and "66.7 %" in html and "data-free" in html
    xlsx = client.get(reverse("free-figures"), {"year": YEAR, "export": "xlsx"})
    wb = load_workbook(io.BytesIO(xlsx.content))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 3  # header, Kunshan, total


def test_summary_api(marked):
    w = marked
    resp = client_for(w.users["province"]).get(reverse("api:free-summary-list"), {"year": YEAR})
    assert resp.status_code == 200
    body = resp.json()
    assert body["total"]["count"] == 3 and body["total"]["fees_waived"] == "37.00"
    assert body["targets"]["pass_rate"] == 0.95 and body["targets"]["verification_rate"] == 1.0
    assert body["total"]["pass_rate"]["numerator"] == 2
    resp = client_for(w.users["kunshan"]).get(reverse("api:free-summary-list"), {"year": YEAR, "region": "320102"})
    assert resp.status_code == 403
    resp = client_for(w.users["province"]).get(reverse("api:free-summary-list"), {"year": "x"})
    assert resp.status_code == 400
    listing = client_for(w.users["province"]).get(reverse("api:free-verification-list"),
                                                  {"year": YEAR, "programme": "market"}).json()
    assert listing["count"] == 2
    assert client_for(w.users["province"]).get(reverse("api:free-verification-list"),
                                                {"region": "320102"}).json()["count"] == 0


def test_report_pdf_and_excel_by_job(marked, settings):
    w = marked
    client = web_client_for(w.users["kunshan"])
    resp = client.post(reverse("free-report"), {"year": YEAR, "region": "320583", "format": "pdf"})
    assert resp.status_code == 302
    job = Job.objects.order_by("-pk").first()
    assert job.state == JobState.DONE and job.done == job.total == 3
    text = "".join(page.extract_text() for page in PdfReader(settings.JILIANG_JOBS_DIR / job.result_path).pages)
    compact = text.replace(" ", "").replace("\n", "")
    assert "计量惠民" in compact and "37.00" in compact and "66.7%" in compact
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    resp = client.post(reverse("free-report"), {"year": YEAR, "region": "320583", "format": "xlsx"})
    job = Job.objects.order_by("-pk").first()
    assert job.state == JobState.DONE
    wb = load_workbook(settings.JILIANG_JOBS_DIR / job.result_path)
    county = list(wb.worksheets[0].iter_rows(values_only=True))
    assert len(county) == 3 and county[-1][1] == 3
    programmes = list(wb.worksheets[1].iter_rows(values_only=True))
    assert [r[0] for r in programmes[1:]] == ["Free verification in markets", "Free verification in rural clinics",
                                             "total"]


def test_report_refusals(marked):
    w = marked
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        free_report.start_report(w.users["kunshan"], year=YEAR, region="320102", fmt="pdf")
    with pytest.raises(PermissionDenied):
        free_report.start_report(w.users["enterprise"], year=YEAR, region=None, fmt="pdf")
    with pytest.raises(ValidationError):
        free_report.start_report(w.users["province"], year=YEAR, region=None, fmt="doc")


def test_lists_and_export(marked, settings):
    client = web_client_for(marked.users["kunshan"])
    for lang in ("en", "zh-hans"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
        resp = client.get(reverse("free-verifications-list"), {"year": YEAR})
        assert resp.status_code == 200 and "JD-1" in resp.content.decode()
        assert client.get(reverse("free-programmes-detail", args=[marked.market.pk])).status_code == 200
        assert client.get(reverse("free-verifications-detail", args=[marked.events.bp_ks.pk])).status_code == 200
    export = client.get(reverse("free-verifications-list"), {"programme": "market", "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 3  # header and the two market verifications
