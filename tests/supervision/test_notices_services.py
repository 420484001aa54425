"""Notices to verify and on-site findings (supervision/notices.py): numbering, PDF text, notification, audit,
read receipt, complied and lapsed, and the refusals with clear errors."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from pypdf import PdfReader

from jiliang.core.models import AuditEntry
from jiliang.supervision import daily, notices, state
from jiliang.supervision.models import NoticeStatus, VerificationEvent
from jiliang.verification.models import Notification

from .conftest import JPEG


def pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(bytes(data))).pages)


def test_numbers_by_county_and_year_never_reused(sup):
    w = sup.world
    year = timezone.localdate().year
    assert sup.notice_ks.number == f"320583-{year}-0001"
    assert sup.notice_xw.number == f"320102-{year}-0001"
    sup.notice_ks.status = NoticeStatus.WITHDRAWN
    sup.notice_ks.save()
    again = notices.issue_notice(actor=w.users["kunshan"], owner=w.ent_ks, instruments=[w.instrument_ks],
                                 deadline=timezone.localdate() + dt.timedelta(days=10))
    assert again.number == f"320583-{year}-0002"
    assert notices.next_number(w.users["kunshan"].region, 2031) == "320583-2031-0001"


def test_pdf_reads_in_chinese_with_number_owner_instrument_and_basis(sup):
    text = pdf_text(sup.notice_ks.pdf)
    assert "限期检定通知书" in text
    assert sup.notice_ks.number in text
    assert "昆山精密机械有限公司" in text and "KS-0001" in text
    assert "第二十二条" in text and "第四十三条" in text and "1000元以下" in text
    assert "昆山市" in text  # the issuing county


def test_owner_notified_and_issue_audited(sup, django_capture_on_commit_callbacks):
    w = sup.world
    note = Notification.objects.filter(organisation=w.ent_ks).latest("pk")
    assert sup.notice_ks.number in note.message
    assert AuditEntry.objects.filter(object_type="supervision.notice", object_id=str(sup.notice_ks.pk),
                                     action="create").exists()
    w.ent_ks.contact_email = "owner@ks.example"
    w.ent_ks.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        n = notices.issue_notice(actor=w.users["kunshan"], owner=w.ent_ks, instruments=[w.instrument_ks],
                                 deadline=timezone.localdate() + dt.timedelta(days=10))
    assert [m.to for m in mail.outbox] == [["owner@ks.example"]] and n.number in mail.outbox[0].subject


def test_read_receipt_only_for_the_owner(sup):
    w = sup.world
    notices.mark_read(sup.notice_ks, actor=w.users["kunshan"])
    assert sup.notice_ks.read_at is None
    notices.mark_read(sup.notice_ks, actor=w.users["enterprise"])
    first = sup.notice_ks.read_at
    assert first is not None
    notices.mark_read(sup.notice_ks, actor=w.users["enterprise"])
    assert sup.notice_ks.read_at == first


def test_complied_when_every_instrument_is_verified_on_refresh(sup):
    w = sup.world
    VerificationEvent.objects.create(institution=w.inst_p, number="NEW-1", instrument=w.instrument_ks,
                                     source="reported", kind="periodic", verified_on=timezone.localdate(),
                                     result="pass", next_due=timezone.localdate() + dt.timedelta(days=365))
    state.refresh([w.instrument_ks.pk])
    sup.notice_ks.refresh_from_db()
    assert sup.notice_ks.status == NoticeStatus.COMPLIED
    assert AuditEntry.objects.filter(object_type="supervision.notice", object_id=str(sup.notice_ks.pk),
                                     action="action").exists()


def test_a_failed_verification_does_not_comply(sup):
    w = sup.world
    VerificationEvent.objects.create(institution=w.inst_p, number="NEW-F", instrument=w.instrument_ks,
                                     source="reported", kind="periodic", verified_on=timezone.localdate(),
                                     result="fail")
    state.refresh([w.instrument_ks.pk])
    sup.notice_ks.refresh_from_db()
    assert sup.notice_ks.status == NoticeStatus.OPEN


def test_lapsed_after_the_deadline_in_the_daily_run(sup):
    out = daily.run(sup.notice_ks.deadline + dt.timedelta(days=1))
    assert out["notices complied or lapsed"] == 2
    sup.notice_ks.refresh_from_db()
    assert sup.notice_ks.status == NoticeStatus.LAPSED
    assert daily.run(sup.notice_ks.deadline + dt.timedelta(days=2))["notices complied or lapsed"] == 0


def test_refusals(sup):
    w = sup.world
    later = timezone.localdate() + dt.timedelta(days=10)
    with pytest.raises(PermissionDenied):
        notices.issue_notice(actor=w.users["suzhou"], owner=w.ent_ks, instruments=[w.instrument_ks], deadline=later)
    with pytest.raises(PermissionDenied):
        notices.issue_notice(actor=w.users["kunshan"], owner=w.ent_xw, instruments=[w.instrument_xw], deadline=later)
    with pytest.raises(ValidationError) as exc:
        notices.issue_notice(actor=w.users["kunshan"], owner=w.ent_ks, instruments=[w.instrument_ks, w.instrument_xw],
                             deadline=timezone.localdate())
    errors = exc.value.message_dict
    assert "deadline" in errors and any(f"{w.instrument_xw.pk} 不在您的辖区内" in e
                                        for e in errors["instruments"])


def test_a_valid_instrument_cannot_be_put_on_a_notice(world):
    VerificationEvent.objects.create(institution=world.inst_p, number="V-1", instrument=world.instrument_ks,
                                     source="reported", kind="periodic", verified_on=timezone.localdate(),
                                     result="pass", next_due=timezone.localdate() + dt.timedelta(days=365))
    state.refresh([world.instrument_ks.pk])
    with pytest.raises(ValidationError, match="并非超期未检、从未检定或检定不合格"):
        notices.issue_notice(actor=world.users["kunshan"], owner=world.ent_ks, instruments=[world.instrument_ks],
                             deadline=timezone.localdate() + dt.timedelta(days=5))


def test_finding_photo_checks_and_scope(sup):
    w = sup.world
    today = timezone.localdate()
    assert [p.content_type for p in sup.finding_ks.photos.all()] == ["image/png"]
    assert [p.content_type for p in sup.finding_xw.photos.all()] == ["image/jpeg"]
    with pytest.raises(ValidationError, match="JPEG 或 PNG"):
        notices.record_finding(actor=w.users["kunshan"], instrument=w.instrument_ks, found_on=today, kind="other",
                               photos=[b"GIF89a" + b"\x00" * 10])
    with pytest.raises(ValidationError, match="不得超过 10 MB"):
        notices.record_finding(actor=w.users["kunshan"], instrument=w.instrument_ks, found_on=today, kind="other",
                               photos=[JPEG + b"\x00" * (10 * 1024 * 1024)])
    with pytest.raises(PermissionDenied):
        notices.record_finding(actor=w.users["kunshan"], instrument=w.instrument_xw, found_on=today, kind="other")
    with pytest.raises(PermissionDenied):
        notices.record_finding(actor=w.users["enterprise"], instrument=w.instrument_ks, found_on=today, kind="other")
    with pytest.raises(ValidationError) as exc:
        notices.record_finding(actor=w.users["kunshan"], instrument=w.instrument_ks,
                               found_on=today + dt.timedelta(days=1), kind="bogus", latitude=31)
    assert {"found_on", "kind", "latitude"} <= set(exc.value.message_dict)
