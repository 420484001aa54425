"""Rotation lists (到期轮换清单) per utility and per county and quarter, their Excel and PDF, the county's public
page, the rotation service and the overdue counts."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader
from tests.conftest import web_client_for

from jiliang.core.audit import audit_context
from jiliang.core.models import Region
from jiliang.livelihood import meter_rotation
from jiliang.livelihood.models import HouseholdMeter
from jiliang.registry.models import Instrument

from .conftest import TODAY

Q = meter_rotation.Quarter(2026, 3)  # 2026-07-01 … 2026-09-30


@pytest.fixture
def meters(lworld):
    """DN20 water meters of Kunshan (6 years) due in 2026 Q3, one overdue, one later; one in Xuanwu due in Q3."""
    def m(verified, **kw):
        return lworld.meter(first_verified_on=verified, first_result="pass", installed_on=verified, **kw)
    return {"q3a": m(dt.date(2020, 7, 10)), "q3b": m(dt.date(2020, 9, 30), account_area="B-07片区"),
            "overdue": m(dt.date(2019, 1, 5)), "later": m(dt.date(2021, 1, 5)),
            "xw": m(dt.date(2020, 8, 1), utility=lworld.water_xw, region="320102")}


def codes(qs):
    return {r["instrument__instrument_code"] for r in meter_rotation.list_rows(qs, Q)}


def test_list_per_utility_and_county(lworld, meters):
    base = HouseholdMeter.objects.all()
    ks = meter_rotation.rotation_queryset(base, Q, utility=lworld.water_ks)
    expected = {meters[k].instrument.instrument_code for k in ("q3a", "q3b", "overdue")}
    assert codes(ks) == expected
    assert meter_rotation.summary(ks, Q) == {"total": 3, "overdue": 1, "due": 2}
    assert codes(meter_rotation.rotation_queryset(base, Q, region="320583")) == expected
    assert codes(meter_rotation.rotation_queryset(base, Q, region="320500")) == expected  # the city's subtree
    assert codes(meter_rotation.rotation_queryset(base, Q, region="320102")) == {meters["xw"].instrument.instrument_code}


def test_rotation_retires_the_old_and_registers_the_new_at_the_same_place(lworld, meters):
    old = meters["overdue"]
    with audit_context(actor=lworld.users["water_ks"], channel="web"):
        new = meter_rotation.rotate_meter(old, rotated_on=dt.date(2026, 6, 1), serial_number="NEW-1",
                                          manufacturer="三川", model="LXSG-20", actor=lworld.users["water_ks"],
                                          first_verified_on=dt.date(2026, 5, 20), first_result="pass", today=TODAY)
    old.refresh_from_db()
    inst = Instrument.objects.get(pk=old.pk)
    assert inst.status == "retired" and new.instrument.instrument_code in inst.status_reason
    assert inst.status_date == dt.date(2026, 6, 1)
    assert (old.retired_on, old.replaced_by_id) == (dt.date(2026, 6, 1), new.pk)
    assert (new.region_id, new.account_area, new.utility) == (old.region_id, old.account_area, old.utility)
    assert new.instrument.address == inst.address and new.rotation_due == dt.date(2032, 5, 19)
    # the rotated meter leaves the list
    assert old.instrument.instrument_code not in codes(
        meter_rotation.rotation_queryset(HouseholdMeter.objects.all(), Q, utility=lworld.water_ks))
    with pytest.raises(ValidationError):  # already retired
        meter_rotation.rotate_meter(old, rotated_on=dt.date(2026, 6, 2), serial_number="NEW-2", manufacturer="三川",
                                    actor=lworld.users["water_ks"], today=TODAY)
    with pytest.raises(PermissionDenied):  # another utility's staff
        meter_rotation.rotate_meter(meters["xw"], rotated_on=dt.date(2026, 6, 2), serial_number="NEW-3",
                                    manufacturer="三川", actor=lworld.users["water_ks"], today=TODAY)


def test_overdue_counts_per_utility(lworld, meters):
    rows = {r["utility_id"]: r for r in meter_rotation.overdue_by_utility(HouseholdMeter.objects.all(), TODAY)}
    assert (rows[lworld.water_ks.pk]["in_service"], rows[lworld.water_ks.pk]["overdue"]) == (4, 1)
    assert rows[lworld.water_xw.pk]["overdue"] == 0


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_page_excel_and_pdf(lworld, meters, lang):
    client = web_client_for(lworld.users["kunshan"])
    client.cookies["django_language"] = lang
    url = reverse("rotation-list")
    page = client.get(url, {"year": 2026, "quarter": 3, "region": "320583"})
    assert page.status_code == 200
    html = page.content.decode()
    assert meters["q3a"].instrument.instrument_code in html and meters["xw"].instrument.instrument_code not in html
    assert ("已超期" in html or "overdue" in html) and ("JJG 162-2019" in html)
    if lang == "en":
        assert "Rotation list" in html
    else:
        assert "轮换清单" in html
    xlsx = client.get(url, {"year": 2026, "quarter": 3, "region": "320583", "format": "xlsx"})
    ws = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert ws.max_row == 1 + 3
    assert {ws.cell(r, 1).value for r in range(2, 5)} == {meters[k].instrument.instrument_code
                                                          for k in ("q3a", "q3b", "overdue")}
    pdf = client.get(url, {"year": 2026, "quarter": 3, "utility": lworld.water_ks.pk, "format": "pdf"})
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "到期轮换清单" in text and "2026年第3季度" in text and "JJG 162-2019" in text
    assert meters["q3b"].instrument.instrument_code in text and "已超期" in text


def test_publication_and_public_page(lworld, meters):
    county = Region.objects.get(pk="320583")
    public = reverse("public-rotation-quarter", kwargs={"county": "320583", "year": 2026, "quarter": 3})
    assert Client().get(public).status_code == 404  # nothing published yet
    with pytest.raises(PermissionDenied):  # another county's bureau
        meter_rotation.publish(region=county, quarter=Q, actor=lworld.users["xuanwu"])
    with pytest.raises(PermissionDenied):  # a city bureau: the county publishes its own lists
        meter_rotation.publish(region=county, quarter=Q, actor=lworld.users["suzhou"])
    client = web_client_for(lworld.users["kunshan"])
    r = client.post(reverse("rotation-publish"), {"region": "320583", "year": 2026, "quarter": 3})
    assert r.status_code == 302
    for lang in ("zh-hans", "en"):
        page = Client().get(public, {"lang": lang})
        assert page.status_code == 200
        html = page.content.decode()
        assert meters["q3a"].instrument.instrument_code in html and "B-07片区" in html
        assert lworld.water_ks.name in html
        assert meters["xw"].instrument.instrument_code not in html  # another county
        assert "宁波水表" not in html  # the maker, serial and address are not on the public page
        assert meters["q3a"].instrument.serial_number not in html
    assert Client().get(reverse("public-rotation-quarter", kwargs={"county": "320583", "year": 2026,
                                                                   "quarter": 2})).status_code == 404
    client.post(reverse("rotation-publish"), {"region": "320583", "year": 2026, "quarter": 3, "withdraw": "1"})
    assert Client().get(public).status_code == 404


def test_public_page_is_rate_limited(lworld, meters, settings):
    settings.JILIANG_RATE_PUBLIC_PAGE = "2/min"
    with audit_context(actor=lworld.admin, channel="command"):
        meter_rotation.publish(region=Region.objects.get(pk="320583"), quarter=Q, actor=lworld.admin)
    url = reverse("public-rotation", kwargs={"county": "320583"})
    statuses = [Client().get(url).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_keyset_pages_walk_the_list_in_order_and_exports_read_it_in_batches(lworld, meters):
    # two meters due on the same day: the instrument id breaks the tie, so no row is skipped or repeated
    same = lworld.meter(first_verified_on=dt.date(2020, 7, 10), first_result="pass", installed_on=dt.date(2020, 7, 10))
    qs = meter_rotation.rotation_queryset(HouseholdMeter.objects.all(), Q, utility=lworld.water_ks)
    whole = [r["instrument__instrument_code"] for r in meter_rotation.list_rows(qs, Q)]
    assert len(whole) == 4 and same.instrument.instrument_code in whole
    walked, after, pages = [], None, 0
    while True:
        rows, after = meter_rotation.page(qs, Q, size=1, after=after)
        walked += [r["instrument__instrument_code"] for r in rows]
        pages += 1
        if after is None:
            break
    assert walked == whole and pages == 4
    rows, after = meter_rotation.page(qs, Q, size=3)
    assert len(rows) == 3 and after == meter_rotation.cursor_of(rows[-1])
    assert meter_rotation.page(qs, Q, size=4) == (meter_rotation.page(qs, Q, size=4)[0], None)
    assert [r["instrument__instrument_code"] for r in meter_rotation.all_rows(qs, Q, batch=3)] == whole
    with pytest.raises(ValidationError) as exc:
        meter_rotation.page(qs, Q, size=2, after="not-a-cursor")
    assert "after" in exc.value.message_dict


def test_page_and_api_give_the_next_page_by_cursor(lworld, meters, monkeypatch):
    from tests.conftest import client_for

    from jiliang.livelihood import meter_views
    from jiliang.livelihood.api import meter_views as api_views

    monkeypatch.setattr(meter_views, "PAGE_ROWS", 2)
    client = web_client_for(lworld.users["kunshan"])
    url = reverse("rotation-list")
    first = client.get(url, {"year": 2026, "quarter": 3, "region": "320583"})
    html = first.content.decode()
    assert first.status_code == 200 and 'id="rotation-next"' in html and 'id="rotation-first"' not in html
    cursor = first.context["next_cursor"]
    second = client.get(url, {"year": 2026, "quarter": 3, "region": "320583", "after": cursor})
    assert second.status_code == 200 and 'id="rotation-next"' not in second.content.decode()
    shown = [r["instrument__instrument_code"] for r in first.context["rows"] + second.context["rows"]]
    assert sorted(shown) == sorted(meters[k].instrument.instrument_code for k in ("q3a", "q3b", "overdue"))
    assert client.get(url, {"year": 2026, "quarter": 3, "after": "x"}).status_code == 200  # the first page, a message

    monkeypatch.setattr(api_views, "ROTATION_PAGE", 2)
    api = client_for(lworld.users["water_ks"])
    r = api.get(reverse("api:rotationlist-list"), {"utility": lworld.water_ks.pk, "year": 2026, "quarter": 3})
    body = r.json()
    assert body["count"] == 3 and len(body["results"]) == 2 and "after=" in body["next"]
    rest = api.get(body["next"]).json()
    assert len(rest["results"]) == 1 and rest["next"] is None and rest["summary"] == body["summary"]
    assert {row["instrument_code"] for row in body["results"] + rest["results"]} == {
        meters[k].instrument.instrument_code for k in ("q3a", "q3b", "overdue")}
    one = api.get(reverse("api:rotationlist-list"), {"utility": lworld.water_ks.pk, "year": 2026, "quarter": 3,
                                                     "page_size": 1}).json()
    assert len(one["results"]) == 1
    bad = api.get(reverse("api:rotationlist-list"), {"year": 2026, "quarter": 3, "after": "2026-13-01.x"})
    assert bad.status_code == 400 and "after" in bad.json()
