"""Links derived from certificates and calibrations (traceability/graph.py)."""

import datetime as dt
from decimal import Decimal

from jiliang.core import services as core
from jiliang.registry import models as rm
from jiliang.traceability.models import Link, LinkSource, NodeKind
from jiliang.verification import services
from jiliang.verification.models import StandardCalibration


def test_certificate_and_calibration_links(tworld):
    w = tworld.world
    cert = tworld.certify()
    counts = tworld.rebuild()
    inst_link = Link.objects.get(source=LinkSource.CERTIFICATE)
    assert (inst_link.child_kind, inst_link.child_id) == (NodeKind.INSTRUMENT, w.instrument_ks.pk)
    assert (inst_link.parent_kind, inst_link.parent_id) == (NodeKind.STANDARD, w.standard_p.pk)
    assert inst_link.certificate_no == cert.number and inst_link.valid_until == cert.valid_until
    assert inst_link.region_id == "320583" and inst_link.organisation_id == w.ent_ks.pk
    std_link = Link.objects.get(source=LinkSource.CALIBRATION, child_id=w.standard_p.pk)
    assert (std_link.parent_kind, std_link.parent_id) == (NodeKind.EXTERNAL, tworld.nim.pk)  # "中国计量科学研究院"
    assert counts == {"certificate": 1, "calibration": 1, "broken": 0}
    # rebuilding replaces, never duplicates
    tworld.rebuild()
    assert Link.objects.count() == 2


def test_a_calibration_by_an_institute_resolves_to_its_standard_or_stays_broken(tworld):
    w = tworld.world
    today = tworld.flow.today
    services.record_standard_calibration(w.standard_nj, actor=w.admin, certificate_no="JSJL-1",
                                         laboratory=w.inst_p.name, calibrated_on=today - dt.timedelta(days=10),
                                         valid_until=today + dt.timedelta(days=355))
    services.record_standard_calibration(w.standard_nj, actor=w.admin, certificate_no="X-1",
                                         laboratory="某不知名实验室", calibrated_on=today - dt.timedelta(days=400),
                                         valid_until=today - dt.timedelta(days=40))
    counts = tworld.rebuild()
    good = Link.objects.get(certificate_no="JSJL-1")
    assert (good.parent_kind, good.parent_id) == (NodeKind.STANDARD, w.standard_p.pk)  # same parameter 质量
    bad = Link.objects.get(certificate_no="X-1")
    assert bad.parent_id is None and bad.parent_name == "某不知名实验室"
    assert counts["broken"] == 1


def test_a_revoked_certificate_gives_a_void_link(tworld):
    cert = tworld.certify()
    services.revoke_certificate(cert, actor=tworld.flow.institute_user, reason="数据录入错误")
    tworld.rebuild()
    assert Link.objects.get(source=LinkSource.CERTIFICATE).void


def test_parent_range_must_cover(tworld):
    w = tworld.world
    small = core.create_record(rm.MeasurementStandard, {
        "institute": w.inst_p, "name": "小量程砝码", "domain": "mechanics", "parameter": "质量",
        "range_min": Decimal("0"), "range_max": Decimal("1"), "range_unit": "kg", "uncertainty": Decimal("0.1"),
        "uncertainty_unit": "mg", "coverage_factor": Decimal("2"), "level": "provincial_highest"}, actor=w.admin)
    child = core.create_record(rm.MeasurementStandard, {
        "institute": w.inst_nj, "name": "大砝码", "domain": "mechanics", "parameter": "质量",
        "range_min": Decimal("0"), "range_max": Decimal("20"), "range_unit": "kg", "uncertainty": Decimal("5"),
        "uncertainty_unit": "mg", "coverage_factor": Decimal("2"), "level": "social_public"}, actor=w.admin)
    StandardCalibration.objects.create(standard=child, certificate_no="C-9", laboratory=w.inst_p.name,
                                       calibrated_on=dt.date(2026, 1, 5), valid_until=dt.date(2027, 1, 4))
    tworld.rebuild()
    link = Link.objects.get(certificate_no="C-9")
    assert link.parent_id != small.pk
