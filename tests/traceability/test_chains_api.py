"""GET /api/traceability/chains/: the access matrix over the world's roles, both languages, bad parameters; and the
drawn chain on the instrument and standard pages."""

import pytest
from django.urls import reverse
from tests.conftest import ROLES, client_for, web_client_for

URL = "/api/traceability/chains/"

# who sees the chain of ... (the record's own scope: registry's Instrument and MeasurementStandard)
INSTRUMENT_KS = {"province": True, "suzhou": True, "kunshan": True, "xuanwu": False, "institute": True,
                 "enterprise": True}
INSTRUMENT_XW = {"province": True, "suzhou": False, "kunshan": False, "xuanwu": True, "institute": False,
                 "enterprise": False}
STANDARD_P = {"province": True, "suzhou": False, "kunshan": False, "xuanwu": False, "institute": True,
              "enterprise": False}
STANDARD_NJ = {"province": True, "suzhou": False, "kunshan": False, "xuanwu": False, "institute": False,
               "enterprise": False}


@pytest.fixture
def certified(tworld):
    tworld.certify()
    tworld.rebuild()
    return tworld


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(certified, role):
    w = certified.world
    client = client_for(w.users[role])
    cases = [("instrument", w.instrument_ks.pk, INSTRUMENT_KS), ("instrument", w.instrument_xw.pk, INSTRUMENT_XW),
             ("standard", w.standard_p.pk, STANDARD_P), ("standard", w.standard_nj.pk, STANDARD_NJ)]
    for field, pk, matrix in cases:
        r = client.get(URL, {field: pk, "date": certified.flow.today.isoformat()})
        if role == "anonymous":
            assert r.status_code in (401, 403)
            continue
        assert r.status_code == (200 if matrix[role] else 404), (field, pk, role, r.content)
        if matrix[role]:
            assert r.json()["node"]["id"] == pk


def test_the_answer_in_both_languages(certified):
    w = certified.world
    c = client_for(w.users["kunshan"])
    day = certified.flow.today.isoformat()
    en = c.get(URL, {"instrument": w.instrument_ks.pk, "date": day}, HTTP_ACCEPT_LANGUAGE="en").json()
    zh = c.get(URL, {"instrument": w.instrument_ks.pk, "date": day}, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert en["traceable"] and zh["traceable"]
    assert en["summary"] == "Traceable to 中国计量科学研究院."
    assert zh["summary"] == "可溯源至中国计量科学研究院。"
    assert en["accumulated_uncertainty"]["label"].startswith("Estimate")
    assert zh["accumulated_uncertainty"]["label"].startswith("估计值")
    # a day before the instrument was verified: broken at link 1, said in each language
    early = (certified.flow.today.replace(year=certified.flow.today.year - 1)).isoformat()
    en = c.get(URL, {"instrument": w.instrument_ks.pk, "date": early}, HTTP_ACCEPT_LANGUAGE="en").json()
    zh = c.get(URL, {"instrument": w.instrument_ks.pk, "date": early}, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert en["broken_at"] == zh["broken_at"] == 1
    assert en["summary"].startswith("Broken at link 1 because") and "first calibrated or verified on" in en["summary"]
    assert zh["summary"].startswith("溯源链在第1环断开：") and "首次校准或检定于" in zh["summary"]


@pytest.mark.parametrize(("params", "field"), [({}, "instrument"), ({"instrument": "x"}, "instrument"),
                                                ({"instrument": 1, "standard": 1}, "instrument"),
                                                ({"standard": 1, "date": "2026-13-01"}, "date")])
def test_bad_parameters_are_named(certified, params, field):
    r = client_for(certified.world.users["province"]).get(URL, params, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400 and r.json()["field"] == field and r.json()["detail"]


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_the_instrument_and_standard_pages_draw_the_chain(certified, lang):
    w = certified.world
    c = web_client_for(w.users["province"])
    c.cookies["django_language"] = lang
    page = c.get(reverse("instruments-detail", args=[w.instrument_ks.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="chart-trace-chain"' in html and 'id="data-trace-chain"' in html and "traceability/chain.js" in html
    assert ("Traceable to 中国计量科学研究院." if lang == "en" else "可溯源至中国计量科学研究院。") in html
    assert ("Traceability chain" if lang == "en" else "溯源链") in html
    std = c.get(reverse("standards-detail", args=[w.standard_p.pk])).content.decode()
    assert 'id="trace-chain"' in std and "NIM-2025-0001" in std
