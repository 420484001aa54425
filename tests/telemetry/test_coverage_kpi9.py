"""KPI 9 as the plan means it (issue #9 item 10): the share of the listed key energy-consuming enterprises
whose data are collected online, counted as listed enterprises with completeness ≥ 90 % over the month ÷
listed enterprises (专栏1 indicator 9, "全省列入国家万家重点耗能企业能源资源计量数据实现实时、在线采集";
shared/reference/supervision-integrity-licensing.md §8; the 90 % completeness threshold of the national
online monitoring system, protocols-energy-dcc.md §4). And the dashboard's counts (issue #10 item 4): a
listed enterprise without a required point is 未接入 (not connected), not 离线.

The energy fixture: Kunshan (320583) with required points E-IN and W-IN (900 s) and the not-required E-SUB1;
Xuanwu (320102) with the required E-IN.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from tests.conftest import _org, web_client_for

from jiliang.core import services
from jiliang.core.audit import audit_context
from jiliang.registry import models as rm
from jiliang.telemetry import quality
from jiliang.telemetry.consumption import LOCAL
from jiliang.telemetry.models import PointRollup

NOV = dt.date(2026, 11, 1)
NOV_START = dt.datetime(2026, 11, 1, tzinfo=LOCAL)
NOV_DUE = 30 * 96  # readings due per 900 s point over November


def month_readings(point, n, start=NOV_START):
    PointRollup.objects.update_or_create(point=point, period="month", start=start, defaults={"readings": n})


@pytest.fixture
def listed_unconnected(energy):
    key = rm.Designation.objects.get(code="key-energy-consumer")
    with audit_context(actor=energy.world.admin, channel="command"):
        org = _org(energy.world.admin, "张家港无表钢铁有限公司", "enterprise", "320582", 77)
        services.update_record(org, {}, actor=energy.world.admin, m2m={"designations": [key]})
    return org


def test_coverage_counts_completeness_over_the_month(energy, listed_unconnected):
    after = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)
    month_readings(energy.e_in_ks, NOV_DUE)  # Kunshan: 2 × 2880 due, 2880 + 2300 received = 89.9 %
    month_readings(energy.w_in_ks, 2300)
    month_readings(energy.e_in_xw, int(0.9 * NOV_DUE))  # Xuanwu: exactly 90 %: covered
    province = energy.world.users["province"]
    report = quality.coverage(province, NOV, now=after)
    by_name = {e.enterprise.name: e for e in report.enterprises}
    ks, xw = by_name[energy.world.ent_ks.name], by_name[energy.world.ent_xw.name]
    assert (ks.received, ks.due) == (NOV_DUE + 2300, 2 * NOV_DUE) and not ks.covered
    assert (xw.received, xw.due) == (2592, NOV_DUE) and xw.covered
    assert by_name[listed_unconnected.name].due == 0 and not by_name[listed_unconnected.name].covered
    assert (report.total.listed, report.total.covered, report.total.not_connected) == (3, 1, 1)
    assert [(r.code, r.listed, r.covered) for r in report.regions] == [("320100", 1, 1), ("320500", 2, 0)]
    # the Suzhou city bureau sees its counties, the Kunshan bureau its own enterprise only
    suzhou = quality.coverage(energy.world.users["suzhou"], NOV, now=after)
    assert [(r.code, r.listed) for r in suzhou.regions] == [("320582", 1), ("320583", 1)]
    assert quality.coverage(energy.world.users["kunshan"], NOV, now=after).total.listed == 1
    assert quality.coverage(energy.world.users["enterprise"], NOV, now=after).total.listed == 1


def test_the_current_month_counts_what_was_due_until_now(energy):
    now = dt.datetime(2026, 11, 11, tzinfo=LOCAL)  # ten days into November: 960 due per point
    month_readings(energy.e_in_xw, 900)
    xw = [e for e in quality.coverage(energy.world.users["province"], NOV, now=now).enterprises
          if e.enterprise.pk == energy.world.ent_xw.pk][0]
    assert xw.due == 960 and xw.covered  # 93.75 %


def test_coverage_page_export_and_bad_months(energy, listed_unconnected):
    month_readings(energy.e_in_xw, NOV_DUE)
    client = web_client_for(energy.world.users["province"])
    page = client.get(reverse("energy-coverage"), {"month": "2026-11"})
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'id="coverage-counts">1 / 3<', html) and re.search(r'id="coverage-not-connected">1<', html)
    assert "张家港无表钢铁有限公司" in html[html.index('id="coverage-uncovered"'):]
    xlsx = client.get(reverse("energy-coverage"), {"month": "2026-11", "export": "xlsx"})
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(xlsx.content)).worksheets[0].iter_rows()]
    assert len(rows) == 4  # header and the three listed enterprises
    assert {r[0] for r in rows[1:]} == {energy.world.ent_ks.name, energy.world.ent_xw.name, "张家港无表钢铁有限公司"}
    future = (timezone.now().astimezone(LOCAL).date().replace(day=28) + dt.timedelta(days=10)).strftime("%Y-%m")
    for bad, says in (("2026-13", "YYYY-MM"), ("nov", "YYYY-MM"), (future, "将来"), ("1999-12", "最早")):
        response = client.get(reverse("energy-coverage"), {"month": bad})
        assert response.status_code == 400 and says in response.content.decode(), bad


@pytest.mark.parametrize("role", ["institute", "anonymous"])
def test_coverage_page_refuses_who_may_not_see_it(energy, role):
    user = energy.world.users[role]
    if user is None:
        from django.test import Client

        assert Client().get(reverse("energy-coverage")).status_code == 302  # to the login page
    else:
        page = web_client_for(user).get(reverse("energy-coverage")).content.decode()
        assert energy.world.ent_ks.name not in page and energy.world.ent_xw.name not in page


def test_dashboard_counts_not_connected_apart_from_offline(energy, listed_unconnected):
    client = web_client_for(energy.world.users["province"])
    html = client.get(reverse("energy-dashboard")).content.decode()
    assert re.search(r'id="not-connected-count">1<', html)
    assert re.search(r'id="offline-count">2<', html)  # Kunshan and Xuanwu never reported: offline, not 未接入
    table = html[html.index('id="city-table"'):]
    table = table[:table.index("</table>")]
    assert "苏州市" in table and "南京市" in table
