"""Pages of household meters in both languages: the list (filters, Excel), the detail, the meter file upload as a
job with its file of errors, batches with statistics and the results upload, a rotation, the overdue page, and
what each role may open."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from tests.conftest import web_client_for

from jiliang.core.audit import audit_context
from jiliang.core.jobs.models import Job
from jiliang.livelihood import meter_batches
from jiliang.livelihood.models import HouseholdMeter, MeterBatch

from .conftest import ROLES, TODAY


def client(lworld, role, lang="zh-hans"):
    c = web_client_for(lworld.users[role])
    c.cookies["django_language"] = lang
    return c


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_list_detail_and_excel(lworld, lang):
    m = lworld.meter(first_verified_on=dt.date(2020, 7, 10), first_result="pass", installed_on=dt.date(2020, 8, 1))
    lworld.meter(utility=lworld.power_ks, kind="electricity")
    c = client(lworld, "kunshan", lang)
    page = c.get(reverse("household-meters-list"), {"kind": "water"})
    assert page.status_code == 200
    html = page.content.decode()
    assert m.instrument.instrument_code in html
    assert ("Household meters" in html or "household meters" in html) if lang == "en" else "民用" in html
    xlsx = c.get(reverse("household-meters-list"), {"export": "xlsx"})
    ws = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert ws.max_row == 3  # header + two meters
    detail = c.get(reverse("household-meters-detail", args=[m.pk]))
    assert detail.status_code == 200
    body = detail.content.decode()
    assert "water-meter-dn15-25" in body and "JJG 162-2019" in body and "2026-07-09" in body
    assert reverse("instruments-detail", args=[m.pk]) in body


def test_meter_file_upload_runs_as_a_job_with_a_file_of_errors(lworld):
    c = client(lworld, "water_ks", "en")
    csv = ("表类,规格,制造商,型号,出厂编号,区划代码,安装日期\n"
           "水表,DN20,宁波水表,LXS-20E,P1,320583,2021-04-01\n"
           "水表,DN100,宁波水表,LXS-20E,P2,320583,2021-04-01\n"
           "水表,DN25,宁波水表,LXS-20E,P3,320583,2099-04-01\n").encode()
    r = c.post(reverse("household-meter-import"), {"utility": lworld.water_ks.pk,
                                                   "file": SimpleUploadedFile("m.csv", csv)})
    assert r.status_code == 302
    job = Job.objects.get()
    assert job.state == "done" and "1 meters registered" in job.message and "2 rows with errors" in job.message
    assert HouseholdMeter.objects.filter(instrument__serial_number="P1").exists()
    errors = c.get(reverse("job-download", args=[job.pk]))
    ws = load_workbook(io.BytesIO(b"".join(errors.streaming_content))).worksheets[0]
    assert [(ws.cell(r, 1).value, ws.cell(r, 2).value) for r in (2, 3)] == [(3, "size"), (4, "installed_on")]
    # a file with a wrong header is refused on the page, nothing queued
    bad = c.post(reverse("household-meter-import"), {"utility": lworld.water_ks.pk,
                                                     "file": SimpleUploadedFile("m.csv", b"foo,bar\n1,2\n")})
    assert bad.status_code == 200 and "foo" in bad.content.decode() and Job.objects.count() == 1
    assert client(lworld, "institute").get(reverse("household-meter-import")).status_code == 403


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_batch_pages(lworld, lang):
    c = client(lworld, "water_ks", lang)
    r = c.post(reverse("meter-batch-add"), {
        "utility": lworld.water_ks.pk, "number": "P-1", "kind": "water", "manufacturer": "宁波水表",
        "declared_count": 4, "institution": lworld.world.inst_p.pk, "verified_on": "2024-03-01", "flows": "Q1, Q3"})
    assert r.status_code == 302, r.content.decode()[:2000]
    batch = MeterBatch.objects.get(number="P-1")
    with audit_context(actor=lworld.admin, channel="command"):
        ms = [lworld.meter() for _ in range(4)]
    lines = ["识别编码,结论,Q1,Q3"] + [f"{m.instrument.instrument_code},合格,{0.5 + i / 10},{-0.1 * i}"
                                     for i, m in enumerate(ms)]
    refused = c.post(reverse("meter-batch-results", args=[batch.pk]),
                     {"file": SimpleUploadedFile("r.csv", "\n".join(lines[:3]).encode())})
    assert refused.status_code == 400 and "4" in refused.content.decode()
    c.post(reverse("meter-batch-results", args=[batch.pk]),
           {"file": SimpleUploadedFile("r.csv", "\n".join(lines).encode())})
    batch.refresh_from_db()
    assert batch.passed == 4 and batch.biased  # Q1 errors 0.5 … 0.8: the mean is far from zero
    page = c.get(reverse("meter-batches-detail", args=[batch.pk]))
    html = page.content.decode()
    assert 'id="batch-histogram"' in html and 'id="data-histograms"' in html and "Student t" in html
    assert 'id="batch-biased"' in html
    assert c.get(reverse("meter-batches-list")).status_code == 200


def test_rotate_page_and_overdue_page(lworld):
    old = lworld.meter(first_verified_on=dt.date(2019, 1, 5), first_result="pass", installed_on=dt.date(2019, 2, 1))
    c = client(lworld, "water_ks", "en")
    r = c.post(reverse("household-meter-rotate", args=[old.pk]), {
        "rotated_on": "2026-05-01", "manufacturer": "三川", "serial_number": "RP-1"})
    assert r.status_code == 302
    new = HouseholdMeter.objects.get(instrument__serial_number="RP-1")
    assert HouseholdMeter.objects.get(pk=old.pk).replaced_by == new
    page = c.get(reverse("rotation-overdue"))
    assert page.status_code == 200 and lworld.water_ks.name in page.content.decode()
    assert client(lworld, "xuanwu").get(reverse("household-meter-rotate", args=[new.pk])).status_code == 404


# Pages of a Kunshan water meter: who may open them.
SEES = {"province", "suzhou", "kunshan", "water_ks"}


@pytest.mark.parametrize("role", ROLES)
def test_page_access_matrix(lworld, role):
    with audit_context(actor=lworld.admin, channel="command"):
        m = lworld.meter()
        b = meter_batches.register_batch(utility=lworld.water_ks, number="X-1", kind="water", manufacturer="x",
                                         declared_count=1, actor=lworld.admin, today=TODAY)
    c = web_client_for(lworld.users[role])
    for url in (reverse("household-meters-detail", args=[m.pk]), reverse("meter-batches-detail", args=[b.pk])):
        r = c.get(url)
        if role == "anonymous":
            assert r.status_code == 302
        else:
            assert r.status_code == (200 if role in SEES else 404), (role, url)
    listing = c.get(reverse("household-meters-list"))
    if role != "anonymous":
        assert (m.instrument.instrument_code in listing.content.decode()) == (role in SEES)
