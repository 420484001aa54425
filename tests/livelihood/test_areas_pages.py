"""Pages and API of transformer areas: the list with flags and the Excel export, the area's page with the chart
data, the flagged meters and the model in words, in Chinese and English; the API with the latest estimate; and
the access matrix over the roles of ``lworld`` plus the power utility's own user."""

import io
import json
import re

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook
from tests.conftest import check_api_read, client_for, web_client_for

from jiliang.core.audit import audit_context

from . import areas_fixtures
from .areas_fixtures import FAULTS, METERS, ROLES, SEES, TODAY, build_area

aworld = areas_fixtures.aworld  # the fixture

pytestmark = pytest.mark.django_db


def test_area_list_with_flags_and_export(aworld):
    client = web_client_for(aworld.users["kunshan"])
    page = client.get(reverse("transformer-areas-list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert aworld.area.code in html and "国网昆山供电公司" in html
    row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{aworld.area.code}(?:(?!</tr>).)*</tr>", html, re.S).group(0)
    assert f">{METERS}<" in row and ">2<" in row
    flagged = client.get(reverse("transformer-areas-list"), {"flagged": "true"}).content.decode()
    assert aworld.area.code in flagged
    xlsx = client.get(reverse("transformer-areas-list"), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    rows = [r for r in sheet.iter_rows(values_only=True) if any(r)]
    assert len(rows) == 2 and rows[1][0] == aworld.area.code


@pytest.mark.parametrize("lang, words", [
    ("zh-hans", ["误差", "最大允许误差", "置信"]),
    ("en", ["Meter error estimate", "Flagged meters", "How the errors are estimated", "with 95 % confidence"]),
])
def test_area_page_in_both_languages(aworld, lang, words):
    client = web_client_for(aworld.users["power_ks"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    page = client.get(reverse("transformer-areas-detail", args=[aworld.area.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    for w in words:
        assert w in html, w
    flagged = re.findall(r'<tr data-instrument="(\d+)">', html)
    assert {int(pk) for pk in flagged} == {aworld.area_meters[i].pk for i in FAULTS}
    for i in FAULTS:  # links to the meters' instrument pages
        assert reverse("instruments-detail", args=[aworld.area_meters[i].pk]) in html
    chart = json.loads(re.search(r'<script id="data-area-errors" type="application/json">(.*?)</script>', html,
                                 re.S).group(1))
    assert len(chart) == METERS and sum(c["decision"] == "exceeds" for c in chart) == 2
    assert all(c["low"] < c["error"] < c["high"] for c in chart)
    assert "livelihood-areas.js" in html and "echarts.min.js" in html
    estimate = client.get(reverse("area-estimates-detail", args=[aworld.estimate.pk]))
    assert estimate.status_code == 200 and "data-area-errors" in estimate.content.decode()


def test_refused_estimate_shown_with_its_reason(lworld):
    import datetime as dt

    from jiliang.livelihood import area_services

    built = build_area(lworld, code="KS-T9", days=20)
    with audit_context(actor=lworld.admin, channel="command"):
        area_services.estimate_area(built.area, first_day=TODAY - dt.timedelta(days=20),
                                    last_day=TODAY - dt.timedelta(days=1))
    client = web_client_for(lworld.users["kunshan"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("transformer-areas-detail", args=[built.area.pk])).content.decode()
    assert 'id="estimate-refused"' in html and "data-area-errors" not in html
    assert "too few days: 20 usable periods for 25 unknowns (24 meters and the fixed loss): at least 35" in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = client.get(reverse("transformer-areas-detail", args=[built.area.pk])).content.decode()
    assert "天数太少：20 个可用时段" in html


def test_api_area_with_latest_estimate(aworld):
    client = client_for(aworld.users["power_ks"])
    listing = client.get(reverse("api:transformer-area-list")).json()
    assert listing["count"] == 1
    row = listing["results"][0]
    assert row["meter_count"] == METERS and row["latest_estimate"]["flagged"] == 2
    assert "results" not in row["latest_estimate"]
    detail = client.get(reverse("api:transformer-area-detail", args=[aworld.area.pk])).json()
    results = detail["latest_estimate"]["results"]
    assert len(results) == METERS
    assert {r["instrument"] for r in results if r["decision"] == "exceeds"} == \
        {aworld.area_meters[i].pk for i in FAULTS}
    assert {"error_pct", "u_pct", "low_pct", "high_pct", "mpe_pct"} <= set(results[0])
    flagged = client.get(reverse("api:area-estimate-list"), {"flagged": "true", "area": aworld.area.code}).json()
    assert [e["id"] for e in flagged["results"]] == [aworld.estimate.pk]


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(aworld, role):
    user = aworld.users.get(role)
    visible = role in SEES
    check_api_read(user, role, "api:transformer-area", aworld.area.pk, visible)
    check_api_read(user, role, "api:area-estimate", aworld.estimate.pk, visible)
    client = web_client_for(user)
    for name, pk in (("transformer-areas", aworld.area.pk), ("area-estimates", aworld.estimate.pk)):
        detail = client.get(reverse(f"{name}-detail", args=[pk]))
        listing = client.get(reverse(f"{name}-list"))
        if role == "anonymous":
            assert detail.status_code == 302 and listing.status_code == 302
            continue
        assert detail.status_code == (200 if visible else 404)
        assert listing.status_code == 200
        assert (reverse(f"{name}-detail", args=[pk]) in listing.content.decode()) == visible
