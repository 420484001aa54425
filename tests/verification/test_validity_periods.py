"""Validity of first-verification-only meters on the certificate (issue #9 item 6): the service-life row
whose condition the instrument meets (JJG 162-2019 DN32–50: 4 years; JJG 577-2012 LPG: 6 years;
shared/reference/legal-metrology.md §5), and refusals naming what is missing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from jiliang.core import services as core_services
from jiliang.core.values.dates import add_months
from jiliang.registry import models as rm
from jiliang.verification import services

Q = "\\metre\\tothe{3}\\hour\\tothe{-1}"
MM = "\\milli\\metre"
C = "\\degreecelsius"


def _meter(flow, code, serial, unit="m³/h", hi="16", klass="2"):
    w = flow.world
    return core_services.create_record(rm.Instrument, {
        "owner": w.ent_ks, "category": rm.InstrumentCategory.objects.get(code=code), "manufacturer": "宁波水表",
        "model": "LXS-40", "serial_number": serial, "accuracy_class": klass, "range_min": Decimal("0"),
        "range_max": Decimal(hi), "range_unit": unit, "usage": "trade", "region_id": "320583",
        "status": "in_service"}, actor=w.admin)


def _point(label, q, err_pct, t="20"):
    q = Decimal(q)
    return {"label": label, "reference_value": str(q), "indication": str(q * (1 + Decimal(err_pct) / 100)),
            "unit": Q, "error_unit": "\\percent", "error": err_pct, "U": "0.30", "k": "2",
            "quantities": {"Q": {"value": str(q), "unit": Q}, "T": {"value": t, "unit": C}}}


def _issue(flow, instrument, regulation, attributes, parameters, points, kind="verification"):
    rm.Person.objects.filter(pk__in=[flow.technician.pk, flow.calibrator.pk, flow.checker.pk, flow.approver.pk]).update(
        qualified_items="JJG 162\nJJG 577")
    for person in (flow.calibrator, flow.checker, flow.approver):
        person.refresh_from_db()
    wo = services.request_work(actor=flow.owner_user, owner=flow.world.ent_ks, institute=flow.world.inst_p,
                               kind=kind, items=[{"instrument": instrument, "regulation": regulation,
                                                            "attributes": attributes, "parameters": parameters}])
    services.accept(wo, actor=flow.institute_user)
    services.schedule(wo, actor=flow.institute_user, date=flow.today, technician=flow.calibrator)
    services.record_results(wo.items.get(), actor=flow.institute_user, measured_on=flow.today,
                            standards=[flow.world.standard_p], points=points)
    services.check(wo, actor=flow.checker_user)
    services.approve(wo, actor=flow.approver_user)
    return services.issue_certificate(wo, actor=flow.institute_user)[0]


WATER_POINTS = [_point("Q1", "0.1", "1.0"), _point("Q2", "0.16", "0.5"), _point("Q3", "10", "-0.4")]


def test_dn40_water_meter_certificate_valid_four_years(flow):
    meter = _meter(flow, "water-meter-dn32-50", "WM-40")
    cert = _issue(flow, meter, "JJG162-2019", {"class": "2"},
                  {"Q1": {"value": "0.1", "unit": Q}, "Q3": {"value": "10", "unit": Q}, "DN": {"value": "40", "unit": MM}},
                  WATER_POINTS)
    assert cert.kind == "verification"
    assert cert.valid_until == add_months(flow.today, 48) - dt.timedelta(days=1)
    assert cert.content["valid_until"] == cert.valid_until.isoformat()


def test_dn20_water_meter_certificate_valid_six_years(flow):
    meter = _meter(flow, "water-meter-dn15-25", "WM-20")
    cert = _issue(flow, meter, "JJG162-2019", {"class": "2"},
                  {"Q1": {"value": "0.1", "unit": Q}, "Q3": {"value": "10", "unit": Q}, "DN": {"value": "20", "unit": MM}},
                  WATER_POINTS)
    assert cert.valid_until == add_months(flow.today, 72) - dt.timedelta(days=1)


def test_lpg_gas_meter_certificate_valid_six_years(flow):
    meter = _meter(flow, "gas-meter-manufactured", "GM-1", hi="4", klass="1.5")
    points = [{**_point(label, q, "0.8"), "quantities": {"Q": {"value": q, "unit": Q}}}
              for label, q in (("Qmin", "0.04"), ("Qt", "0.4"), ("Qmax", "4"))]
    cert = _issue(flow, meter, "JJG577-2012", {"class": "1.5", "gas": "lpg"},
                  {"Qmin": {"value": "0.04", "unit": Q}, "Qt": {"value": "0.4", "unit": Q},
                   "Qmax": {"value": "4", "unit": Q}}, points)
    assert cert.valid_until == add_months(flow.today, 72) - dt.timedelta(days=1)


def test_request_without_what_the_period_needs_is_refused(flow):
    meter = _meter(flow, "water-meter-dn32-50", "WM-41")
    with pytest.raises(ValidationError) as err:
        services.request_work(actor=flow.owner_user, owner=flow.world.ent_ks, institute=flow.world.inst_p,
                              kind="verification", items=[{
                                  "instrument": meter, "regulation": "JJG162-2019", "attributes": {"class": "2"},
                                  "parameters": {"Q1": {"value": "0.1", "unit": Q}, "Q3": {"value": "10", "unit": Q}}}])
    (message,) = err.value.message_dict["items[0].parameters.DN"]
    assert "nominal diameter" in message and "JJG162-2019" in message
    gas = _meter(flow, "gas-meter-manufactured", "GM-2", hi="4", klass="1.5")
    with pytest.raises(ValidationError) as err:
        services.request_work(actor=flow.owner_user, owner=flow.world.ent_ks, institute=flow.world.inst_p,
                              kind="verification", items=[{
                                  "instrument": gas, "regulation": "JJG577-2012", "attributes": {"class": "1.5"},
                                  "parameters": {"Qmin": {"value": "0.04", "unit": Q}, "Qt": {"value": "0.4", "unit": Q},
                                                 "Qmax": {"value": "4", "unit": Q}}}])
    assert "items[0].attributes.gas" in err.value.message_dict


def test_calibration_without_what_the_period_needs_states_no_validity(flow):
    """A calibration certificate states no conformity; without DN it is issued with no validity, not refused."""
    meter = _meter(flow, "water-meter-dn32-50", "WM-42")
    cert = _issue(flow, meter, "JJG162-2019", {"class": "2"},
                  {"Q1": {"value": "0.1", "unit": Q}, "Q3": {"value": "10", "unit": Q}}, WATER_POINTS, kind="calibration")
    assert cert.kind == "calibration" and cert.valid_until is None
