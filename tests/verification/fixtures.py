"""Fixtures of the verification tests (imported by its conftest and by tests/browser), built through the services on the shared ``world``.

``flow`` adds to the world: three qualified metrologists of the provincial institute (technician,
checker, approver), a calibration of its mass standard, and helpers that drive a work order to a
given state. Points are those JJG 539-2016 requires for the Kunshan price scale (class III, Max 15 kg,
e = 5 g): Min = 20 e, 500 e, 2000 e and Max.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone
from tests.verification.verification_helpers import scale_points

from jiliang.core import services as core_services
from jiliang.registry import models as rm
from jiliang.verification import services


def person(world, name, cert):
    return core_services.create_record(rm.Person, {
        "name": name, "organisation": world.inst_p, "metrologist_certificate": cert, "metrologist_level": "1",
        "qualified_items": "JJG 539\nJJG 162\nJJF 1847", "certificate_valid_from": dt.date(2020, 1, 1),
        "certificate_valid_until": dt.date(2031, 1, 1)}, actor=world.admin)


def institute_user(username, world):
    from tests.conftest import _user

    from jiliang.core.roles import Role

    return _user(username, Role.INSTITUTE, "320000", world.inst_p)


def link(person, user):
    """The person's own account (set by the bureau's administrator, as in the admin)."""
    rm.Person.objects.filter(pk=person.pk).update(user=user)
    person.user = user
    return user


@pytest.fixture(autouse=True)
def _english():
    """Service-level messages in English (the UI default is Chinese; pages and API are checked by field)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def flow(world):
    f = SimpleNamespace(world=world)
    f.technician = world.person_p  # qualified for JJG 539 until 2030
    f.checker = person(world, "李核验", "JL2021002")
    f.approver = person(world, "王批准", "JL2019003")
    f.calibrator = person(world, "赵校准", "JL2022004")
    # Each metrologist signs from their own account: the institute's account is the technician's.
    f.institute_user = world.users["institute"]
    f.technician_user = link(f.technician, f.institute_user)
    f.checker_user = link(f.checker, institute_user("checker", world))
    f.approver_user = link(f.approver, institute_user("approver", world))
    f.calibrator_user = link(f.calibrator, institute_user("calibrator", world))
    f.clerk_user = institute_user("clerk", world)  # staff without a metrologist: accepts, schedules, issues
    f.owner_user = world.users["enterprise"]
    today = timezone.localdate()
    f.today = today
    f.calibration = services.record_standard_calibration(
        world.standard_p, actor=world.admin, certificate_no="NIM-2025-0001", laboratory="中国计量科学研究院",
        calibrated_on=today - dt.timedelta(days=100), valid_until=today + dt.timedelta(days=265),
        traceability="国家千克基准")

    def request(kind="verification", instrument=None, **item):
        spec = {"instrument": instrument or world.instrument_ks,
                "regulation": "JJG539-2016" if kind == "verification" or "method" not in item else "", **item}
        return services.request_work(actor=f.owner_user, owner=world.ent_ks, institute=world.inst_p, kind=kind,
                                     items=[spec])

    def to_scheduled(wo):
        services.accept(wo, actor=f.institute_user)
        technician = f.technician if wo.kind == "verification" else f.calibrator
        return services.schedule(wo, actor=f.institute_user, date=today, technician=technician)

    def to_measured(wo, points=None):
        to_scheduled(wo)
        item = wo.items.get()
        measurer = f.technician_user if wo.kind == "verification" else f.calibrator_user
        services.record_results(item, actor=measurer, measured_on=today, standards=[world.standard_p],
                                points=points or scale_points(), temperature="20.5", humidity="55")
        wo.refresh_from_db()
        return wo

    def to_approved(wo, points=None):
        to_measured(wo, points)
        services.check(wo, actor=f.checker_user)
        return services.approve(wo, actor=f.approver_user)

    def issued(kind="verification", points=None, **item):
        wo = request(kind, **item)
        to_approved(wo, points)
        return services.issue_certificate(wo, actor=f.institute_user)[0]

    f.request, f.to_scheduled, f.to_measured, f.to_approved, f.issued = request, to_scheduled, to_measured, \
        to_approved, issued
    return f


@pytest.fixture
def dcc_schema(settings):
    """Point JILIANG_DCC_SCHEMA_DIR at PTB's XSDs (env, else ../shared/reference/dcc); skip if absent, fail in CI."""
    from tests.dcc_schema import schema_dir_or_skip

    path = schema_dir_or_skip()
    settings.JILIANG_DCC_SCHEMA_DIR = str(path)
    return path


@pytest.fixture
def meter(flow):
    """A direct-connected class 2 electricity meter (0–60 A) of the Kunshan enterprise and the institute's
    electrical energy standard (0.01–100 A), calibrated; the technician is qualified for JJG 596."""
    w = flow.world
    admin = w.admin
    inst = core_services.create_record(rm.Instrument, {
        "owner": w.ent_ks, "category": rm.InstrumentCategory.objects.get(code="electricity-meter"),
        "manufacturer": "江苏林洋", "model": "DDZY71", "serial_number": "EM-0001", "accuracy_class": "2",
        "range_min": Decimal("0"), "range_max": Decimal("60"), "range_unit": "A", "usage": "trade",
        "region_id": "320583", "status": "in_service"}, actor=admin)
    std = core_services.create_record(rm.MeasurementStandard, {
        "institute": w.inst_p, "name": "交流电能表检定装置", "domain": "electromagnetism", "parameter": "电能",
        "range_min": Decimal("0.01"), "range_max": Decimal("100"), "range_unit": "A", "uncertainty": Decimal("0.02"),
        "uncertainty_unit": "%", "coverage_factor": Decimal("2"), "level": "social_public",
        "certificate_no": "[2024]电能001", "valid_from": dt.date(2024, 1, 1), "valid_until": dt.date(2028, 1, 1)},
        actor=admin)
    services.record_standard_calibration(std, actor=admin, certificate_no="NIM-EM-1", laboratory="NIM",
                                         calibrated_on=flow.today - dt.timedelta(days=30),
                                         valid_until=flow.today + dt.timedelta(days=300))
    rm.Person.objects.filter(pk=flow.technician.pk).update(qualified_items="JJG 539\nJJG 596")
    flow.technician.refresh_from_db()
    wo = services.request_work(actor=flow.owner_user, owner=w.ent_ks, institute=w.inst_p, kind="verification",
                               items=[{"instrument": inst, "regulation": "JJG596-2012"}])
    flow.to_scheduled(wo)
    return {"instrument": inst, "standard": std, "wo": wo, "item": wo.items.get(), "day": flow.today}


METER_ROWS = [("Imax/1", "60", "60.3", "1"), ("Ib/1", "10", "10.05", "1"), ("0.1Ib/1", "1", "1.005", "1"),
              ("Ib/0.5L", "10", "10.08", "0.5L")]


def post_meter_results(c, m, rows, **extra):
    """POST the results form of the ``meter`` fixture's item: (label, reference, indication, power factor) rows."""
    from django.urls import reverse

    data = {"measured_on": m["day"].isoformat(), "temperature": "20", "humidity": "50",
            "standards": [m["standard"].pk], "rows": str(len(rows)), **extra}
    for i, (label, ref, ind, pf) in enumerate(rows):
        data.update({f"label_{i}": label, f"ref_{i}": ref, f"ind_{i}": ind, f"unit_{i}": "A", f"U_{i}": "0.05",
                     f"k_{i}": "2", f"attr_{i}_pf": pf, f"attr_{i}_load": "balanced"})
    return c.post(reverse("work-order-items-results", args=[m["item"].pk]), data)
