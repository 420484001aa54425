"""Early warning of lapsing standards (traceability/lapsing.py): what lapses, the dependants, notices once, the
list page (both languages, Excel) and the API over the roles."""

import datetime as dt
import io

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook
from tests.conftest import client_for, web_client_for
from tests.traceability.impact_fixtures import icase  # noqa: F401

from jiliang.registry.models import MeasurementStandard
from jiliang.traceability import lapsing
from jiliang.traceability.models import LapseKind, StandardWarning
from jiliang.verification.models import Notification


@pytest.fixture
def lapse(icase):  # noqa: F811
    """The provincial E2 weights' assessment certificate lapses in 30 days; Nanjing's F1 calibration (355 days) is
    outside the 60-day window, inside a 400-day one."""
    MeasurementStandard.objects.filter(pk=icase.w.standard_p.pk).update(valid_until=icase.today + dt.timedelta(days=30))
    return icase


def test_what_lapses_and_what_depends(lapse):
    rows = lapsing.lapsing(MeasurementStandard.objects.all(), lapse.today)
    got = {(r.standard.pk, r.kind): r for r in rows}
    assert set(got) == {(lapse.w.standard_p.pk, LapseKind.ASSESSMENT)}
    r = got[(lapse.w.standard_p.pk, LapseKind.ASSESSMENT)]
    # in force today: the Kunshan certificate and the old Kunshan record (valid 365 days from today-200) under the
    # E2 weights, Nanjing's F1 weights and the two Xuanwu records under them: Kunshan and Xuanwu scales, one standard
    assert (r.days_left, r.instruments, r.standards) == (30, 2, 1)
    wide = lapsing.lapsing(MeasurementStandard.objects.all(), lapse.today, days=400)
    assert (lapse.w.standard_nj.pk, LapseKind.CALIBRATION) in {(r.standard.pk, r.kind) for r in wide}


def test_notices_once_per_lapse(lapse):
    w = lapse.w
    assert lapsing.send_warnings(lapse.today) == 1
    note = Notification.objects.filter(organisation=w.inst_p).latest("pk")
    assert "E2级砝码标准装置" in note.message and "2" in note.message
    n = Notification.objects.count()
    assert lapsing.send_warnings(lapse.today) == 0  # the next day's run sends nothing new
    assert lapsing.send_warnings(lapse.today + dt.timedelta(days=1)) == 0
    assert Notification.objects.count() == n
    # renewed, then lapsing again on another date: warned again
    MeasurementStandard.objects.filter(pk=w.standard_p.pk).update(valid_until=lapse.today + dt.timedelta(days=50))
    assert lapsing.send_warnings(lapse.today) == 1
    assert StandardWarning.objects.count() == 2


def test_the_setting(lapse, settings):
    settings.JILIANG_TRACEABILITY_WARNING_DAYS = 10
    assert lapsing.lapsing(MeasurementStandard.objects.all(), lapse.today) == []


def test_the_daily_task(lapse):
    from jiliang.core.extending import contributed
    from jiliang.core.jobs.slots import Schedule

    assert "traceability-warnings" in {s.name for s in contributed(Schedule)}
    slot = dt.datetime.combine(lapse.today, dt.time(1, 0), tzinfo=dt.timezone(dt.timedelta(hours=8)))
    lapsing.warnings_daily.call(slot.isoformat())
    assert StandardWarning.objects.filter(standard=lapse.w.standard_p).exists()


# role → sees the provincial standard's warning (institute region 320000)
SEES = {"province": True, "suzhou": False, "kunshan": False, "xuanwu": False, "institute": True,
        "enterprise": False, "anonymous": False}


@pytest.mark.parametrize("role", list(SEES))
def test_api_and_page_by_role(lapse, role):
    user = lapse.w.users[role]
    r = client_for(user).get(reverse("api:traceability-warnings-list"))
    page = web_client_for(user).get("/traceability/warnings/")
    if role == "anonymous":
        assert r.status_code in (401, 403) and page.status_code == 302
        return
    shown = {row["standard"] for row in r.json()["results"]}
    assert (lapse.w.standard_p.pk in shown) == SEES[role]
    assert (f'data-standard="{lapse.w.standard_p.pk}"' in page.content.decode()) == SEES[role]


@pytest.mark.parametrize("lang, word", [("zh-hans", "即将到期的计量标准"), ("en", "Standards lapsing soon")])
def test_page_languages_and_excel(lapse, lang, word):
    c = web_client_for(lapse.w.users["province"])
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    assert word in c.get("/traceability/warnings/").content.decode()
    data = c.get("/traceability/warnings/?days=400&export=xlsx").content
    rows = list(load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))
    # within 400 days: both standards' assessment certificates (30 and ~390 days) and calibrations (265, 355)
    assert len(rows) == 1 + 4 and {r[0] for r in rows[1:]} == {"E2级砝码标准装置", "F1级砝码标准装置"}
    assert client_for(lapse.w.users["province"]).get(reverse("api:traceability-warnings-list"),
                                                     {"days": "x"}).status_code == 400
