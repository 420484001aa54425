"""POST /api/supervision/verification-records (JSON array, NDJSON), the event list and the conflicts API, with the
access matrix of every role (tests/test_access_matrix.py style)."""

import json

import pytest
from django.urls import reverse
from tests.conftest import ROLES, check_api_read, client_for

from jiliang.supervision import records
from jiliang.supervision.models import RecordConflict, VerificationEvent

from .records_helpers import TODAY, record

pytestmark = pytest.mark.django_db
URL = "/api/supervision/verification-records/"


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def ndjson(rows) -> str:
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n"


def test_json_array_and_ndjson(world):
    client = client_for(world.users["institute"])
    r = client.post(URL, [record(world, number="N1")], format="json")
    assert r.status_code == 200, r.content
    assert r.json()["counts"] == {"created": 1, "unchanged": 0, "conflict": 0, "error": 0}
    body = ndjson([record(world, number="N1"), record(world, number="N2"),
                   record(world, number="N1", result="fail", next_due=None),
                   record(world, number="N3", verified_on="2999-01-01")])
    r = client.post(URL, body, content_type="application/x-ndjson")
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["counts"] == {"created": 1, "unchanged": 1, "conflict": 1, "error": 1}
    assert out["results"][3]["row"] == 4
    assert out["results"][3]["errors"][0]["field"] == "verified_on"
    assert VerificationEvent.objects.count() == 2 and RecordConflict.objects.count() == 1


def test_malformed_ndjson_names_the_line(world):
    client = client_for(world.users["institute"])
    client.cookies["django_language"] = "en"
    body = ndjson([record(world, number="N1")]) + "{\"number\": \n" + ndjson([record(world, number="N2")])
    r = client.post(URL, body, content_type="application/x-ndjson")
    assert r.status_code == 400
    assert r.json()["line"] == 2 and "Line 2 is not valid JSON" in r.json()["detail"]
    assert VerificationEvent.objects.count() == 0
    r = client.post(URL, "[{\"a\": 1},\n {oops}]", content_type="application/json")
    assert r.status_code == 400 and r.json()["line"] == 2
    client.cookies["django_language"] = "zh-hans"
    r = client.post(URL, body, content_type="application/x-ndjson")
    assert r.json()["detail"].startswith("第 2 行不是有效的 JSON")


def test_body_size_limit(world, monkeypatch):
    from jiliang.supervision.api import records as views

    monkeypatch.setattr(views, "MAX_BODY_BYTES", 100)
    r = client_for(world.users["institute"]).post(URL, ndjson([record(world)] * 5),
                                                  content_type="application/x-ndjson")
    assert r.status_code == 413 and r.json()["reason"] == "too_large"


POST = {"province": 200, "suzhou": 200, "kunshan": 200, "xuanwu": 200, "institute": 200, "enterprise": 403}


@pytest.mark.parametrize("role", ROLES)
def test_who_may_post(world, role):
    r = client_for(world.users[role]).post(URL, [record(world)], format="json")
    if role == "anonymous":
        assert r.status_code in (401, 403)
        return
    assert r.status_code == POST[role], r.content
    if r.status_code == 200:
        # a city or county bureau reports for the institutions of its region only (not the provincial institute)
        result = r.json()["results"][0]
        assert result["status"] == ("created" if role in ("province", "institute") else "error")
        if role in ("suzhou", "kunshan"):
            assert [e["field"] for e in result["errors"]] == ["institution_uscc"]


# Who sees the event of the Kunshan scale reported by the provincial institute, and of the Xuanwu one by Nanjing's.
VISIBLE = {"ks": {"province", "suzhou", "kunshan", "institute", "enterprise"}, "xw": {"province", "xuanwu"}}


@pytest.fixture
def events(world):
    out = records.report_records([record(world, number="KS"),
                                  record(world, number="XW", institution_uscc=world.inst_nj.uscc,
                                         instrument=world.instrument_xw.pk)],
                                 actor=world.users["province"], today=TODAY)
    return {"ks": out[0].event, "xw": out[1].event}


@pytest.mark.parametrize(("which", "role"), [(w, r) for w in VISIBLE for r in ROLES])
def test_event_read_matrix(world, events, which, role):
    check_api_read(world.users[role], role, "api:verificationevent", events[which], role in VISIBLE[which])


@pytest.mark.parametrize(("which", "role"), [(w, r) for w in VISIBLE for r in ROLES])
def test_conflict_read_matrix(world, events, which, role):
    rows = [record(world, number="KS", result="fail", next_due=None)] if which == "ks" else [
        record(world, number="XW", institution_uscc=world.inst_nj.uscc, instrument=world.instrument_xw.pk,
               kind="first")]
    [r] = records.report_records(rows, actor=world.users["province"], today=TODAY)
    check_api_read(world.users[role], role, "api:recordconflict", r.conflict, role in VISIBLE[which])


RESOLVE = {"province": 200, "suzhou": 200, "kunshan": 200, "xuanwu": 404, "institute": 403, "enterprise": 403}


@pytest.mark.parametrize("role", ROLES)
def test_resolve_matrix(world, events, role):
    [r] = records.report_records([record(world, number="KS", next_due="2027-01-31")],
                                 actor=world.users["province"], today=TODAY)
    url = reverse("api:recordconflict-resolve", args=[r.conflict])
    resp = client_for(world.users[role]).post(url, {"accept": True, "resolution": "核实"}, format="json")
    if role == "anonymous":
        assert resp.status_code in (401, 403)
        return
    expected = 404 if role not in VISIBLE["ks"] else RESOLVE[role]
    assert resp.status_code == expected, resp.content
    assert RecordConflict.objects.get(pk=r.conflict).status == ("resolved" if expected == 200 else "open")


def test_event_list_filters(world, events):
    client = client_for(world.users["province"])
    ids = lambda **q: {row["id"] for row in client.get(URL, q).json()["results"]}  # noqa: E731
    assert ids(instrument_id=world.instrument_ks.pk) == {events["ks"]}
    assert ids(institution=world.inst_nj.uscc) == {events["xw"]}
    assert ids(result="pass", source="reported") == {events["ks"], events["xw"]}
    assert ids(verified_after="2026-07-01") == set()
    assert ids(verified_before="2026-06-01", region="320583") == {events["ks"]}
