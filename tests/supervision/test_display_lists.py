"""Every instrument list shows supervision's status and next due and filters by status (a ListExtension: registry
does not import supervision): the list page in both languages, its Excel export, and /api/instruments/ (fields,
filter, OpenAPI schema)."""

import datetime as dt
import io
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from openpyxl import load_workbook
from tests.conftest import client_for, web_client_for

from .display_helpers import page, reported, text, water_meter

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def instruments(world):
    """Kunshan: a valid scale (reported), a never verified one (instrument_ks), a meter past its service life."""
    from .display_helpers import new_instrument

    today = dt.date.today()
    valid = new_instrument(world, "KS-VALID")
    reported(world, valid, on=today - dt.timedelta(days=10), next_due=today + dt.timedelta(days=355))
    meter = water_meter(world, "WM-OLD")
    reported(world, meter, on=today - dt.timedelta(days=2300), next_due=today - dt.timedelta(days=3))
    return {"valid": valid, "never": world.instrument_ks, "life_ended": meter}


def rows(html: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    return [text(r) for r in re.findall(r"<tr.*?</tr>", body, re.S)]


def test_list_shows_status_and_next_due_columns_in_both_languages(world, instruments):
    html = page(world.users["kunshan"], "/registry/instruments/?sort=serial_number")
    head = text(re.search(r"<thead>.*?</thead>", html, re.S).group(0))
    assert "检定状态" in head and "下次检定日期" in head
    by_serial = {s: next(r for r in rows(html) if s in r) for s in ("KS-VALID", "KS-0001", "WM-OLD")}
    assert "有效" in by_serial["KS-VALID"] and (dt.date.today() + dt.timedelta(days=355)).isoformat() in \
        by_serial["KS-VALID"]
    assert "从未检定" in by_serial["KS-0001"] and "使用期满" in by_serial["WM-OLD"]
    en = page(world.users["kunshan"], "/registry/instruments/", "en")
    head = text(re.search(r"<thead>.*?</thead>", en, re.S).group(0))
    assert "Verification status" in head or "verification status" in head
    assert "Next due" in head or "next due" in head
    assert "never verified" in text(en) and "service life ended" in text(en)


def test_list_filters_by_status_and_sorts_by_next_due(world, instruments):
    html = page(world.users["kunshan"], "/registry/instruments/?verification_status=never_verified")
    serials = " ".join(rows(html))
    assert "KS-0001" in serials and "KS-VALID" not in serials and "WM-OLD" not in serials
    assert 'name="verification_status"' in html  # the filter is on the page
    both = " ".join(rows(page(world.users["kunshan"],
                              "/registry/instruments/?verification_status=valid&verification_status=life_ended")))
    assert "KS-VALID" in both and "WM-OLD" in both and "KS-0001" not in both
    ordered = rows(page(world.users["kunshan"], "/registry/instruments/?sort=-next_due&verification_status=valid"
                                               "&verification_status=life_ended"))
    assert "KS-VALID" in ordered[0] and "WM-OLD" in ordered[1]
    # an unknown status is the filter's error on the page and an empty list, not a crash
    bogus = page(world.users["kunshan"], "/registry/instruments/?verification_status=bogus")
    assert "KS-0001" not in " ".join(rows(bogus)) and "bogus" in text(bogus)


def test_other_county_sees_none_of_them(world, instruments):
    serials = " ".join(rows(page(world.users["xuanwu"], "/registry/instruments/?verification_status=valid")))
    assert "KS-VALID" not in serials


def export(user, params, lang="zh-hans"):
    client = web_client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    response = client.get("/registry/instruments/", {**params, "export": "xlsx"})
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content)).worksheets


def test_export_has_the_columns_and_follows_the_filter(world, instruments):
    data, about = export(world.users["kunshan"], {"verification_status": "valid", "sort": "serial_number"})
    header = [c.value for c in data[1]]
    assert "检定状态" in header and "下次检定日期" in header
    values = [[c.value for c in r] for r in data.iter_rows(min_row=2)]
    assert len(values) == 1
    row = dict(zip(header, values[0], strict=True))
    assert row["检定状态"] == "有效"
    due = row["下次检定日期"]
    assert (due.date() if hasattr(due, "date") else due) == dt.date.today() + dt.timedelta(days=355)
    lines = {r[0].value: r[1].value for r in about.iter_rows() if r[0].value}
    assert "有效" in str(lines)  # the filter in words
    data, _ = export(world.users["kunshan"], {"verification_status": "life_ended"}, "en")
    header = [c.value for c in data[1]]
    status = header.index(next(h for h in header if h.lower() == "verification status"))
    assert [r[status].value for r in data.iter_rows(min_row=2)] == ["service life ended"]


def test_api_instruments_have_status_and_next_due_and_filter(world, instruments):
    client = client_for(world.users["kunshan"])
    body = client.get("/api/instruments/", {"page_size": 100}).json()["results"]
    by_id = {r["id"]: r for r in body}
    assert by_id[instruments["valid"].pk]["verification_status"] == "valid"
    assert by_id[instruments["valid"].pk]["next_due"] == (dt.date.today() + dt.timedelta(days=355)).isoformat()
    assert by_id[instruments["never"].pk]["verification_status"] == "never_verified"
    assert by_id[instruments["never"].pk]["next_due"] is None
    detail = client.get(f"/api/instruments/{instruments['life_ended'].pk}/").json()
    assert detail["verification_status"] == "life_ended"
    only = client.get("/api/instruments/", {"verification_status": "life_ended"}).json()["results"]
    assert [r["id"] for r in only] == [instruments["life_ended"].pk]
    assert client.get("/api/instruments/", {"verification_status": "bogus"}).status_code == 400
    other = client_for(world.users["xuanwu"]).get("/api/instruments/", {"verification_status": "valid"}).json()
    assert instruments["valid"].pk not in {r["id"] for r in other["results"]}


def test_api_fields_are_read_only(world, instruments):
    client = client_for(world.admin)
    inst = instruments["never"]
    r = client.patch(f"/api/instruments/{inst.pk}/", {"verification_status": "valid", "next_due": "2099-01-01"},
                     format="json")
    assert r.status_code == 200 and r.json()["verification_status"] == "never_verified"


def test_openapi_schema_has_the_contributed_field_and_filter(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = out.read_text()
    instrument = re.search(r"\n    Instrument:\n(.*?)\n    \S", schema, re.S).group(1)
    assert "verification_status:" in instrument and "next_due:" in instrument
    listing = re.search(r"\n  /api/instruments/:\n(.*?)\n  /api/", schema, re.S).group(1)
    assert "name: verification_status" in listing
    assert "/api/supervision/states/" in schema


def test_an_instrument_act_answers_with_the_contributed_fields(world, instruments):
    r = client_for(world.users["kunshan"]).post(f"/api/instruments/{instruments['valid'].pk}/suspend/",
                                                {"reason": "停用检修"}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["verification_status"] == "not_counted" and r.json()["status"] == "suspended"
