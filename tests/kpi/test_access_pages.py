"""Access matrix of the kpi pages (kpi/access.py): the provincial bureau reads every region and writes; a city bureau
reads its own subtree and the province's public figures and enters its own city's values; a county bureau reads its
own subtree; institutes and enterprises get 403; anonymous users are sent to the login page."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from tests.conftest import web_client_for

from jiliang.kpi import services

ROLES = ["province", "suzhou", "kunshan", "xuanwu", "institute", "enterprise", "anonymous"]


def urls(plan, evidence_pk):
    public = plan.indicators.get(code="7").pk
    internal = plan.indicators.get(code="S12.1").pk
    entered = plan.indicators.get(code="8.1").pk
    return {
        "live": reverse("kpi:live"),
        "indicator": reverse("kpi:indicator", args=[public]),
        "indicator-province": reverse("kpi:indicator", args=[public]) + "?region=320000",
        "indicator-internal-province": reverse("kpi:indicator", args=[internal]) + "?region=320000",
        "indicator-suzhou": reverse("kpi:indicator", args=[public]) + "?region=320500",
        "indicator-kunshan": reverse("kpi:indicator", args=[public]) + "?region=320583",
        "indicator-nanjing": reverse("kpi:indicator", args=[public]) + "?region=320100",
        "drill-province": reverse("kpi:drill", args=[public]) + "?region=320000",
        "drill-kunshan": reverse("kpi:drill", args=[public]) + "?region=320583",
        "drill-xuanwu": reverse("kpi:drill", args=[public]) + "?region=320102",
        "drill-entered-suzhou": reverse("kpi:drill", args=[entered]) + "?region=320500",
        "evidence-suzhou": reverse("kpi:evidence", args=[evidence_pk]),
        "scorecards": reverse("kpi:scorecards"),
        "documents": reverse("kpi:documents"),
        "document-add": reverse("kpi:document-add"),
        "plans": reverse("kpi:plans"),
        "plan": reverse("kpi:plan", args=[plan.code]),
        "plan-upload": reverse("kpi:plan-upload"),
    }


OK, NO = 200, 403
EXPECTED = {
    #                             province suzhou kunshan xuanwu
    "live":                        (OK, OK, OK, OK),
    "indicator":                   (OK, OK, OK, OK),
    "indicator-province":          (OK, OK, OK, OK),  # a public indicator's province row
    "indicator-internal-province": (OK, NO, NO, NO),
    "indicator-suzhou":            (OK, OK, NO, NO),
    "indicator-kunshan":           (OK, OK, OK, NO),
    "indicator-nanjing":           (OK, NO, NO, NO),
    "drill-province":              (OK, OK, OK, OK),
    "drill-kunshan":               (OK, OK, OK, NO),
    "drill-xuanwu":                (OK, NO, NO, OK),
    "drill-entered-suzhou":        (OK, OK, NO, NO),
    "evidence-suzhou":             (OK, OK, 404, 404),
    "scorecards":                  (OK, OK, OK, OK),
    "documents":                   (OK, OK, OK, OK),
    "document-add":                (OK, NO, NO, NO),
    "plans":                       (OK, OK, OK, OK),
    "plan":                        (OK, OK, OK, OK),
    "plan-upload":                 (OK, NO, NO, NO),
}


@pytest.fixture
def suzhou_evidence(world, plan):
    return services.enter_value(plan.indicators.get(code="8.1"), region="320500", on=dt.date(2016, 1, 1), value="3",
                                document_number="苏市监〔2016〕3号", document_date=dt.date(2016, 1, 2),
                                attachment=SimpleUploadedFile("e.pdf", b"%PDF-1.4 x", content_type="application/pdf"),
                                actor=world.users["suzhou"])


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(world, plan, suzhou_evidence, role):
    user = world.users[role]
    client = web_client_for(user)
    for name, url in urls(plan, suzhou_evidence.pk).items():
        r = client.get(url)
        if role == "anonymous":
            assert r.status_code == 302 and "/login/" in r["Location"], (name, r.status_code)
        elif role in ("institute", "enterprise"):
            assert r.status_code == 403, (name, r.status_code)
        else:
            expected = EXPECTED[name][["province", "suzhou", "kunshan", "xuanwu"].index(role)]
            assert r.status_code == expected, (role, name, r.status_code)


def test_what_each_bureau_sees_on_the_live_page(world, plan):
    live = {role: web_client_for(world.users[role]).get(reverse("kpi:live")) for role in ("province", "suzhou",
                                                                                          "kunshan")}
    assert {x["region"] for x in live["province"].context["rows"]} == {"320000"}
    assert len(live["province"].context["city_rows"]) == 13
    for role, own in (("suzhou", "320500"), ("kunshan", "320583")):
        rows = live[role].context["rows"]
        assert {x["region"] for x in rows} == {own, "320000"}
        province_codes = {x["code"] for x in rows if x["region"] == "320000"}
        assert "S12.1" not in province_codes and "7" in province_codes  # only the public figures of the province
        assert len([x for x in rows if x["region"] == own]) == 26
        assert live[role].context["city_rows"] == []
        assert 'id="city-table"' not in live[role].content.decode()


def test_each_bureau_sees_only_its_cities_on_the_indicator_page_and_the_scorecards(world, plan):
    seven = plan.indicators.get(code="7")
    for role, cities in (("province", 13), ("suzhou", 1), ("kunshan", 0)):
        c = web_client_for(world.users[role])
        assert len(c.get(reverse("kpi:indicator", args=[seven.pk])).context["city_rows"]) == cities
        rows = c.get(reverse("kpi:scorecards")).context["rows"]
        assert len(rows) == cities
        if role == "suzhou":
            assert rows[0]["region"] == "320500"


def test_forms_are_shown_only_to_who_may_use_them(world, plan):
    entered = plan.indicators.get(code="8.1")
    url = reverse("kpi:indicator", args=[entered.pk])
    province = web_client_for(world.users["province"]).get(url).content.decode()
    suzhou = web_client_for(world.users["suzhou"]).get(url + "?region=320500").content.decode()
    kunshan = web_client_for(world.users["kunshan"]).get(url).content.decode()
    assert 'id="enter-form"' in province and 'id="target-form"' in province
    assert 'id="enter-form"' in suzhou and 'id="target-form"' not in suzhou
    assert 'id="enter-form"' not in kunshan and 'id="target-form"' not in kunshan
    k = web_client_for(world.users["kunshan"])
    assert k.post(url, {"action": "enter", "enter-region": "320583", "enter-value": "1"}).status_code == 403
    assert 'id="add-document"' not in web_client_for(world.users["suzhou"]).get(reverse("kpi:documents")).content.decode()
    assert 'id="upload-plan"' not in web_client_for(world.users["suzhou"]).get(reverse("kpi:plans")).content.decode()
