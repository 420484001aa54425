"""Home pages per role, built from the panels the apps contribute (#10 item 15), as a matrix: each role sees its
panels and only its own data, in Chinese and in English; empty panels say 暂无数据 / "No data"."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from lxml import html as lxml_html
from tests.conftest import _user, web_client_for
from tests.telemetry.conftest import energy  # noqa: F401
from tests.verification.fixtures import flow  # noqa: F401

from jiliang.core.roles import Role
from jiliang.supervision import state
from jiliang.supervision.models import VerificationEvent
from jiliang.telemetry.ingest import Group, directory, ingest
from jiliang.telemetry.parsing import RawReading
from jiliang.verification import services
from jiliang.verification.models import Certificate

EMPTY = {"zh-hans": "暂无数据", "en": "No data"}
TITLES = {  # a panel's title in each language
    "my-queue": {"zh-hans": "我的待办", "en": "My queue"},
    "supervision": {"zh-hans": "强制检定计量器具", "en": "Instruments under mandatory verification"},
    "bureau-energy": {"zh-hans": "重点用能单位在线", "en": "Key energy-consuming enterprises online"},
    "enterprise-instruments": {"zh-hans": "本单位计量器具", "en": "Our instruments"},
    "enterprise-requests": {"zh-hans": "未办结的检定申请", "en": "Open verification requests"},
    "enterprise-energy": {"zh-hans": "能源数据在线", "en": "Energy data online"},
}
BUREAU = ["registry-counts", "supervision", "kpi", "bureau-energy", "registry-charts", "recent-changes"]
COUNTY = ["registry-counts", "supervision", "complaints", "kpi", "bureau-energy", "registry-charts", "recent-changes"]
INSTITUTE = ["my-queue", "registry-counts", "recent-changes"]
ENTERPRISE = ["registry-counts", "enterprise-instruments", "enterprise-requests", "enterprise-energy", "recent-changes"]


@pytest.fixture
def home(flow, energy):  # noqa: F811
    """Kunshan: one order per step of the flow, a valid certificate, both required points reporting now.
    Xuanwu: an overdue certificate, an open request, its point silent."""
    w = flow.world
    h = flow
    h.energy = energy
    h.issued = flow.issued()  # Kunshan's price scale verified today: valid for a year
    h.scheduled = flow.to_scheduled(flow.request())
    h.measured = flow.to_measured(flow.request())
    h.checked = services.check(flow.to_measured(flow.request()), actor=flow.checker_user)
    h.requested = flow.request()
    xw = services.request_work(actor=energy.user_xw, owner=w.ent_xw, institute=w.inst_p, kind="verification",
                               items=[{"instrument": w.instrument_xw, "regulation": "JJG539-2016"}])
    h.to_approved(xw)
    [h.xw_cert] = services.issue_certificate(xw, actor=flow.institute_user)
    Certificate.objects.filter(pk=h.xw_cert.pk).update(valid_until=flow.today - dt.timedelta(days=3))
    # the institution set a validity that has ended: the event carries it (supervision reads events)
    VerificationEvent.objects.filter(certificate=h.xw_cert).update(next_due=flow.today - dt.timedelta(days=3))
    state.refresh([w.instrument_xw.pk])
    h.xw_open = services.request_work(actor=energy.user_xw, owner=w.ent_xw, institute=w.inst_p, kind="verification",
                                      items=[{"instrument": w.instrument_xw, "regulation": "JJG539-2016"}])
    now = timezone.now() - dt.timedelta(minutes=1)
    directory.clear()
    ingest([Group(w.ent_ks, [RawReading("row 1", "E-IN", now, Decimal(10)),
                             RawReading("row 2", "W-IN", now, Decimal(5))])], channel="file")
    h.users = {**w.users, "technician": flow.institute_user, "checker": flow.checker_user,
               "approver": flow.approver_user, "clerk": flow.clerk_user, "enterprise-xw": energy.user_xw,
               "changshu": _user("changshu", Role.COUNTY_BUREAU, "320581", w.bureau_sz)}
    return h


def _page(user, lang):
    client = web_client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return lxml_html.fromstring(response.content.decode())


def _panels(doc) -> list[str]:
    return doc.xpath("//section/@data-panel")


def _text(doc, panel: str) -> str:
    [section] = doc.xpath(f"//section[@data-panel='{panel}']")
    return " ".join(section.text_content().split())


def _rows(doc, panel: str, cls: str) -> list[str]:
    return [" ".join(r.text_content().split()) for r in
            doc.xpath(f"//section[@data-panel='{panel}']//tr[contains(@class, '{cls}')]")]


def _region_row(doc, code: str) -> list[str]:
    [row] = doc.xpath(f"//section[@data-panel='supervision']//tr[@data-region='{code}']")
    return [" ".join(td.text_content().split()) for td in row.xpath("td")]


def _titles(doc, panels, lang):
    for panel in panels:
        if panel in TITLES:
            assert TITLES[panel][lang] in _text(doc, panel), (panel, lang)


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_bureaus_see_what_they_supervise_and_nothing_else(home, lang):
    k = home.world.instrument_ks
    # columns: region, instruments, valid, due soon, overdue, failed, never verified, service life ended (supervision)
    province = _page(home.users["province"], lang)
    assert _panels(province) == BUREAU
    _titles(province, BUREAU, lang)
    # Suzhou: Kunshan's scale (valid) and its two energy meters (never verified)
    assert _region_row(province, "320500")[1:] == ["3", "1", "0", "0", "0", "2", "0"]
    assert _region_row(province, "320100")[1:] == ["1", "0", "0", "1", "0", "0", "0"]  # Nanjing: Xuanwu's, overdue
    assert province.xpath("//tr[@data-region='total']/td")[4].text_content().strip() == "1"
    assert province.get_element_by_id("energy-rate").text_content().strip() == "50.0 %"
    assert {r.get("data-region") for r in province.xpath("//tr[contains(@class, 'energy-city')]")} == \
        {"320100", "320500"}
    assert province.xpath("//div[@id='chart-status']") and province.xpath("//script[@id='data-category']")

    suzhou = _page(home.users["suzhou"], lang)
    assert _panels(suzhou) == BUREAU
    assert [r.get("data-region") for r in suzhou.xpath("//section[@data-panel='supervision']//tbody/tr")] == \
        ["320583"]  # by the counties below the city: only Kunshan has instruments
    assert suzhou.get_element_by_id("energy-rate").text_content().strip() == "100.0 %"

    for county, code, row, rate in (("kunshan", "320583", ["3", "1", "0", "0", "0", "2", "0"], "100.0 %"),
                                    ("xuanwu", "320102", ["1", "0", "0", "1", "0", "0", "0"], "0.0 %")):
        doc = _page(home.users[county], lang)
        assert _panels(doc) == COUNTY  # the county bureau decides on complaints from the public
        assert [r.get("data-region") for r in doc.xpath("//section[@data-panel='supervision']//tbody/tr")] == [code]
        assert _region_row(doc, code)[1:] == row
        assert doc.get_element_by_id("energy-rate").text_content().strip() == rate
        assert doc.get_element_by_id("count-instruments").text_content().strip() == row[0]
    assert str(k.serial_number) not in _text(_page(home.users["xuanwu"], lang), "recent-changes")


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_each_metrologist_sees_the_orders_waiting_for_their_own_step(home, lang):
    steps = {"zh-hans": {"measure": "检定", "check": "核验", "approve": "批准"},
             "en": {"measure": "measure", "check": "check", "approve": "approve"}}[lang]
    # Nobody checks or approves their own measurement, nor approves what they checked; any other qualified
    # metrologist of the institute may sign the step (so the approver may also check the measured order).
    expected = {"technician": [(home.scheduled, steps["measure"])], "checker": [(home.measured, steps["check"])],
                "approver": [(home.measured, steps["check"]), (home.checked, steps["approve"])]}
    for who, waiting in expected.items():
        doc = _page(home.users[who], lang)
        assert _panels(doc) == INSTITUTE
        _titles(doc, INSTITUTE, lang)
        rows = _rows(doc, "my-queue", "queue-row")
        assert len(rows) == len(waiting), (who, rows)
        for order, step in waiting:
            [row] = [r for r in rows if order.number in r]
            assert step in row, (who, row)
            url = reverse("work-orders-detail", args=[order.pk])
            assert doc.xpath(f"//section[@data-panel='my-queue']//a[@href='{url}']")
        footer = _text(doc, "my-queue")
        assert ("2" in footer) and (("accepted" in footer) if lang == "en" else ("受理" in footer))  # 2 requests
    clerk = _page(home.users["clerk"], lang)  # staff without a metrologist: nothing waits for their signature
    assert _rows(clerk, "my-queue", "queue-row") == [] and EMPTY[lang] in _text(clerk, "my-queue")


def test_the_queue_is_ordered_by_due_date(home):
    later = home.to_scheduled(home.request())
    services.schedule(later, actor=home.institute_user, date=home.today + dt.timedelta(days=9),
                      technician=home.technician)
    earlier = home.to_scheduled(home.request())
    services.schedule(earlier, actor=home.institute_user, date=home.today - dt.timedelta(days=2),
                      technician=home.technician)
    rows = _rows(_page(home.users["technician"], "en"), "my-queue", "queue-row")
    assert [next(n for n in (earlier.number, home.scheduled.number, later.number) if n in r) for r in rows] == \
        [earlier.number, home.scheduled.number, later.number]


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_an_enterprise_sees_its_instruments_requests_and_energy_only(home, lang):
    w = home.world
    ks = _page(home.users["enterprise"], lang)
    assert _panels(ks) == ENTERPRISE
    _titles(ks, ENTERPRISE, lang)
    rows = _rows(ks, "enterprise-instruments", "instrument-row")
    assert len(rows) == 3  # the scale, soonest due first, then the two meters never verified
    assert w.instrument_ks.serial_number in rows[0] and home.issued.valid_until.isoformat() in rows[0]
    assert ("valid" if lang == "en" else "有效") in rows[0]
    assert all(("never verified" if lang == "en" else "从未检定") in r for r in rows[1:])
    requests = _rows(ks, "enterprise-requests", "request-row")
    assert {home.scheduled.number, home.measured.number, home.checked.number, home.requested.number} == \
        {n for n in (home.scheduled.number, home.measured.number, home.checked.number, home.requested.number)
         if any(n in r for r in requests)}
    assert len(requests) == 4 and not any(home.xw_open.number in r for r in requests)
    assert ks.get_element_by_id("points-online").text_content().strip() == "2"
    assert ks.get_element_by_id("points-offline").text_content().strip() == "0"

    xw = _page(home.users["enterprise-xw"], lang)
    [row] = _rows(xw, "enterprise-instruments", "instrument-row")
    assert w.instrument_xw.serial_number in row and ("overdue" if lang == "en" else "超期未检") in row
    assert [home.xw_open.number in r for r in _rows(xw, "enterprise-requests", "request-row")] == [True]
    assert xw.get_element_by_id("points-offline").text_content().strip() == "1"
    late = _rows(xw, "enterprise-energy", "late-point")
    assert len(late) == 1 and "E-IN" in late[0] and ("never reported" if lang == "en" else "从未上报") in late[0]
    assert w.instrument_ks.serial_number not in xw.text_content()


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_empty_panels_say_no_data_never_bare_axes(home, lang):
    doc = _page(home.users["changshu"], lang)  # a county bureau with nothing in its county
    assert _panels(doc) == COUNTY
    for panel in ("supervision", "bureau-energy", "registry-charts"):
        assert EMPTY[lang] in _text(doc, panel), panel
    assert not doc.xpath("//*[@data-chart]") and not doc.xpath("//script[@id='data-status']")
    assert EMPTY[lang] not in _text(_page(home.users["province"], lang), "supervision")


def test_a_superuser_sees_the_province(home):
    assert _panels(_page(home.world.admin, "en")) == BUREAU
    doc = _page(home.world.admin, "zh-hans")
    assert _region_row(doc, "320100")[1:] == ["1", "0", "0", "1", "0", "0", "0"]


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_header_names_the_user_and_organisation_once(world):
    """The header reads "name · organisation", or the organisation alone when the account is named after it (a
    utility's shared account once read "苏州市自来水有限公司 · 苏州市自来水有限公司"); a bureau account shows its
    region; signed out, no user at all."""
    named = _user("王工", Role.ENTERPRISE, organisation=world.ent_ks)
    shared = _user("shared", Role.ENTERPRISE, organisation=world.ent_ks)
    shared.full_name = world.ent_ks.name
    shared.save()
    bureau = _user("昆山局", Role.COUNTY_BUREAU, region="320583")
    for lang in ("zh-hans", "en"):
        def header(user, lang=lang):
            return " ".join(_page(user, lang).xpath('//*[@id="nav-user"]')[0].text_content().split())

        assert header(named) == f"王工 · {world.ent_ks.name}"
        assert header(shared) == world.ent_ks.name
        assert header(bureau) == ("昆山局 · 苏州市 昆山市" if lang == "zh-hans" else "昆山局 · Kunshan, Suzhou")
        signed_out = web_client_for(None).get(reverse("login"), HTTP_ACCEPT_LANGUAGE=lang)
        assert signed_out.status_code == 200
        assert lxml_html.fromstring(signed_out.content.decode()).xpath('//*[@id="nav-user"]') == []
