"""The kpi pages (views.py) in Chinese and English: the live page with its Excel export, an indicator with its
forms (entered value with and without evidence, target), the drill-down and its export, documents and plans."""

import datetime as dt
import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook
from tests.conftest import web_client_for

from jiliang.kpi import services
from jiliang.kpi.models import EnteredValue, Plan, PlanDocument, Target

TODAY = dt.date.today()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def client_in(user, lang="zh-hans"):
    c = web_client_for(user)
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return c


def sheet_rows(response, index=0) -> list[tuple]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content), read_only=True)
    return list(wb.worksheets[index].iter_rows(values_only=True))


def evidence(name="notice.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_live_page_shows_every_indicator_in_the_readers_language(world, plan, lang):
    r = client_in(world.users["province"], lang).get(reverse("kpi:live"), {"plan": plan.code})
    assert r.status_code == 200
    html = r.content.decode()
    rows = r.context["rows"]
    assert len(rows) == plan.indicators.count() == 26
    assert {x["region"] for x in rows} == {"320000"}
    seven = plan.indicators.get(code="7")
    if lang == "en":
        assert seven.name_en in html and seven.name not in html and "Indicator vs target" in html
    else:
        assert seven.name in html and seven.name_en not in html and "指标与目标" in html
        assert 'data-target="目标值"' in html  # the chart's target line: the plan's, not a campaign's (抽查对象)
    assert 'id="chart-vs-target"' in html and 'id="data-sparks"' in html
    # the city table: 13 cities, one cell per indicator in city assessment
    assessed = list(plan.indicators.filter(city_assessment=True).values_list("code", flat=True))
    assert len(r.context["city_rows"]) == 13
    assert all(len(c["cells"]) == len(assessed) for c in r.context["city_rows"])
    assert html.count('<tr data-region="32') >= 13


def test_a_failed_indicator_shows_failed_with_its_reason_never_0(world, plan):
    ind = plan.indicators.get(code="1.1")
    ind.params = {"kind": "no-such-kind"}
    ind.save()
    r = client_in(world.users["province"], "en").get(reverse("kpi:live"), {"plan": plan.code})
    row = next(x for x in r.context["rows"] if x["code"] == "1.1")
    assert row["status"] == "failed" and row["value"] is None and "no-such-kind" in row["reason"]
    html = r.content.decode()
    assert "no-such-kind" in html and 'data-status="failed"' in html


def test_the_live_page_reads_a_past_date_and_the_status_of_an_entered_value(world, plan):
    ind = plan.indicators.get(code="8.1")  # entered, target 5000 by 2020 from 0 on 2014-01-01
    services.enter_value(ind, region="320000", on=dt.date(2017, 6, 30), value="3000", document_number="苏质监〔2017〕9号",
                         document_date=dt.date(2017, 7, 1), attachment=evidence(), actor=world.users["province"])
    r = client_in(world.users["province"]).get(reverse("kpi:live"), {"plan": plan.code, "on": "2017-12-31"})
    row = next(x for x in r.context["rows"] if x["code"] == "8.1")
    assert row["value_text"] == "3,000" and row["target"] == "5,000" and row["target_year"] == 2020
    # the straight line from 0 (2014-01-01) to 5000 (2020-12-31) on 2017-12-31: 5000 × 1460/2556
    assert row["expected"] == "2,856.03" and row["status"] == "on_track"
    earlier = client_in(world.users["province"]).get(reverse("kpi:live"), {"plan": plan.code, "on": "2017-06-29"})
    assert next(x for x in earlier.context["rows"] if x["code"] == "8.1")["status"] == "no_value"


@pytest.mark.parametrize("bad", ["2017-13-01", "yesterday", "2017-2-3", "9999-12-31", "2017-12-31x"])
def test_a_bad_date_is_a_clear_message(world, plan, bad):
    for name, args in (("kpi:live", []), ("kpi:indicator", [plan.indicators.first().pk]),
                       ("kpi:drill", [plan.indicators.get(code="1.1").pk])):
        r = client_in(world.users["province"], "en").get(reverse(name, args=args), {"on": bad})
        assert r.status_code == 400, (name, bad)
        assert "on:" in r.content.decode() and 'id="bad-parameter"' in r.content.decode()


def test_an_unknown_plan_is_a_clear_message(world, plan):
    r = client_in(world.users["province"], "en").get(reverse("kpi:live"), {"plan": "no-such-plan"})
    assert r.status_code == 400 and "no-such-plan" in r.content.decode()


def test_huge_or_unknown_region_and_id_are_404(world, plan):
    c = client_in(world.users["province"], "en")
    ind = plan.indicators.get(code="1.1")
    huge = str(2**64 + 5)
    for name in ("kpi:indicator", "kpi:drill"):
        assert c.get(reverse(name, args=[ind.pk]), {"region": huge}).status_code == 404
        assert c.get(reverse(name, args=[ind.pk]), {"region": "329999"}).status_code == 404
        assert c.get(reverse(name, args=[ind.pk]), {"region": "32'; --"}).status_code == 404
        assert c.get(reverse(name, args=[huge])).status_code == 404
        assert c.get(reverse(name, args=["abc"])).status_code == 404
    assert c.get(reverse("kpi:evidence", args=[huge])).status_code == 404


def test_live_export_has_a_row_per_indicator_and_per_city_cell(world, plan):
    c = client_in(world.users["province"], "en")
    r = c.get(reverse("kpi:live"), {"plan": plan.code, "export": "xlsx"})
    rows = sheet_rows(r)
    assert rows[0][:4] == ("region", "code", "indicator", "value")
    assert len(rows) == 1 + 26
    assert {row[1] for row in rows[1:]} == set(plan.indicators.values_list("code", flat=True))
    assessed = plan.indicators.filter(city_assessment=True).count()
    assert len(sheet_rows(r, 1)) == 1 + 13 * assessed
    seven = next(row for row in rows[1:] if row[1] == "7")  # numbers as numbers, so that a reader can add them up
    assert all(isinstance(v, int | float) for v in (seven[5], seven[6], seven[7])), seven
    # a city bureau: its own 26 and the province's public figures
    rows = sheet_rows(client_in(world.users["suzhou"], "en").get(reverse("kpi:live"), {"export": "xlsx"}))
    public = plan.indicators.filter(public=True).count()
    assert len(rows) == 1 + 26 + public
    assert public < 26  # S12.1 is internal


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_indicator_page(world, plan, lang):
    ind = plan.indicators.get(code="7")
    r = client_in(world.users["province"], lang).get(reverse("kpi:indicator", args=[ind.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    assert escape(ind.definition) in html and escape(ind.definition_en) in html
    assert (ind.name_en if lang == "en" else ind.name) in html
    assert ("Verification rate of key supervised" in html) == (lang == "en")
    assert len(r.context["city_rows"]) == 13
    assert 'id="chart-trend"' in html and 'id="target-form"' in html and 'id="enter-form"' not in html  # computed
    assert reverse("kpi:drill", args=[ind.pk]) in html
    assert len(r.context["targets"]) == 1 + 13  # the province and "cities"


def test_entering_a_value_names_each_missing_field(world, plan):
    ind = plan.indicators.get(code="8.1")
    c = client_in(world.users["province"], "en")
    url = reverse("kpi:indicator", args=[ind.pk])
    r = c.post(url, {"action": "enter", "enter-region": "320000", "enter-value": "12"})
    assert r.status_code == 400
    errors = r.context["enter_form"].errors
    assert set(errors) == {"on", "document_number", "document_date", "attachment"}
    html = r.content.decode()
    for field in ("on", "document_number", "document_date", "attachment"):
        assert f'data-field="{field}"' in html
    assert "Attach the document" in html
    assert not EnteredValue.objects.exists()
    r = c.post(url, {"action": "enter", "enter-region": "320000", "enter-value": "abc", "enter-on": "2016-05-01",
                     "enter-document_number": "N1", "enter-document_date": "2016-05-02",
                     "enter-attachment": evidence()})
    assert r.status_code == 400 and set(r.context["enter_form"].errors) == {"value"}
    r = c.post(url, {"action": "enter", "enter-region": "320000", "enter-value": "1200", "enter-on": "2016-05-01",
                     "enter-document_number": "苏质监〔2016〕1号", "enter-document_date": "2016-05-02",
                     "enter-attachment": evidence()})
    assert r.status_code == 302
    ev = EnteredValue.objects.get()
    assert ev.value == 1200 and ev.region_id == "320000" and ev.entered_by == world.users["province"]
    page = c.get(url).content.decode()
    assert "苏质监〔2016〕1号" in page and reverse("kpi:evidence", args=[ev.pk]) in page
    download = c.get(reverse("kpi:evidence", args=[ev.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_a_city_enters_its_own_value_and_sees_only_its_evidence(world, plan):
    ind = plan.indicators.get(code="8.1")
    sz = client_in(world.users["suzhou"], "en")
    url = reverse("kpi:indicator", args=[ind.pk])
    page = sz.get(url)
    assert [c for c, _n in page.context["enter_form"].fields["region"].choices] == ["320500"]
    assert page.context["target_form"] is None
    r = sz.post(url, {"action": "enter", "enter-region": "320000", "enter-value": "5", "enter-on": "2016-05-01",
                      "enter-document_number": "N", "enter-document_date": "2016-05-02",
                      "enter-attachment": evidence()})
    assert r.status_code == 400 and "region" in r.context["enter_form"].errors
    r = sz.post(url, {"action": "enter", "enter-region": "320500", "enter-value": "40", "enter-on": "2016-05-01",
                      "enter-document_number": "苏市监〔2016〕2号", "enter-document_date": "2016-05-02",
                      "enter-attachment": evidence()})
    assert r.status_code == 302
    mine = EnteredValue.objects.get(region_id="320500")
    theirs = services.enter_value(ind, region="320000", on=dt.date(2016, 1, 1), value="9", document_number="P",
                                  document_date=dt.date(2016, 1, 1), attachment=evidence(),
                                  actor=world.users["province"])
    assert sz.get(reverse("kpi:evidence", args=[mine.pk])).status_code == 200
    assert sz.get(reverse("kpi:evidence", args=[theirs.pk])).status_code == 404
    assert client_in(world.users["kunshan"]).get(reverse("kpi:evidence", args=[mine.pk])).status_code == 404
    assert client_in(world.users["xuanwu"]).get(reverse("kpi:evidence", args=[mine.pk])).status_code == 404
    # a city cannot post a target
    assert sz.post(url, {"action": "target", "target-region": "320500", "target-year": "2020",
                         "target-value": "1"}).status_code == 403


def test_the_province_sets_a_target_with_errors_by_field(world, plan):
    ind = plan.indicators.get(code="8.1")
    c = client_in(world.users["province"], "en")
    url = reverse("kpi:indicator", args=[ind.pk])
    r = c.post(url, {"action": "target", "target-region": "320500", "target-year": "2020", "target-value": "x"})
    assert r.status_code == 400 and set(r.context["target_form"].errors) == {"value"}
    r = c.post(url, {"action": "target", "target-region": "320500", "target-value": "10"})
    assert r.status_code == 400 and set(r.context["target_form"].errors) == {"year"}
    r = c.post(url, {"action": "target", "target-region": "320500", "target-year": "2020", "target-value": "600",
                     "target-baseline": "0"})
    assert r.status_code == 400 and set(r.context["target_form"].errors) == {"baseline_on"}
    r = c.post(url, {"action": "target", "target-region": "320500", "target-year": "2020", "target-value": "600",
                     "target-baseline": "0", "target-baseline_on": "2014-01-01"})
    assert r.status_code == 302
    t = Target.objects.get(indicator=ind, region_id="320500", year=2020)
    assert t.value == 600 and t.baseline == 0


def test_drill_page_and_its_export_count_the_value(world, plan):
    ind = plan.indicators.get(code="1.4")  # technical specifications
    for n in range(7):
        services.add_document(number=f"JJF(苏) {100 + n}-2016", title=f"规范{n}", kind="technical_spec",
                              issuer="江苏省质量技术监督局", issued_on=dt.date(2016, 3, 1 + n), region="320000",
                              actor=world.users["province"])
    c = client_in(world.users["province"], "en")
    r = c.get(reverse("kpi:drill", args=[ind.pk]))
    assert r.status_code == 200 and r.context["total"] == 7 and len(r.context["rows"]) == 7
    assert "7 of 7 shown" in r.content.decode()
    rows = sheet_rows(c.get(reverse("kpi:drill", args=[ind.pk]), {"export": "xlsx"}))
    assert len(rows) - 1 == r.context["total"] == 7
    live = c.get(reverse("kpi:live"), {"plan": plan.code})
    assert next(x for x in live.context["rows"] if x["code"] == "1.4")["value_text"] == "7"
    # indicator 7 on the world's instruments: the export has as many rows as the drill's total
    seven = plan.indicators.get(code="S14")
    r = c.get(reverse("kpi:drill", args=[seven.pk]), {"on": "2026-06-30"})
    assert r.status_code == 200
    assert len(sheet_rows(c.get(reverse("kpi:drill", args=[seven.pk]), {"on": "2026-06-30", "export": "xlsx"}))) \
        - 1 == r.context["total"]


def test_drill_of_an_entered_indicator_lists_the_entered_values(world, plan):
    ind = plan.indicators.get(code="8.1")
    for day in (dt.date(2015, 1, 1), dt.date(2016, 1, 1)):
        services.enter_value(ind, region="320000", on=day, value="10", document_number=f"D{day.year}",
                             document_date=day, attachment=evidence(), actor=world.users["province"])
    r = client_in(world.users["province"], "en").get(reverse("kpi:drill", args=[ind.pk]), {"on": "2015-06-30"})
    assert r.status_code == 200 and r.context["entered"] and r.context["total"] == 1
    assert "D2015" in r.content.decode() and "D2016" not in r.content.decode()


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_documents_list_filters_export_and_add(world, plan, lang):
    c = client_in(world.users["province"], lang)
    services.add_document(number="苏人大〔2016〕1号", title="江苏省计量监督管理条例", kind="regulation", issuer="江苏省人大常委会",
                          issued_on=dt.date(2016, 6, 1), region="320000", revision=True, actor=world.users["province"])
    r = c.post(reverse("kpi:document-add"), {"number": "", "title": "", "kind": "", "issuer": "", "region": "320000"})
    assert r.status_code == 400
    assert set(r.context["form"].errors) == {"number", "title", "kind", "issuer", "issued_on"}
    r = c.post(reverse("kpi:document-add"), {"number": "JJF(苏) 200-2018", "title": "出租车计价器检定规范",
                                            "kind": "technical_spec", "issuer": "江苏省质量技术监督局",
                                            "issued_on": "2018-05-01", "region": "320000"})
    assert r.status_code == 302
    page = c.get(reverse("kpi:documents"))
    assert page.context["count"] == 2
    assert ("local metrology technical specification" in page.content.decode()) == (lang == "en")
    assert c.get(reverse("kpi:documents"), {"kind": "regulation"}).context["count"] == 1
    assert c.get(reverse("kpi:documents"), {"year": "2018"}).context["count"] == 1
    assert c.get(reverse("kpi:documents"), {"year": str(2**64)}).status_code == 400
    assert c.get(reverse("kpi:documents"), {"kind": "poem"}).status_code == 400
    rows = sheet_rows(c.get(reverse("kpi:documents"), {"export": "xlsx", "kind": "technical_spec"}))
    assert len(rows) == 2 and rows[1][0] == "JJF(苏) 200-2018"
    assert PlanDocument.objects.count() == 2


BAD_PLAN = """
[plan]
code = "test-bad"
name = "测试规划"
name_en = "Test plan"
issuer = "测试"
region = "320000"
starts_on = 2021-01-01
ends_on = 2025-12-31

[[indicator]]
code = "A"
name = "甲"
name_en = "A"
definition = "甲"
unit = "%"
source = "entered"
entered_note = "kept on paper"
targets = [ { region = "329999", year = 2025, value = 90 } ]

[[indicator]]
code = "A"
name = "乙"
name_en = "B"
definition = "乙"
unit = "%"
source = "entered"
entered_note = "kept on paper"
"""


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_plans_list_detail_and_a_bad_upload_lists_every_problem(world, plan, lang):
    c = client_in(world.users["province"], lang)
    page = c.get(reverse("kpi:plans"))
    assert page.status_code == 200 and (plan.name_en if lang == "en" else plan.name) in page.content.decode()
    detail = c.get(reverse("kpi:plan", args=[plan.code]))
    assert detail.status_code == 200 and len(detail.context["rows"]) == 26
    assert (plan.indicators.get(code="7").name_en in detail.content.decode()) == (lang == "en")
    r = c.post(reverse("kpi:plan-upload"), {"file": SimpleUploadedFile("p.toml", BAD_PLAN.encode())})
    assert r.status_code == 400
    problems = r.context["problems"]
    assert len(problems) == 2, problems
    assert any("329999" in p and "not a current" in p for p in problems), problems
    assert any("code A is used again" in p for p in problems), problems
    html = r.content.decode()
    assert 'id="plan-problems"' in html and html.count("<li>") >= 2
    assert not Plan.objects.filter(code="test-bad").exists()
    good = BAD_PLAN.replace("329999", "320500").replace('code = "A"\nname = "乙"', 'code = "B"\nname = "乙"')
    r = c.post(reverse("kpi:plan-upload"), {"file": SimpleUploadedFile("p.toml", good.encode())})
    assert r.status_code == 302 and Plan.objects.get(code="test-bad").indicators.count() == 2


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_no_word_of_the_other_language_on_the_kpi_pages(world, plan, lang):
    """The language walk of tests/core/test_language_walk.py, over the kpi pages (namespaced, so not in its walk)."""
    from tests.core.test_language_walk import data_strings, format_leaks, leaks, visible_text

    ind = plan.indicators.get(code="8.1")
    services.enter_value(ind, region="320000", on=dt.date(2016, 6, 30), value="2500", document_number="苏质监〔2016〕5号",
                         document_date=dt.date(2016, 7, 1), attachment=evidence(), actor=world.users["province"])
    services.add_document(number="JJF(苏) 1-2016", title="规范", kind="technical_spec", issuer="江苏省质量技术监督局",
                          issued_on=dt.date(2016, 3, 1), region="320000", actor=world.users["province"])
    data = data_strings()
    found = {}
    for role in ("province", "suzhou", "kunshan"):
        c = client_in(world.users[role], lang)
        pages = [reverse("kpi:live"), reverse("kpi:live") + "?on=2017-12-31", reverse("kpi:scorecards"),
                 reverse("kpi:scorecards") + "?year=2017", reverse("kpi:documents"), reverse("kpi:plans"),
                 reverse("kpi:plan", args=[plan.code]), reverse("home"), reverse("kpi:live") + "?on=2017-13-01"]
        pages += [reverse("kpi:indicator", args=[i.pk]) for i in plan.indicators.filter(code__in=["1.4", "7", "8.1"])]
        pages += [reverse("kpi:drill", args=[i.pk]) for i in plan.indicators.filter(code__in=["1.4", "7", "8.1"])]
        if role == "province":
            pages += [reverse("kpi:document-add"), reverse("kpi:plan-upload")]
        for url in pages:
            r = c.get(url)
            assert r.status_code in (200, 400), (url, r.status_code)
            text = visible_text(r.content.decode())
            words = set(leaks(text, lang, data) + format_leaks(text))
            if words:
                found[f"{role} {url}"] = sorted(set(words))
    assert not found, found


def test_the_home_panel_counts_the_latest_snapshot(world, plan):
    c = client_in(world.users["province"], "en")
    assert 'id="kpi-no-snapshot"' in c.get(reverse("home")).content.decode()
    ind = plan.indicators.get(code="8.1")
    services.enter_value(ind, region="320000", on=dt.date(2016, 6, 30), value="5000", document_number="N",
                         document_date=dt.date(2016, 7, 1), attachment=evidence(), actor=world.users["province"])
    services.take_snapshots(plan, dt.date(2016, 12, 31), regions=["320000"])
    r = c.get(reverse("home"))
    html = r.content.decode()
    assert 'id="kpi-panel"' in html and "snapshot of 2016-12-31" in html
    expected = {"met": 0, "on_track": 0, "behind": 0}
    from jiliang.kpi import values

    for reading in values.stored(plan.indicators.all(), ["320000"], dt.date(2016, 12, 31)).values():
        if reading.status in expected:
            expected[reading.status] += 1
    assert expected["met"] >= 1  # 8.1 reached its 5000
    for key, n in expected.items():
        assert f'data-status="{key}"><div class="h3' in html
        assert html.split(f'data-status="{key}">', 1)[1].split("</div>", 1)[0].endswith(f">{n}"), (key, n)
    # not for institutes
    assert 'id="kpi-panel"' not in client_in(world.users["institute"], "en").get(reverse("home")).content.decode()
