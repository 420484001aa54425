"""The chain check through the real path: certificates issued and revoked and calibrations recorded through
verification's services keep the links current (no rebuild), and the service answers for instruments, standards
and a whole province."""

import datetime as dt
import math
from io import StringIO

import pytest
from django.core.management import call_command
from tests.verification.fixtures import dcc_schema  # noqa: F401

from jiliang.registry import models as rm
from jiliang.traceability import chain_check
from jiliang.traceability.models import ExternalKind, ExternalNode, Link, LinkSource, NodeKind
from jiliang.verification import services


@pytest.fixture(autouse=True)
def _english():
    """Service answers in English (the site's language is Chinese; the API test checks both)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def ranged(tworld):
    """The provincial weights with a range (0–20 kg) and a calibration by NIM recorded after NIM became a node
    (the flow's first calibration named NIM before it did, and stays unresolved until a rebuild)."""
    w, today = tworld.world, tworld.flow.today
    rm.MeasurementStandard.objects.filter(pk=w.standard_p.pk).update(range_min=0, range_max=20, range_unit="kg")
    tworld.nim_cal = services.record_standard_calibration(
        w.standard_p, actor=w.admin, certificate_no="NIM-2026-0002", laboratory="NIM",
        calibrated_on=today - dt.timedelta(days=10), valid_until=today + dt.timedelta(days=355),
        results=[{"quantity": "mass", "U": "0.1", "unit": "mg", "k": "2"}])
    return tworld


def test_an_issued_certificate_gives_a_traceable_chain_without_a_rebuild(ranged):
    w, today = ranged.world, ranged.flow.today
    cert = ranged.certify()
    link = Link.objects.get(source=LinkSource.CERTIFICATE, source_id=cert.pk)
    # the item's smallest MPE (JJG 539: 0.5 e at Min, e = 5 g) and no ratio of its own in the rules data
    assert float(link.item_mpe) * {"kg": 1000, "g": 1}[link.item_mpe_unit] == 2.5
    answer = chain_check.check_instrument(w.instrument_ks, today)
    assert answer["traceable"], answer["summary"]
    assert [r["name"] for r in answer["roots"]] == ["中国计量科学研究院"]
    assert [s["link"]["certificate_no"] for s in answer["steps"]] == [cert.number, "NIM-2026-0002"]
    # hand computation: U/k over the 20 kg upper end, 0.5 mg and 0.1 mg, k = 2
    by_hand = math.sqrt((0.5 / 2 / 2e7) ** 2 + (0.1 / 2 / 2e7) ** 2)
    acc = answer["accumulated_uncertainty"]
    assert acc["relative_standard_uncertainty"] == pytest.approx(by_hand, rel=1e-2)
    assert acc["links_left_out"] == 0 and "Estimate" in acc["label"]


def test_revoking_the_certificate_breaks_the_chain_at_once(ranged):
    w, today = ranged.world, ranged.flow.today
    cert = ranged.certify()
    services.revoke_certificate(cert, actor=ranged.flow.institute_user, reason="数据录入错误")
    answer = chain_check.check_instrument(w.instrument_ks, today)
    assert not answer["traceable"] and answer["broken_at"] == 1
    assert answer["steps"][0]["problems"][0]["code"] == "void"
    assert answer["summary"] == f"Broken at link 1 because Certificate {cert.number} of " \
                                f"{w.instrument_ks.instrument_code} was revoked."


def test_a_calibration_naming_an_unknown_laboratory_breaks_the_standards_link(ranged):
    w, today = ranged.world, ranged.flow.today
    ranged.certify()
    services.record_standard_calibration(w.standard_p, actor=w.admin, certificate_no="X-77", laboratory="某不知名实验室",
                                         calibrated_on=today - dt.timedelta(days=1),
                                         valid_until=today + dt.timedelta(days=300))
    answer = chain_check.check_instrument(w.instrument_ks, today)
    assert answer["broken_at"] == 2
    assert answer["steps"][1]["problems"][0]["code"] == "unknown_parent"
    assert "某不知名实验室" in answer["summary"]


def test_an_accredited_lab_without_accreditation_data_does_not_end_a_chain(ranged):
    w, today = ranged.world, ranged.flow.today
    lab = ExternalNode(name="某校准实验室", kind=ExternalKind.CNAS_LAB, accepted=True)
    ExternalNode.objects.bulk_create([lab])  # as an old import left it: clean() would refuse it
    services.record_standard_calibration(w.standard_p, actor=w.admin, certificate_no="L-1", laboratory="某校准实验室",
                                         calibrated_on=today - dt.timedelta(days=2),
                                         valid_until=today + dt.timedelta(days=300))
    answer = chain_check.check_standard(w.standard_p, today)
    assert not answer["traceable"]
    assert answer["steps"][0]["problems"][0]["code"] == "no_accreditation"


def test_a_standard_used_before_it_existed(ranged):
    w, today = ranged.world, ranged.flow.today
    ranged.certify()
    rm.MeasurementStandard.objects.filter(pk=w.standard_p.pk).update(valid_from=today + dt.timedelta(days=1))
    # the first calibration (100 days ago) says it existed then: the assessment certificate is what fails
    answer = chain_check.check_instrument(w.instrument_ks, today)
    assert answer["steps"][0]["problems"][0]["code"] == "assessment"
    from jiliang.verification.models import StandardCalibration

    StandardCalibration.objects.filter(standard=w.standard_p).update(calibrated_on=today + dt.timedelta(days=1))
    answer = chain_check.check_instrument(w.instrument_ks, today)
    assert answer["steps"][0]["problems"][0]["code"] == "before_existed"


def test_the_chain_of_a_standard_and_of_a_province(ranged):
    w, today = ranged.world, ranged.flow.today
    ranged.certify()
    assert chain_check.check_standard(w.standard_p, today)["traceable"]
    out = chain_check.check_all(rm.Instrument.objects.all(), today)
    assert out["traceable"] == 1 and out["broken"] == out["instruments"] - 1
    assert out["reasons"] == {"no_link": out["instruments"] - 1}


def test_the_rebuild_command_resolves_what_the_signals_could_not(tworld):
    w, today = tworld.world, tworld.flow.today
    tworld.certify()
    # the flow's calibration named NIM before NIM was a node: broken until the graph is rebuilt
    assert chain_check.check_instrument(w.instrument_ks, today)["broken_at"] == 2
    out = StringIO()
    call_command("traceability-rebuild", stdout=out)
    assert "certificate: 1" in out.getvalue() and "broken: 0" in out.getvalue()
    assert chain_check.check_instrument(w.instrument_ks, today)["traceable"]
    assert Link.objects.filter(child_kind=NodeKind.STANDARD, parent_kind=NodeKind.EXTERNAL,
                               parent_id=tworld.nim.pk).exists()



def test_a_dcc_import_becomes_a_link_at_once(tworld, dcc_schema):  # noqa: F811
    """PTB's good-practice DCC imported as a calibration of the Nanjing weights: its laboratory is no node here, so
    the link is kept with the laboratory's name and the standard's chain says so."""
    from pathlib import Path

    w = tworld.world
    example = (Path(__file__).parent.parent / "verification" / "dcc" / "data" / "dcc_gp_humidity_v1.0.xml").read_bytes()
    cal = services.import_dcc(w.standard_nj, example, actor=w.admin, valid_until=dt.date(2030, 1, 1))
    link = Link.objects.get(source=LinkSource.CALIBRATION, source_id=cal.pk)
    assert (link.child_kind, link.child_id, link.parent_id) == (NodeKind.STANDARD, w.standard_nj.pk, None)
    assert link.parent_name == cal.laboratory and link.certificate_no == cal.certificate_no
    answer = chain_check.check_standard(w.standard_nj, cal.calibrated_on)
    assert answer["steps"][0]["problems"][0]["code"] == "unknown_parent"
