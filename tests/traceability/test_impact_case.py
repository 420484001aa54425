"""Opening a reverse-traceability case, its records and window, decisions, the public flag, notices, the report."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from openpyxl import load_workbook
from tests.conftest import web_client_for
from tests.traceability.impact_fixtures import icase  # noqa: F401
from tests.verification.verification_helpers import pdf_text

from jiliang.core.audit import audit_context
from jiliang.core.jobs.models import Job, JobState
from jiliang.traceability import impact
from jiliang.traceability.models import AffectedRecord, Decision, ImpactStatus, NodeKind
from jiliang.verification.models import Certificate, CertificateStatus, Notification


def opened(icase, notify=True):  # noqa: F811
    with audit_context(actor=icase.institute, channel="web"):
        return impact.open_standard_case(icase.w.standard_p, actor=icase.institute, found_on=icase.today,
                                         reason="期间核查超差", notify=notify)


def test_the_window_and_the_records(icase):  # noqa: F811
    w = icase.w
    case = opened(icase)
    assert case.last_good_on == icase.today - dt.timedelta(days=100)  # NIM's calibration, before the finding
    got = {(r.node_kind, r.node_id, r.certificate_no, r.depth) for r in case.affected.all()}
    assert got == {(NodeKind.INSTRUMENT, w.instrument_ks.pk, icase.cert.number, 1),
                   (NodeKind.STANDARD, w.standard_nj.pk, "JSJL-NJ-1", 1),
                   (NodeKind.INSTRUMENT, w.instrument_xw.pk, "NJ-XW-1", 2)}  # not OLD-KS-1 nor NJ-XW-0
    assert (case.affected_certificates, case.affected_instruments, case.affected_standards) == (3, 2, 1)
    ks = case.affected.get(node_id=w.instrument_ks.pk)
    assert ks.certificate_id == icase.cert.pk and ks.owner_id == w.ent_ks.pk and ks.region_id == "320583"
    assert case.status == ImpactStatus.OPEN and case.organisation_id == w.inst_p.pk


def test_a_finding_before_the_last_calibration_reaches_less(icase):  # noqa: F811
    with audit_context(actor=icase.institute, channel="web"):
        case = impact.open_standard_case(icase.w.standard_p, actor=icase.institute, reason="x",
                                         found_on=icase.today - dt.timedelta(days=7))
    # window [today-200 … wait: the last calibration before the finding is still today-100]; the certificate of
    # today is after the finding, the calibration of Nanjing (today-10) and what followed it are inside
    assert {r.certificate_no for r in case.affected.all()} == {"JSJL-NJ-1", "NJ-XW-1"}


def test_bad_input_and_who_may_open(icase):  # noqa: F811
    w = icase.w
    with pytest.raises(ValidationError):
        impact.open_standard_case(w.standard_p, actor=icase.institute, found_on=icase.today, reason=" ")
    with pytest.raises(ValidationError):
        impact.open_standard_case(w.standard_p, actor=icase.institute, found_on=icase.today + dt.timedelta(days=1),
                                  reason="x")
    for name in ("enterprise", "kunshan", "xuanwu"):
        with pytest.raises(PermissionDenied):
            impact.open_standard_case(w.standard_p, actor=w.users[name], found_on=icase.today, reason="x")


def test_notices_to_owners_and_institutes(icase):  # noqa: F811
    w = icase.w
    before = set(Notification.objects.values_list("pk", flat=True))
    opened(icase)
    new = Notification.objects.exclude(pk__in=before)
    assert set(new.values_list("organisation_id", flat=True)) == {w.ent_ks.pk, w.ent_xw.pk, w.inst_p.pk, w.inst_nj.pk}
    assert icase.cert.number in new.get(organisation=w.ent_ks).message


def test_decisions_close_the_case_and_revoke(icase):  # noqa: F811
    w = icase.w
    case = opened(icase)
    recs = {r.certificate_no: r for r in case.affected.all()}
    with pytest.raises(PermissionDenied):  # an owner does not decide
        impact.decide(recs[icase.cert.number], actor=w.users["enterprise"], decision=Decision.UPHELD)
    with pytest.raises(ValidationError):  # a revocation says why
        impact.decide(recs[icase.cert.number], actor=icase.institute, decision=Decision.REVOKED)
    with audit_context(actor=icase.institute, channel="web"):
        impact.decide(recs[icase.cert.number], actor=icase.institute, decision=Decision.REVOKED, note="复检不合格")
        impact.decide(recs["JSJL-NJ-1"], actor=icase.institute, decision=Decision.REISSUED, note="JSJL-NJ-2")
    assert Certificate.objects.get(pk=icase.cert.pk).status == CertificateStatus.REVOKED
    case.refresh_from_db()
    assert case.status == ImpactStatus.OPEN
    with audit_context(actor=icase.institute, channel="web"):
        impact.decide(recs["NJ-XW-1"], actor=icase.institute, decision=Decision.UPHELD)
    case.refresh_from_db()
    assert case.status == ImpactStatus.CLOSED
    assert AffectedRecord.objects.get(pk=recs["NJ-XW-1"].pk).decided_by == icase.institute
    from jiliang.core.models import AuditEntry

    assert AuditEntry.objects.filter(object_type="traceability.affectedrecord").count() == 3
    with pytest.raises(ValidationError):
        impact.decide(recs["NJ-XW-1"], actor=icase.institute, decision=Decision.REVOKED, note="x")


def test_the_public_check_page_flags_the_certificate_until_decided(icase):  # noqa: F811
    cert = icase.cert

    def public(lang="zh-hans"):
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
        return client.get(f"/verify/{cert.number}", {"code": cert.check_code})

    assert 'id="notice-traceability-under-review"' not in public().content.decode()
    case = opened(icase)
    zh, en = public().content.decode(), public("en").content.decode()
    assert 'id="notice-traceability-under-review"' in zh and "复核中" in zh
    assert "Under review" in en
    js = Client().get(f"/verify/{cert.number}.json", {"code": cert.check_code}).json()
    assert js["notices"][0]["key"] == "traceability-under-review"
    rec = case.affected.get(certificate=cert)
    with audit_context(actor=icase.institute, channel="web"):
        impact.decide(rec, actor=icase.institute, decision=Decision.UPHELD)
    assert 'id="notice-traceability-under-review"' not in public().content.decode()


@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_the_report_job(icase, fmt):  # noqa: F811
    case = opened(icase)
    c = web_client_for(icase.institute)
    r = c.post(f"/traceability/impact/{case.pk}/report/", {"format": fmt})
    assert r.status_code == 302
    job = Job.objects.get(kind="impact-report")
    assert job.state == JobState.DONE, job.error
    data = (Path(settings.JILIANG_JOBS_DIR) / job.result_path).read_bytes()
    if fmt == "pdf":
        text = "".join(pdf_text(data))
        assert "反向溯源" in text and icase.cert.number in text and "NJ-XW-1" in text
    else:
        ws = load_workbook(io.BytesIO(data)).worksheets[0]
        rows = list(ws.iter_rows(values_only=True))
        assert len(rows) == 1 + 3
        assert {row[3] for row in rows[1:]} == {icase.cert.number, "JSJL-NJ-1", "NJ-XW-1"}


def test_a_revoked_certificate_case(icase):  # noqa: F811
    """A certificate our institute issued for a standard's calibration is revoked: the standards it calibrated
    and what they calibrated since are reached."""
    from jiliang.traceability.models import Link, LinkSource

    Link.objects.filter(certificate_no="JSJL-NJ-1").update(certificate_no=icase.cert.number)
    with audit_context(actor=icase.institute, channel="web"):
        case = impact.open_certificate_case(icase.cert, actor=icase.institute, reason="证书撤销")
    assert {(r.certificate_no, r.depth) for r in case.affected.all()} == {(icase.cert.number, 1), ("NJ-XW-1", 2)}
    assert Link.objects.filter(source=LinkSource.CALIBRATION, certificate_no=icase.cert.number).exists()
