"""Pages of reported records: the event list (filters, Excel export), event detail, conflicts list and the resolve
form, the Excel/CSV import (Chinese and English headers, wrong columns) and the access matrix of every role."""

import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook
from tests.conftest import ROLES, web_client_for

from jiliang.supervision import records
from jiliang.supervision.models import RecordConflict, VerificationEvent

from .records_helpers import TODAY, record

pytestmark = pytest.mark.django_db
VISIBLE = {"ks": {"province", "suzhou", "kunshan", "institute", "enterprise"}, "xw": {"province", "xuanwu"}}


@pytest.fixture
def events(world):
    out = records.report_records([record(world, number="KS-EV"),
                                  record(world, number="XW-EV", institution_uscc=world.inst_nj.uscc,
                                         instrument=world.instrument_xw.pk)],
                                 actor=world.users["province"], today=TODAY)
    [ks_conflict] = records.report_records([record(world, number="KS-EV", result="fail", next_due=None)],
                                           actor=world.users["province"], today=TODAY)
    [xw_conflict] = records.report_records([record(world, number="XW-EV", institution_uscc=world.inst_nj.uscc,
                                                   instrument=world.instrument_xw.pk, kind="first")],
                                           actor=world.users["province"], today=TODAY)
    return {"ks": out[0].event, "xw": out[1].event, "ks_c": ks_conflict.conflict, "xw_c": xw_conflict.conflict}


@pytest.mark.parametrize(("which", "role"), [(w, r) for w in VISIBLE for r in ROLES])
@pytest.mark.parametrize("slug", ["records", "record-conflicts"])
def test_page_matrix(world, events, which, role, slug):
    pk = events[which] if slug == "records" else events[f"{which}_c"]
    client = web_client_for(world.users[role])
    listing = client.get(reverse(f"{slug}-list"))
    detail = client.get(reverse(f"{slug}-detail", args=[pk]))
    export = client.get(reverse(f"{slug}-list"), {"export": "xlsx"})
    if role == "anonymous":
        assert all(r.status_code == 302 for r in (listing, detail, export))
        return
    assert listing.status_code == 200 and export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert (f'href="{reverse(f"{slug}-detail", args=[pk])}"' in listing.content.decode()) == (role in VISIBLE[which])
    assert detail.status_code == (200 if role in VISIBLE[which] else 404)


RESOLVE = {"province": "resolved", "suzhou": "resolved", "kunshan": "resolved", "xuanwu": 404, "institute": 403,
           "enterprise": 403}


@pytest.mark.parametrize("role", ROLES)
def test_resolve_form_matrix(world, events, role):
    client = web_client_for(world.users[role])
    pk = events["ks_c"]
    page = client.get(reverse("record-conflicts-detail", args=[pk]))
    r = client.post(reverse("record-conflict-resolve", args=[pk]), {"accept": "keep", "resolution": "以原记录为准"})
    status = RecordConflict.objects.get(pk=pk).status
    if role == "anonymous":
        assert r.status_code == 302 and status == "open"
        return
    if RESOLVE[role] == "resolved":
        assert 'id="resolve-form"' in page.content.decode()
        assert r.status_code == 302 and status == "resolved"
        assert VerificationEvent.objects.get(pk=events["ks"]).result == "pass"  # kept
    else:
        assert 'id="resolve-form"' not in page.content.decode()
        assert r.status_code == RESOLVE[role] and status == "open"


def test_event_list_filters_and_detail_in_both_languages(world, events):
    client = web_client_for(world.users["province"])
    for lang, words in (("en", "Verification kind"), ("zh-hans", "检定类别")):
        client.cookies["django_language"] = lang
        page = client.get(reverse("records-list"), {"result": "pass", "institution": world.inst_nj.uscc})
        body = page.content.decode()
        assert "XW-EV" in body and "KS-EV" not in body
        assert words.lower() in body.lower()
        detail = client.get(reverse("records-detail", args=[events["ks"]]))
        assert detail.status_code == 200 and "KS-EV" in detail.content.decode()


def xlsx(headers, rows) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "records.xlsx"
    return buf


ZH = ["检定机构统一社会信用代码", "证书或通知书编号", "计量器具系统编号", "检定类别", "检定日期", "检定结论", "下次检定日期"]
EN = ["institution USCC", "certificate or notice number", "jiliang instrument id", "verification kind",
      "verified on", "result", "next due"]


@pytest.mark.parametrize("headers", [EN, ["institution_uscc", "number", "instrument", "kind", "verified_on", "result",
                                          "next_due"]])
def test_excel_import_check_then_store(world, headers, settings):
    client = web_client_for(world.users["institute"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    rows = [[world.inst_p.uscc, "X-1", world.instrument_ks.pk, "periodic verification", "2026-06-01", "pass",
             "2027-05-31"],
            [world.inst_p.uscc, "X-2", world.instrument_ks.pk, "periodic", "2099-06-01", "pass", ""],
            [world.inst_p.uscc, "X-3", world.instrument_ks.pk, "periodic", "2026-07-01", "maybe", ""]]
    with translation.override("en"):
        r = client.post(reverse("records-import"), {"file": xlsx(headers, rows)})
        assert r.status_code == 302, r.content
        page = client.get(r["Location"]).content.decode()
    assert "3 rows: 1 new, 0 unchanged, 0 conflicting, 2 with errors." in page
    assert "lies in the future" in page and "verified on" in page
    assert "&#x27;maybe&#x27; is not one of" in page or "'maybe' is not one of" in page
    assert VerificationEvent.objects.count() == 0  # the check writes nothing
    batch = r["Location"].split("batch=")[1]
    with translation.override("en"):
        r = client.post(reverse("records-import"), {"batch": batch, "choice": "valid"})
    assert VerificationEvent.objects.filter(number="X-1", source="reported").count() == 1
    assert VerificationEvent.objects.count() == 1


def test_excel_import_chinese_headers(world):
    client = web_client_for(world.users["province"])
    with translation.override("zh-hans"):
        headers = [str(c.label) for c in __import__("jiliang.supervision.importing", fromlist=["x"])
                   .RecordImporter.columns if c.key in ("institution_uscc", "number", "instrument", "kind",
                                                        "verified_on", "result", "next_due")]
    rows = [[world.inst_p.uscc, "Z-1", world.instrument_ks.pk, "周期检定", "2026-06-01", "合格", "2027-05-31"]]
    r = client.post(reverse("records-import"), {"file": xlsx(headers, rows)})
    assert r.status_code == 302
    batch = r["Location"].split("batch=")[1]
    client.post(reverse("records-import"), {"batch": batch, "choice": "valid"})
    assert VerificationEvent.objects.filter(number="Z-1").exists()


def test_excel_wrong_columns_is_a_clear_error(world, settings):
    client = web_client_for(world.users["institute"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        r = client.post(reverse("records-import"), {"file": xlsx(["institution USCC", "cert no", "date"], [["x"]])},
                        follow=True)
    body = r.content.decode()
    assert "Missing required columns" in body and "certificate or notice number" in body
    assert "Unknown columns" in body and "cert no" in body


def test_csv_import(world):
    client = web_client_for(world.users["institute"])
    text = ",".join(EN) + "\n" + f"{world.inst_p.uscc},C-1,{world.instrument_ks.pk},periodic,2026-06-01,pass,\n"
    upload = io.BytesIO(text.encode("utf-8"))
    upload.name = "records.csv"
    r = client.post(reverse("records-import"), {"file": upload})
    client.post(reverse("records-import"), {"batch": r["Location"].split("batch=")[1], "choice": "valid"})
    assert VerificationEvent.objects.get(number="C-1").next_due.isoformat() == "2027-05-31"


IMPORT = {"province": 200, "suzhou": 200, "kunshan": 200, "xuanwu": 200, "institute": 200, "enterprise": 403}


@pytest.mark.parametrize("role", ROLES)
def test_import_page_matrix(world, role):
    client = web_client_for(world.users[role])
    page = client.get(reverse("records-import"))
    template = client.get(reverse("records-import"), {"template": "1"})
    if role == "anonymous":
        assert page.status_code == 302 and template.status_code == 302
        return
    assert page.status_code == IMPORT[role] and template.status_code == IMPORT[role]
