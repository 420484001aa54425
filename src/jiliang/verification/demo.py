"""Verification part of the demo province: calibrations of every demo standard (so each has a valid chain up
to NIM), the provincial institute's signing key, and work orders in every state through the services, with
verification certificates, notices of non-conformity and calibration certificates (some expired, one
revoked). Everything is synthetic; the same seed gives the same work orders.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal
from unittest import mock

from django.contrib.auth import get_user_model
from django.utils import timezone

from jiliang.core import audit
from jiliang.registry import models as rm

from . import certificates as certs
from . import services
from .models import CalibrationSource, StandardCalibration

KG = "\\kilogram"
MPA = "\\mega\\pascal"
QUALIFIED = "JJG 539\nJJG 162\nJJG 52\nJJF 1847\nJJG 443\nJJG 577\nJJG 596"


def _scale_points(rng, max_kg: Decimal, fail: bool = False) -> list[dict]:
    """JJG 539-2016 test loads with U = e/10 (two significant digits at most, JJF 1059.1-2012 5.3.8.1), well
    inside a third of the smallest MPE, 0.5 e (JJF 1094-2002)."""
    e = max_kg / 3000
    loads = [("Min", 20 * e), ("500e", 500 * e), ("2000e", 2000 * e), ("Max", max_kg)]
    points = []
    for label, load in loads:
        mpe = (e / 2) if load <= 500 * e else e if load <= 2000 * e else e * Decimal("1.5")
        err = (mpe * Decimal(rng.choice([-6, -3, 0, 0, 3, 6])) / 10).quantize(Decimal("0.0001"))
        if fail and label == "500e":
            err = mpe * 3
        points.append({"label": label, "reference_value": str(load.normalize()),
                       "indication": str((load + err).normalize()), "unit": KG,
                       "U": format(certs.reported_uncertainty(e / 10), "f"), "k": "2"})
    return points


def _gauge_points(rng, hi: Decimal) -> list[dict]:
    return [{"label": f"{int(f * 100)}%", "reference_value": str((hi * f).normalize()),
             "indication": str((hi * f + Decimal(rng.randint(-8, 8)) / 1000).normalize()), "unit": MPA,
             "U": "0.004", "k": "2"} for f in (Decimal("0.25"), Decimal("0.5"), Decimal("0.75"), Decimal(1))]


@contextmanager
def _on(day: dt.date, rng):
    """Do the demo's past work on ``day`` (a working hour of it; today is now itself): the services stamp
    requests, signatures and certificates with the clock, so running them at their own date is what keeps a
    certificate's issue date, validity and signatures coherent with its request and measurement."""
    if day >= timezone.localdate():
        yield
        return
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(8 + rng.randint(0, 8), rng.randint(0, 59))))
    real_now = timezone.now
    offset = moment - real_now()
    with mock.patch("django.utils.timezone.now", lambda: real_now() + offset):
        yield


def _calibration_result(s: rm.MeasurementStandard) -> dict:
    """A demo calibration's result at the top of the standard's range: its U in the value's unit, as a DCC gives
    it (the standard's U converted from its own unit, or from % of the value); no U where the units do not allow."""
    from jiliang.core.units import commensurable, registry_dsi, si_value

    value = s.range_max if s.range_max else Decimal(0)
    u, u_unit, v_unit = None, registry_dsi(s.uncertainty_unit), registry_dsi(s.range_unit)
    if s.uncertainty is not None:
        if s.uncertainty_unit == "%":
            u = value * s.uncertainty / 100
        elif u_unit and v_unit and commensurable(u_unit, v_unit) and "°C" not in (s.range_unit, s.uncertainty_unit):
            u = si_value(s.uncertainty, u_unit) / si_value(Decimal(1), v_unit)
    return {"name": {"zh": s.parameter}, "value": f"{value.normalize():f}", "unit": s.range_unit,
            "U": None if u is None else f"{u.normalize():g}" if u else "0",
            "k": str(s.coverage_factor.normalize()) if s.coverage_factor and u is not None else None}


def build(ctx: dict, rng, scale: int, progress) -> None:
    today = timezone.localdate()
    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    inst_p = ctx["institute"]
    standards: list[rm.MeasurementStandard] = list(rm.MeasurementStandard.objects.select_related("institute"))
    progress(0, len(standards))

    # Calibrations of every standard: the provincial standards by NIM, the city standards by the province.
    cal_rows = []
    for i, s in enumerate(standards):
        provincial = s.institute_id == inst_p.pk
        cal_rows.append(StandardCalibration(
            standard=s, certificate_no=f"{'NIM' if provincial else 'JSJL'}-{today.year - 1}-{i + 1:05d}",
            laboratory="中国计量科学研究院" if provincial else inst_p.name,
            calibrated_on=today - dt.timedelta(days=430), valid_until=today + dt.timedelta(days=300),
            source=CalibrationSource.MANUAL,
            traceability="国家计量基准 (NIM)" if provincial else f"{inst_p.name} 最高计量标准 → 国家计量基准 (NIM)",
            results=[_calibration_result(s)]))
    StandardCalibration.objects.bulk_create(cal_rows)
    audit.record(None, "action", object_type="verification.demo", object_id="calibrations",
                 object_repr="demo calibrations", message=f"{len(cal_rows)} calibrations of demo standards")
    progress(len(standards), len(standards))

    # The provincial institute's metrologists and standards fit for the demo work.
    people = list(rm.Person.objects.filter(organisation=inst_p).exclude(metrologist_certificate="").order_by("pk"))
    rm.Person.objects.filter(pk__in=[p.pk for p in people]).update(
        qualified_items=QUALIFIED, certificate_valid_from=today - dt.timedelta(days=2000),
        certificate_valid_until=today + dt.timedelta(days=900))
    people = list(rm.Person.objects.filter(pk__in=[p.pk for p in people]).order_by("pk"))
    technician = people[0]
    # Each signature comes from the signer's own account: demo-institute measures, demo-checker checks,
    # demo-approver approves (registry/demo.py links the three); the institute's account does the rest.
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["demo-institute", "demo-checker", "demo-approver"])}
    staff = users["demo-institute"]
    signers = {"technician": staff, "checker": users["demo-checker"], "approver": users["demo-approver"]}
    by_name = {s.name: s for s in standards if s.institute_id == inst_p.pk}
    mass, pressure = by_name["E1级砝码标准装置"], by_name["0.02级活塞式压力计标准装置"]
    rm.MeasurementStandard.objects.filter(pk__in=[mass.pk, pressure.pk]).update(
        valid_from=today - dt.timedelta(days=1000), valid_until=today + dt.timedelta(days=400), status="in_use")
    with _on(today - dt.timedelta(days=450), rng):  # before the oldest certificate it signs
        services.create_signing_key(inst_p, actor=admin, reason="demo province")

    scales = list(rm.Instrument.objects.filter(category__code="nawi-price-scale", status="in_service",
                                               range_unit="kg").select_related("owner", "category")
                  .order_by("pk")[:40])
    gauges = list(rm.Instrument.objects.filter(category__code="pressure-gauge-safety", status="in_service",
                                               range_unit="MPa").select_related("owner").order_by("pk")[:6])
    # the demo enterprise's own instruments come first, so its login shows a certificate
    demo_org = get_user_model().objects.filter(username="demo-enterprise").values_list("organisation_id", flat=True).first()
    gauges.sort(key=lambda g: g.owner_id != demo_org)

    plan = (["requested"] * 3 + ["accepted"] * 2 + ["scheduled"] * 2 + ["measured"] * 2 + ["checked"] * 2
            + ["approved"] * 2 + ["declined", "cancelled"] + ["issued"] * 8 + ["failed"] * 2 + ["expired"] * 3
            + ["revoked"])
    progress(0, len(plan))
    made = []
    for n, target in enumerate(plan):
        if n >= len(scales):
            break
        inst = scales[n]
        # Expired certificates come from work done a year and more ago; the rest was requested in the last weeks.
        work_day = today - dt.timedelta(days=400 + rng.randint(0, 20)) if target == "expired" else today
        requested = (work_day - dt.timedelta(days=rng.randint(3, 15)) if target == "expired"
                     else today - dt.timedelta(days=rng.randint(1, 40)))
        with _on(requested, rng):
            wo = services.request_work(actor=admin, owner=inst.owner, institute=inst_p, kind="verification",
                                       location=rng.choice(["laboratory", "on_site"]),
                                       items=[{"instrument": inst, "regulation": "JJG539-2016",
                                               "stage": rng.choice(["subsequent", "subsequent", "initial"])}])
        made.append(wo)
        days = {"accepted": min(requested + dt.timedelta(days=rng.randint(1, 2)), work_day), "work": work_day,
                "issued": min(work_day + dt.timedelta(days=rng.randint(1, 3)), today)}
        _advance(wo, target, rng, days, staff, technician, signers, mass, inst)
        progress(n + 1, len(plan))
    for g in gauges[:3]:
        with _on(today - dt.timedelta(days=rng.randint(3, 12)), rng):
            wo = services.request_work(actor=admin, owner=g.owner, institute=inst_p, kind="calibration",
                                       items=[{"instrument": g, "method": "JJG 52-2013"}])
        services.accept(wo, actor=staff)
        services.schedule(wo, actor=staff, date=today, technician=technician)
        services.record_results(wo.items.get(), actor=signers["technician"], measured_on=today, standards=[pressure],
                                points=_gauge_points(rng, g.range_max), temperature="20.3", humidity="52")
        services.check(wo, actor=signers["checker"])
        services.approve(wo, actor=signers["approver"])
        services.issue_certificate(wo, actor=staff)
        made.append(wo)
    ctx["work_orders"] = made


def _advance(wo, target, rng, days, admin, technician, signers, mass, inst) -> None:
    """Take a requested order to ``target`` through the services: accepted (or declined) on ``days["accepted"]``,
    scheduled, measured, checked and approved on ``days["work"]``, issued on ``days["issued"]``."""
    if target == "requested":
        return
    with _on(days["accepted"], rng):
        if target == "declined":
            services.decline(wo, actor=admin, reason="本院该项目检定装置检修中，请改约其他机构")
            return
        services.accept(wo, actor=admin)
        if target == "accepted":
            return
        if target == "cancelled":
            services.cancel(wo, actor=admin, reason="使用单位已将该秤报废")
            return
    measured_on = days["work"]
    with _on(measured_on, rng):
        services.schedule(wo, actor=admin, date=measured_on, technician=technician)
        if target == "scheduled":
            return
        services.record_results(wo.items.get(), actor=signers["technician"], measured_on=measured_on,
                                standards=[mass], points=_scale_points(rng, inst.range_max, fail=target == "failed"),
                                temperature=str(Decimal(rng.randint(180, 240)) / 10),
                                humidity=str(rng.randint(35, 70)))
        if target == "measured":
            return
        services.check(wo, actor=signers["checker"])
        if target == "checked":
            return
        services.approve(wo, actor=signers["approver"])
        if target == "approved":
            return
    with _on(days["issued"], rng):
        issued = services.issue_certificate(wo, actor=admin)
    if target == "revoked":
        services.revoke_certificate(issued[0], actor=admin, reason="复查发现检定封印被破坏，证书撤销")
