"""Fixtures of the verification tests (imported by its conftest and by tests/browser), built through the services on the shared ``world``.

``flow`` adds to the world: three qualified metrologists of the provincial institute (technician,
checker, approver), a calibration of its mass standard, and helpers that drive a work order to a
given state. Points are those JJG 539-2016 requires for the Kunshan price scale (class III, Max 15 kg,
e = 5 g): Min = 20 e, 500 e, 2000 e and Max.
"""

from __future__ import annotations

import datetime as dt
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
    f.institute_user = world.users["institute"]
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
        services.record_results(item, actor=f.institute_user, measured_on=today, standards=[world.standard_p],
                                points=points or scale_points(), temperature="20.5", humidity="55")
        wo.refresh_from_db()
        return wo

    def to_approved(wo, points=None):
        to_measured(wo, points)
        services.check(wo, actor=f.institute_user, checker=f.checker)
        return services.approve(wo, actor=f.institute_user, approver=f.approver)

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
