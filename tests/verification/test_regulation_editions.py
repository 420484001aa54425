"""The edition of a regulation in force on the day of measurement decides and is cited (issue #9 item 7):
JJG 443-2023 燃油加油机(试行) is in force from 2024-05-01 and replaces JJG 443-2015 (plusstd.com, V2;
shared/reference/legal-metrology.md §3.3)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from verification_helpers import pdf_text

from jiliang.core import services as core_services
from jiliang.core.values.dates import add_months
from jiliang.registry import models as rm
from jiliang.verification import services
from jiliang.verification.rules import RuleError, edition_on, load_regulation

LPM = "\\litre\\minute\\tothe{-1}"


def test_edition_windows():
    assert edition_on("JJG443-2023", dt.date(2024, 4, 30)).id == "JJG443-2015"
    assert edition_on("JJG443-2015", dt.date(2024, 5, 1)).id == "JJG443-2023"
    assert edition_on("JJG443-2015", dt.date(2026, 1, 1)).id == "JJG443-2023"
    with pytest.raises(RuleError) as err:
        edition_on("JJG443-2023", dt.date(2014, 12, 31))
    assert err.value.field == "measured_on" and "JJG443-2015" in err.value.message
    assert "2024-05-01" in err.value.message


def test_2023_file_marks_its_unverified_values():
    reg = load_regulation("JJG443-2023")
    assert (reg.in_force, reg.replaces, reg.confidence) == ("2024-05-01", "JJG 443-2015", "V2")
    assert {b.confidence for b in reg.mpe} == {"M"} and {b.regulation_confidence for b in reg.mpe} == {"M"}
    assert [p.confidence for p in reg.verification_periods] == ["M"]
    assert {str(b.limit.upper) for b in reg.mpe} == {"0.30", "0.5"}
    assert reg.multi_point_rules[0].confidence == "M"


def _dispenser_flow(flow, regulation, measured_on):
    w = flow.world
    rm.Person.objects.filter(pk__in=[flow.technician.pk, flow.calibrator.pk, flow.checker.pk, flow.approver.pk]).update(
        qualified_items="JJG 443")
    for person in (flow.calibrator, flow.checker, flow.approver):
        person.refresh_from_db()
    services.record_standard_calibration(
        w.standard_p, actor=w.admin, certificate_no="NIM-2024-0007", laboratory="中国计量科学研究院",
        calibrated_on=dt.date(2024, 1, 10), valid_until=dt.date(2025, 1, 9), traceability="国家容量基准")
    dispenser = core_services.create_record(rm.Instrument, {
        "owner": w.ent_ks, "category": rm.InstrumentCategory.objects.get(code="fuel-dispenser"),
        "manufacturer": "正星科技", "model": "ZX-2242", "serial_number": "FD-1", "accuracy_class": "0.3",
        "range_min": Decimal("5"), "range_max": Decimal("60"), "range_unit": "L/min", "usage": "trade",
        "region_id": "320583", "status": "in_service"}, actor=w.admin)
    wo = services.request_work(actor=flow.owner_user, owner=w.ent_ks, institute=w.inst_p, kind="verification",
                               items=[{"instrument": dispenser, "regulation": regulation, "stage": "subsequent"}])
    services.accept(wo, actor=flow.institute_user)
    services.schedule(wo, actor=flow.institute_user, date=flow.today, technician=flow.calibrator)
    points = [{"label": label, "reference_value": "20", "indication": "20.02", "unit": "\\litre",
               "error_unit": "\\percent", "error": err, "U": "0.05", "k": "2",
               "quantities": {"Q": {"value": q, "unit": LPM}}}
              for label, q, err in (("Qmax", "60", "0.10"), ("Qmax", "60", "0.12"), ("Qmin", "5", "0.08"),
                                    ("Qmin", "5", "0.15"))]
    return wo, points


@pytest.mark.parametrize(("requested", "day", "used"), [
    ("JJG443-2023", dt.date(2024, 4, 30), "JJG443-2015"),
    ("JJG443-2015", dt.date(2024, 5, 1), "JJG443-2023"),
])
def test_certificate_cites_the_edition_in_force_on_the_day(flow, requested, day, used):
    wo, points = _dispenser_flow(flow, requested, day)
    services.record_results(wo.items.get(), actor=flow.institute_user, measured_on=day,
                            standards=[flow.world.standard_p], points=points)
    services.check(wo, actor=flow.checker_user)
    services.approve(wo, actor=flow.approver_user)
    cert = services.issue_certificate(wo, actor=flow.institute_user)[0]
    assert cert.item.regulation == used and cert.content["regulation"]["id"] == used
    assert cert.content["regulation"]["edition"] == used[-4:]
    assert cert.valid_until == add_months(day, 6) - dt.timedelta(days=1)
    assert f"JJG 443-{used[-4:]}" in pdf_text(cert.pdf)


def test_measurement_before_every_edition_is_refused(flow):
    wo, points = _dispenser_flow(flow, "JJG443-2023", dt.date(2014, 6, 1))
    with pytest.raises(ValidationError) as err:
        services.record_results(wo.items.get(), actor=flow.institute_user, measured_on=dt.date(2014, 6, 1),
                                standards=[flow.world.standard_p], points=points)
    (message,) = err.value.message_dict["measured_on"]
    assert "2014-06-01" in message and "JJG443-2015" in message and "JJG443-2023" in message
    assert wo.items.get().regulation == "JJG443-2023" and not hasattr(wo.items.get(), "result")
