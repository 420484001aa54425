"""Supervision's pages and API in use: issuing a notice and recording a finding through the forms and the API,
photo checks (bad type, 50 MB), the owner's read receipt, the instrument page's panels, the work order page's
lateness note; in Chinese and in English."""

import datetime as dt
import io

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from tests.conftest import client_for, web_client_for

from jiliang.supervision.models import Finding, Notice

from .conftest import JPEG, PNG


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_issue_a_notice_through_the_form(sup):
    w = sup.world
    client = web_client_for(w.users["kunshan"])
    first = client.get(reverse("notices-issue"), {"owner": w.ent_ks.pk})
    assert first.status_code == 200 and "KS-0001" in first.content.decode()
    deadline = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    r = client.post(reverse("notices-issue"), {"owner": w.ent_ks.pk, "instruments": [w.instrument_ks.pk],
                                               "deadline": deadline, "issue": "1"})
    notice = Notice.objects.latest("pk")
    assert r.status_code == 302 and r["Location"] == reverse("notices-detail", args=[notice.pk])
    bad = client.post(reverse("notices-issue"), {"owner": w.ent_ks.pk, "instruments": [w.instrument_ks.pk],
                                                 "deadline": timezone.localdate().isoformat(), "issue": "1"})
    assert bad.status_code == 200 and 'data-field="deadline"' in bad.content.decode()
    assert Notice.objects.count() == 3


def test_owner_reads_the_notice_page_and_pdf(sup):
    w = sup.world
    page = web_client_for(w.users["kunshan"]).get(reverse("notices-detail", args=[sup.notice_ks.pk]))
    assert page.status_code == 200 and "第二十二条" in page.content.decode()
    sup.notice_ks.refresh_from_db()
    assert sup.notice_ks.read_at is None
    owner = web_client_for(w.users["enterprise"])
    html = owner.get(reverse("notices-detail", args=[sup.notice_ks.pk])).content.decode()
    assert sup.notice_ks.number in html and reverse("notices-pdf", args=[sup.notice_ks.pk]) in html
    sup.notice_ks.refresh_from_db()
    assert sup.notice_ks.read_at is not None
    chinese = owner.get(reverse("notices-detail", args=[sup.notice_ks.pk])).content.decode()
    assert "限期检定日期" in chinese and "使用单位阅知时间" in chinese
    en_html = english(owner).get(reverse("notices-detail", args=[sup.notice_ks.pk])).content.decode()
    assert "Verify by" in en_html


def test_api_read_receipt_and_create_errors(sup):
    w = sup.world
    client_for(w.users["other_enterprise"]).get(reverse("api:notice-detail", args=[sup.notice_xw.pk]))
    sup.notice_xw.refresh_from_db()
    assert sup.notice_xw.read_at is not None
    r = client_for(w.users["kunshan"]).post(reverse("api:notice-list"), {
        "owner": w.ent_ks.pk, "instruments": [w.instrument_ks.pk], "deadline": "2000-01-01"}, format="json")
    assert r.status_code == 400 and "deadline" in r.content.decode()


def test_record_a_finding_through_the_form_with_a_photo(sup):
    w = sup.world
    client = web_client_for(w.users["kunshan"])
    form = {"instrument": w.instrument_ks.pk, "found_on": timezone.localdate().isoformat(), "kind": "seal_broken",
            "detail": "铅封破损", "measure": "责令停止使用", "notice": sup.notice_ks.pk,
            "latitude": "31.38", "longitude": "120.98"}
    r = client.post(reverse("findings-record"), {**form, "photos": SimpleUploadedFile("a.png", PNG, "image/png")})
    finding = Finding.objects.latest("pk")
    assert r.status_code == 302 and finding.kind == "seal_broken" and [p.content_type for p in finding.photos.all()] == ["image/png"]
    bad = client.post(reverse("findings-record"), {**form, "photos": SimpleUploadedFile("a.gif", b"GIF89a....")})
    assert bad.status_code == 200 and "JPEG" in bad.content.decode()
    other = client.post(reverse("findings-record"), {**form, "instrument": w.instrument_xw.pk, "notice": ""})
    assert other.status_code == 200 and Finding.objects.count() == 3  # outside the county: refused in the form


def test_api_photo_refusals(sup):
    w = sup.world
    client = client_for(w.users["kunshan"])
    base = {"instrument": w.instrument_ks.pk, "found_on": timezone.localdate().isoformat(), "kind": "overdue"}
    big = io.BytesIO(JPEG + b"\x00" * (50 * 1024 * 1024))
    big.name = "big.jpg"
    r = client.post(reverse("api:finding-list"), {**base, "photos": big}, format="multipart")
    assert r.status_code == 400 and "10 MB" in r.content.decode()
    fake = io.BytesIO(b"%PDF-1.4 not an image")
    fake.name = "x.jpg"
    r = client.post(reverse("api:finding-list"), {**base, "photos": fake}, format="multipart")
    assert r.status_code == 400 and "JPEG" in r.content.decode() and "photos" in r.content.decode()
    r = client.post(reverse("api:finding-list"), {**base, "instrument": w.instrument_xw.pk}, format="multipart")
    assert r.status_code == 404
    assert Finding.objects.count() == 2


def test_instrument_page_panels(sup):
    w = sup.world
    html = web_client_for(w.users["kunshan"]).get(reverse("instruments-detail", args=[w.instrument_ks.pk])) \
        .content.decode()
    assert sup.notice_ks.number in html and reverse("findings-detail", args=[sup.finding_ks.pk]) in html


def test_work_order_page_notes_the_delay_and_article_15(sup):
    w = sup.world
    client = web_client_for(w.users["kunshan"])
    html = client.get(reverse("work-orders-detail", args=[sup.wo_ks.pk])).content.decode()
    assert 'id="work-order-lateness"' in html and "免收检定费" in html
    ok = client.get(reverse("work-orders-detail", args=[sup.wo_ks_ok.pk])).content.decode()
    assert 'id="work-order-lateness"' in ok and "免收检定费" not in ok
    assert "超期 1 个工作日" in html
    en_html = english(client).get(reverse("work-orders-detail", args=[sup.wo_ks.pk])).content.decode()
    assert "Late by 1 working day" in en_html and "waive the verification fee" in en_html
