"""The work order pages (issue 10 items 5, 6, 7, 16): the results form's point conditions (JJG 596 power factor),
units as symbols, standards offered by fit and validity, sending back, calibration points, the stepper and the
request form's instrument search."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from tests.conftest import web_client_for
from tests.verification.fixtures import METER_ROWS
from tests.verification.fixtures import post_meter_results as _post_meter
from verification_helpers import scale_points

from jiliang.core import services as core_services
from jiliang.registry import models as rm
from jiliang.verification import services
from jiliang.verification.models import WorkStatus

pytestmark = pytest.mark.django_db(transaction=False)


def client(user, lang="zh-hans"):
    c = web_client_for(user)
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return c


@pytest.mark.parametrize("lang,pf_label,field", [("zh-hans", "功率因数", "检测点 Imax/1 · 功率因数"),
                                                 ("en", "power factor", "test point Imax/1 · power factor")])
def test_electricity_meter_form_has_a_field_per_point_condition(flow, meter, lang, pf_label, field):
    c = client(flow.technician_user, lang)
    page = c.get(reverse("work-order-items-results", args=[meter["item"].pk])).content.decode()
    assert f"<th>{pf_label}</th>" in page
    # the required points come with their power factor chosen, units as symbols
    assert re.search(r'name="attr_3_pf"[^>]*>.*?<option value="0.5L" selected', page, re.S)
    assert 'name="unit_0" data-name="unit" class="form-control form-control-sm" value="A"' in page
    assert "\\ampere" not in page
    # without the power factor of a point: an error in the user's language naming the point and the field
    rows = [METER_ROWS[0][:3] + ("",), *METER_ROWS[1:]]
    r = _post_meter(c, meter, rows)
    text = r.content.decode()
    assert r.status_code == 200 and field in text
    assert "points[" not in text and "attributes.pf" not in text
    assert not rm.Instrument.objects.get(pk=meter["instrument"].pk).verification_items.filter(
        result__isnull=False).exists()


def test_a_point_at_the_wrong_power_factor_is_named(flow, meter):
    rows = [*METER_ROWS[:3], ("Ib/0.5L", "10", "10.08", "1")]
    r = _post_meter(client(flow.technician_user), meter, rows)
    text = re.sub(r"<[^>]+>", "", r.content.decode())
    assert "检测点 Ib/0.5L · 功率因数：该检测点按规程须在 0.5 L（感性） 下检测。" in text


def test_electricity_meter_results_are_saved_and_decided(flow, meter):
    r = _post_meter(client(flow.technician_user), meter, METER_ROWS)
    assert r.status_code == 302, r.content.decode()[-2000:]
    result = meter["item"].__class__.objects.get(pk=meter["item"].pk).result
    assert result.outcome == "pass" and result.technician_id == flow.technician.pk
    assert {p.label: p.attributes["pf"] for p in result.points.all()}["Ib/0.5L"] == "0.5L"
    page = client(flow.technician_user).get(reverse("work-orders-detail", args=[meter["wo"].pk])).content.decode()
    assert "0.5 L（感性）" in page or "0.5 L (inductive)" in page
    assert "60 A" in page and "\\percent" not in page and "\\ampere" not in page


def test_only_standards_that_fit_and_are_valid_are_offered(flow, meter):
    page = client(flow.technician_user).get(reverse("work-order-items-results", args=[meter["item"].pk]))
    html = page.content.decode()
    assert "交流电能表检定装置" in html and flow.world.standard_p.name not in html  # a mass standard: not offered
    # the scale's form offers the mass standard
    wo = flow.request()
    flow.to_scheduled(wo)
    html = client(flow.technician_user).get(reverse("work-order-items-results", args=[wo.items.get().pk])).content
    assert flow.world.standard_p.name in html.decode() and "交流电能表检定装置" not in html.decode()


def test_an_expired_standard_is_refused_when_chosen(flow):
    std = flow.world.standard_p
    wo = flow.request()
    flow.to_scheduled(wo)
    rm.MeasurementStandard.objects.filter(pk=std.pk).update(valid_until=flow.today - dt.timedelta(days=1))
    with pytest.raises(services.ValidationError) as err:
        services.record_results(wo.items.get(), actor=flow.technician_user, measured_on=flow.today,
                                standards=[std], points=scale_points())
    assert "not valid on" in err.value.message_dict["standards[0]"][0]
    # measured before it lapsed: accepted
    services.record_results(wo.items.get(), actor=flow.technician_user, measured_on=flow.today - dt.timedelta(days=2),
                            standards=[std], points=scale_points())
    assert not services.standards_for(wo.items.get(), flow.today)
    assert services.standards_for(wo.items.get(), flow.today - dt.timedelta(days=2))


def test_a_mass_standard_is_refused_for_an_electricity_meter(flow, meter):
    with pytest.raises(services.ValidationError) as err:
        services.record_results(meter["item"], actor=flow.technician_user, measured_on=flow.today,
                                standards=[flow.world.standard_p], points=[])
    assert "electromagnetism" in err.value.message_dict["standards[0]"][0] or "电磁" in \
        err.value.message_dict["standards[0]"][0]


def test_the_checker_sends_back_with_a_reason(flow):
    wo = flow.request()
    flow.to_measured(wo)
    with pytest.raises(services.ValidationError):
        services.return_to_measurement(wo, actor=flow.checker_user, reason="")
    with pytest.raises(services.ValidationError):
        services.return_to_measurement(wo, actor=flow.technician_user, reason="mine")
    c = client(flow.checker_user, "en")
    c.post(reverse("work-orders-step", args=[wo.pk, "send-back"]), {"reason": "point Max: repeat with 15 kg"})
    wo.refresh_from_db()
    assert wo.status == WorkStatus.SCHEDULED and wo.status_reason == "point Max: repeat with 15 kg"
    page = client(flow.technician_user, "en").get(reverse("work-orders-detail", args=[wo.pk])).content.decode()
    assert "point Max: repeat with 15 kg" in page and "measure-link" in page
    services.record_results(wo.items.get(), actor=flow.technician_user, measured_on=flow.today,
                            standards=[flow.world.standard_p], points=scale_points())
    wo.refresh_from_db()
    assert wo.status == WorkStatus.MEASURED and wo.status_reason == ""
    assert services.check(wo, actor=flow.checker_user).status == WorkStatus.CHECKED


def test_calibration_adds_points_and_prints_no_empty_conformity_columns(flow):
    wo = flow.request("calibration", method="JJF 1847-2020")
    flow.to_scheduled(wo)
    item = wo.items.get()
    c = client(flow.calibrator_user, "en")
    page = c.get(reverse("work-order-items-results", args=[item.pk])).content.decode()
    assert 'id="btn-add-point"' in page and "remove-point" in page
    data = {"measured_on": flow.today.isoformat(), "standards": [flow.world.standard_p.pk], "rows": "5"}
    for i, ref in enumerate(["1", "2", "5", "10", "15"]):
        data.update({f"label_{i}": f"{ref} kg", f"ref_{i}": ref, f"ind_{i}": ref, f"unit_{i}": "kg",
                     f"U_{i}": "0.001", f"k_{i}": "2"})
    r = c.post(reverse("work-order-items-results", args=[item.pk]), data)
    assert r.status_code == 302, r.content.decode()[-1500:]
    assert item.__class__.objects.get(pk=item.pk).result.points.count() == 5
    page = c.get(reverse("work-orders-detail", args=[wo.pk])).content.decode()
    assert "col-mpe" not in page and "col-outcome" not in page and "15 kg" in page
    scale = flow.request()
    flow.to_measured(scale)
    assert "col-mpe" in c.get(reverse("work-orders-detail", args=[scale.pk])).content.decode()


@pytest.mark.parametrize("lang,label", [("zh-hans", "已核验"), ("en", "checked")])
def test_the_work_order_shows_its_steps(flow, lang, label):
    wo = flow.request()
    flow.to_measured(wo)
    services.check(wo, actor=flow.checker_user)
    page = client(flow.approver_user, lang).get(reverse("work-orders-detail", args=[wo.pk])).content.decode()
    steps = re.findall(r'data-step="(\w+)" data-done="(\d)"', page)
    assert [s for s, _d in steps] == ["requested", "accepted", "scheduled", "measured", "checked", "approved",
                                      "issued"]
    assert [d for _s, d in steps] == ["1", "1", "1", "1", "1", "0", "0"]
    assert flow.checker.name in page and flow.technician.name in page
    assert 'aria-current="step"' in page and label in page.lower()


def test_request_form_searches_instruments_in_scope(flow):
    w = flow.world
    for i in range(30):
        core_services.create_record(rm.Instrument, {
            "owner": w.ent_ks, "category": w.scale, "manufacturer": "凯丰衡器", "model": "ACS-30",
            "serial_number": f"KS-1{i:03d}", "accuracy_class": "III", "range_min": Decimal("0"),
            "range_max": Decimal("30"), "range_unit": "kg", "usage": "trade", "region_id": "320583",
            "status": "in_service"}, actor=w.admin)
    page = client(flow.owner_user).get(reverse("work-orders-request")).content.decode()
    assert "KS-1001" not in page and 'id="instrument-search"' in page  # no <option> per instrument
    url = reverse("work-orders-instrument-search")
    found = client(flow.owner_user).get(url, {"q": "KS-100"}).json()["results"]
    assert {r["text"].split(" · ")[2] for r in found} == {f"KS-100{i}" for i in range(10)}
    assert "0–30 kg" in found[0]["text"]
    assert len(client(flow.owner_user).get(url, {"q": "KS"}).json()["results"]) == 20
    # region scoped: Xuanwu's bureau and enterprise find nothing of Kunshan's
    assert client(w.users["xuanwu"]).get(url, {"q": "KS-1"}).json()["results"] == []
    assert client(w.users["kunshan"]).get(url, {"q": "KS-1001"}).json()["results"]
    assert client(None).get(url, {"q": "KS"}).status_code == 302
    # the request posts the chosen ids; someone else's instrument is refused
    r = client(flow.owner_user, "en").post(reverse("work-orders-request"), {
        "owner": w.ent_ks.pk, "institute": w.inst_p.pk, "kind": "verification", "location": "laboratory",
        "instruments": [w.instrument_xw.pk], "regulation": "JJG539-2016", "stage": "initial",
        "decision_rule": "simple"})
    assert r.status_code == 200 and "XW-0001" not in r.content.decode()


def pdf_text(pdf: bytes) -> str:
    """The text drawn on the (uncompressed) PDF pages: strings in the CID font (/F2, STSong-Light) are UTF-16BE,
    the others single-byte; reportlab escapes both."""
    out, font = [], b""
    for m in re.finditer(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", pdf):
        if m.group(1):
            font = m.group(1)
            continue
        data = re.sub(rb"\\([0-7]{3}|.)", lambda e: bytes([int(e.group(1), 8)]) if len(e.group(1)) == 3
                      else {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(e.group(1), e.group(1)), m.group(2))
        out.append(data.decode("utf-16-be", "replace") if font == b"F2" else data.decode("latin-1"))
    return "\n".join(out)


def test_calibration_certificate_prints_no_empty_conformity_columns(flow):
    points = [{"label": f"{v} kg", "reference_value": v, "indication": v, "unit": "kg", "U": "0.001", "k": "2"}
              for v in ("1", "5", "15")]
    cal = flow.issued(kind="calibration", method="JJF 1847-2020", points=points)
    text = pdf_text(bytes(cal.pdf))
    assert "15 kg" in text and "最大允许误差" not in text and "结论" not in text
    verification = pdf_text(bytes(flow.issued().pdf))
    assert "最大允许误差" in verification and "结论" in verification
