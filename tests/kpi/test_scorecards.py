"""City scorecards (§二十四, kpi/scores.py): jiliang's rule on hand-made values, the ranking, the incomplete cities,
a past year read from the snapshots of Dec 31, the page in both languages and its export."""

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from tests.conftest import web_client_for

from jiliang.kpi import scores, services
from jiliang.kpi.models import Snapshot


def test_the_rule_caps_each_achievement_and_needs_every_indicator():
    s = scores.score_city("a", [scores.Entry("A", D(45), D(90)), scores.Entry("B", D(200), D(100))])
    assert s.achievements == {"A": D("0.5"), "B": D(1)} and s.score == D("75.00")
    at_most = scores.score_city("b", [scores.Entry("C", D(20), D(10), at_least=False),
                                      scores.Entry("D", D(0), D(10), at_least=False)])
    assert at_most.score == D("75.00")
    assert scores.score_city("z", [scores.Entry("E", D(3), D(0))]).score == D("100.00")  # a target of 0 is met
    bad = scores.score_city("c", [scores.Entry("A", D(1), D(2)), scores.Entry("B", None, D(1)),
                                  scores.Entry("C", D(1), None), scores.Entry("F", None, D(1), failed=True)])
    assert bad.score is None and bad.missing == [("B", "no_value"), ("C", "no_target"), ("F", "failed")]
    ranked = scores.rank([scores.CityScore("d", D(50)), scores.CityScore("e", None, missing=[("A", "no_value")]),
                          scores.CityScore("f", D(75)), scores.CityScore("g", D(75)), scores.CityScore("h", D(90))])
    assert [(s.region, s.rank) for s in ranked] == [("h", 1), ("f", 2), ("g", 2), ("d", 4), ("e", None)]


PLAN = """
[plan]
code = "test-scores"
name = "测试考核规划"
name_en = "Scorecard test plan"
issuer = "测试"
region = "320000"
starts_on = 2021-01-01
ends_on = 2030-12-31

[[indicator]]
code = "A"
name = "甲类受检率"
name_en = "Rate A"
definition = "甲"
unit = "%"
source = "entered"
entered_note = "counted by hand"
city_assessment = true
targets = [ { region = "cities", year = 2030, value = 90 } ]

[[indicator]]
code = "B"
name = "乙类投诉数"
name_en = "Complaints B"
definition = "乙"
unit = "家"
direction = "at_most"
source = "entered"
entered_note = "counted by hand"
city_assessment = true
targets = [ { region = "cities", year = 2030, value = 10 } ]

[[indicator]]
code = "C"
name = "丙"
name_en = "Not assessed C"
definition = "丙"
unit = "家"
source = "entered"
entered_note = "counted by hand"
targets = [ { region = "320000", year = 2030, value = 10 } ]
"""
# city: (A, B) entered mid-year; (A, B) of Jan 2 of the year after (not yet in the past year's Dec 31 snapshot)
VALUES = {"320500": (90, 5), "320200": (45, 20), "320100": (99, 20), "320400": (45, 10), "320300": (80, None)}


@pytest.fixture
def scored(world, plan):
    p = services.load_plan(PLAN.encode(), actor=world.users["province"])
    a, b = p.indicators.get(code="A"), p.indicators.get(code="B")
    last_year = dt.date.today().year - 1
    for city, (va, vb) in VALUES.items():
        for ind, v in ((a, va), (b, vb)):
            if v is None:
                continue
            services.enter_value(ind, region=city, on=dt.date(last_year, 6, 30), value=str(v), document_number=f"{city}-{ind.code}",
                                 document_date=dt.date(last_year, 7, 1), note="",
                                 attachment=SimpleUploadedFile("e.pdf", b"%PDF-1.4", content_type="application/pdf"),
                                 actor=world.users["province"])
    return p


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_scorecards_rank_the_cities_on_hand_made_values(world, scored, lang):
    c = web_client_for(world.users["province"])
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    r = c.get(reverse("kpi:scorecards"), {"plan": scored.code})
    assert r.status_code == 200 and r.context["year"] == dt.date.today().year and not r.context["past"]
    rows = r.context["rows"]
    assert len(rows) == 13
    top = [(x["region"], x["rank"], x["score"]) for x in rows[:4]]
    assert top == [("320500", 1, D("100.00")), ("320100", 2, D("75.00")), ("320400", 2, D("75.00")),
                   ("320200", 4, D("50.00"))]
    assert all(x["rank"] is None for x in rows[4:])
    xuzhou = next(x for x in rows if x["region"] == "320300")
    assert xuzhou["score"] is None and len(xuzhou["missing"]) == 1 and xuzhou["missing"][0].startswith("B ")
    html = r.content.decode()
    assert [len(x["cells"]) for x in rows] == [2] * 13  # C is not in the assessment
    if lang == "en":
        assert "Rate A" in html and "甲类受检率" not in html and "jiliang's rule" in html.replace("&#x27;", "'")
        assert "1 of 13" in html
    else:
        assert "甲类受检率" in html and "Rate A" not in html and "本系统的规则" in html
        assert "第 1 名（共 13 个）" in html


def test_a_past_year_reads_the_snapshots_of_december_31(world, scored):
    last_year = dt.date.today().year - 1
    a = scored.indicators.get(code="A")
    # a value entered afterwards, dated in the new year, does not change last year's scorecard
    services.enter_value(a, region="320200", on=dt.date(last_year + 1, 1, 2), value="90", document_number="late",
                         document_date=dt.date(last_year + 1, 1, 2),
                         attachment=SimpleUploadedFile("e.pdf", b"%PDF-1.4", content_type="application/pdf"),
                         actor=world.users["province"])
    c = web_client_for(world.users["province"])
    r = c.get(reverse("kpi:scorecards"), {"plan": scored.code, "year": str(last_year)})
    assert r.status_code == 200 and r.context["past"] and r.context["day"] == dt.date(last_year, 12, 31)
    wuxi = next(x for x in r.context["rows"] if x["region"] == "320200")
    assert wuxi["score"] == D("50.00") and wuxi["rank"] == 4
    assert Snapshot.objects.filter(indicator__plan=scored, on=dt.date(last_year, 12, 31)).count() == 3 * 13
    # this year it counts
    now = c.get(reverse("kpi:scorecards"), {"plan": scored.code})
    assert next(x for x in now.context["rows"] if x["region"] == "320200")["score"] == D("75.00")


def test_scorecards_export_and_bad_years(world, scored):
    c = web_client_for(world.users["province"])
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = c.get(reverse("kpi:scorecards"), {"plan": scored.code, "export": "xlsx"})
    assert r.status_code == 200
    rows = list(load_workbook(io.BytesIO(r.content), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 1 + 13
    assert rows[0][:3] == ("rank", "city", "score") and rows[0][-1].startswith("incomplete")
    assert rows[1][:3] == (1, "Suzhou", 100) and rows[-1][0] is None
    for bad in ("2019", "2031", "abc", str(2**64)):
        r = c.get(reverse("kpi:scorecards"), {"plan": scored.code, "year": bad})
        assert r.status_code == 400 and "year:" in r.content.decode(), bad
    # a city bureau sees its own row only, ranked among the 13
    own = web_client_for(world.users["suzhou"]).get(reverse("kpi:scorecards"), {"plan": scored.code})
    assert [(x["region"], x["rank"]) for x in own.context["rows"]] == [("320500", 1)]
    assert web_client_for(world.users["suzhou"]).get(reverse("kpi:scorecards"), {
        "plan": scored.code, "export": "xlsx"}).status_code == 200
