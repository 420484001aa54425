"""Notices to verify within a deadline (限期检定通知书) and on-site findings: the business acts, each in a
transaction and audited (records of legal effect).

Numbering: ``<issuing county's GB/T 2260 code>-<year of issue>-<sequence, 4 digits>``, e.g. ``330106-2026-0007``;
the sequence is one more than the highest number ever given in that county and year. Notices are never deleted
(withdrawn ones keep their number), so a number is never reused; the unique constraint on the number guards a race.

Legal basis printed on the notice: 细则 Art. 22 (no use of an instrument without a valid verification, or past its
period) and Art. 43 (order to stop using, fine up to 1000 yuan), as quoted in notice_pdf.BASIS.

A notice is complied when every instrument on it has a non-void passing verification on or after the day of issue;
lapsed when its deadline passed before that. The daily run (reminders.notices) and each state refresh check it.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jiliang.core import audit
from jiliang.core.models import Region
from jiliang.core.roles import Role
from jiliang.core.scoping import VIEW, user_role
from jiliang.registry.models import Instrument, Organisation
from jiliang.verification.services.base import notify_organisation

from . import notice_pdf
from .models import Finding, InstrumentState, Notice, NoticeStatus, Result, Status, VerificationEvent

NOTICE_STATUSES = (Status.OVERDUE, Status.NEVER_VERIFIED, Status.FAILED)
PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


def _require_county_bureau(actor) -> Region:
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied(_("Sign in first."))
    if user_role(actor) != Role.COUNTY_BUREAU or actor.region_id is None:
        raise PermissionDenied(_("Only a county bureau issues notices and records on-site findings."))
    return actor.region


def next_in_series(model, prefix: str) -> str:
    """``prefix`` + one more than the highest 4-digit sequence ``model`` numbered with it (notices, complaints)."""
    last = (model.objects.filter(number__startswith=prefix).order_by("-number")
            .values_list("number", flat=True).first())
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:04d}"


def next_number(region: Region, year: int) -> str:
    return next_in_series(Notice, f"{region.code}-{year}-")


def _content(notice: Notice) -> notice_pdf.NoticeContent:
    states = {s.pk: s for s in InstrumentState.objects.filter(pk__in=notice.instruments.values("pk"))}
    rows = []
    with translation.override("zh-hans"):
        for i in notice.instruments.select_related("category").order_by("pk"):
            st = states.get(i.pk)
            rows.append((i.category.name, i.model, i.serial_number, i.address,
                         str(st.get_status_display()) if st else ""))
        bureau = notice.bureau_region.name + "市场监督管理局"
    return notice_pdf.NoticeContent(number=notice.number, bureau=bureau, owner=notice.owner.name,
                                    owner_address=getattr(notice.owner, "address", ""),
                                    issued_on=f"{notice.issued_on:%Y年%m月%d日}",
                                    deadline=f"{notice.deadline:%Y年%m月%d日}", instruments=rows)


def issue_notice(*, actor, owner: Organisation, instruments: list[Instrument], deadline: dt.date,
                 issued_on: dt.date | None = None) -> Notice:
    """A county bureau's notice to ``owner`` to have ``instruments`` (overdue, never verified or failed, in the
    bureau's county) verified by ``deadline``; the owner is notified in the app and by e-mail."""
    region = _require_county_bureau(actor)
    issued_on = issued_on or timezone.localdate()
    errors = {}
    if not Organisation.objects.restrict(actor, VIEW).filter(pk=owner.pk).exists():
        raise PermissionDenied(_("%(owner)s is outside your region.") % {"owner": owner})
    if deadline <= issued_on:
        errors["deadline"] = [_("The deadline must be after the day of issue (%(d)s).") % {"d": issued_on}]
    if not instruments:
        errors["instruments"] = [_("Select at least one instrument.")]
    visible = set(Instrument.objects.restrict(actor, VIEW).filter(pk__in=[i.pk for i in instruments])
                  .values_list("pk", flat=True))
    states = dict(InstrumentState.objects.filter(pk__in=[i.pk for i in instruments]).values_list("pk", "status"))
    bad = []
    for i in instruments:
        if i.pk not in visible:
            bad.append(_("instrument %(pk)s is outside your region") % {"pk": i.pk})
        elif i.owner_id != owner.pk:
            bad.append(_("instrument %(pk)s belongs to another owner") % {"pk": i.pk})
        elif states.get(i.pk) not in NOTICE_STATUSES:
            bad.append(_("instrument %(pk)s is not overdue, never verified or failed") % {"pk": i.pk})
    if bad:
        errors.setdefault("instruments", []).extend(bad)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Region.objects.select_for_update().filter(pk=region.pk).first()  # one number at a time per county
        notice = Notice.objects.create(number=next_number(region, issued_on.year), bureau_region=region,
                                       owner=owner, issued_on=issued_on, deadline=deadline,
                                       basis=notice_pdf.BASIS[:300], issued_by=actor)
        notice.instruments.set(instruments)
        notice.pdf = notice_pdf.render(_content(notice))
        notice.save(update_fields=["pdf"])
        audit.record(notice, "create", actor=actor,
                     after={"number": notice.number, "owner": owner.pk, "deadline": deadline.isoformat(),
                            "instruments": sorted(i.pk for i in instruments)},
                     message=_("Notice to verify issued"))
        notify_organisation(owner, _("Notice %(number)s: have %(n)d instrument(s) verified by %(deadline)s "
                                     "(Implementing Rules Art. 22, 43).")
                            % {"number": notice.number, "n": len(instruments), "deadline": deadline},
                            subject=_("[jiliang] Notice to verify %(number)s") % {"number": notice.number})
    return notice


def mark_read(notice: Notice, *, actor) -> Notice:
    """The owner's read receipt: the first time one of its users opens the notice."""
    if notice.read_at is None and user_role(actor) == Role.ENTERPRISE and actor.organisation_id == notice.owner_id:
        with transaction.atomic():
            notice.read_at = timezone.now()
            notice.save(update_fields=["read_at", "last_updated"])
            audit.record(notice, "action", actor=actor, after={"read_at": notice.read_at.isoformat()},
                         message=_("Notice read by the owner"))
    return notice


def standing(notice: Notice, today: dt.date) -> str:
    """What the notice's status should be on ``today`` (open, complied or lapsed); withdrawn stays withdrawn."""
    if notice.status == NoticeStatus.WITHDRAWN:
        return notice.status
    ids = set(notice.instruments.values_list("pk", flat=True))
    verified = set(VerificationEvent.objects.filter(instrument_id__in=ids, void=False, result=Result.PASS,
                                                    verified_on__gte=notice.issued_on)
                   .values_list("instrument_id", flat=True))
    if ids and ids <= verified:
        return NoticeStatus.COMPLIED
    if today > notice.deadline:
        return NoticeStatus.LAPSED
    return NoticeStatus.OPEN


def update_standing(pk: int, today: dt.date) -> str | None:
    """Move an open notice to complied or lapsed when due; returns the new status, or None if unchanged."""
    with transaction.atomic():
        notice = Notice.objects.select_for_update().get(pk=pk)
        if notice.status != NoticeStatus.OPEN:
            return None
        new = standing(notice, today)
        if new == notice.status:
            return None
        notice.status = new
        notice.save(update_fields=["status", "last_updated"])
        audit.record(notice, "action", before={"status": NoticeStatus.OPEN}, after={"status": new},
                     message=_("Notice %(status)s") % {"status": NoticeStatus(new).label})
    return new


def after_refresh(instrument_ids, today: dt.date) -> None:
    """Open notices of these instruments after a state refresh (a verification may have complied them)."""
    ids = list(instrument_ids)
    if not Notice.objects.filter(status=NoticeStatus.OPEN).exists():
        return
    for start in range(0, len(ids), 500):
        for pk in (Notice.objects.filter(status=NoticeStatus.OPEN, instruments__in=ids[start:start + 500])
                   .values_list("pk", flat=True).distinct()):
            update_standing(pk, today)


def photo_type(data: bytes) -> str:
    """The photo's MIME type from its magic bytes (JPEG or PNG), or a ValidationError naming the problem."""
    if len(data) > PHOTO_MAX_BYTES:
        raise ValidationError({"photo": [_("The photo is %(mb).1f MB; at most 10 MB.") % {"mb": len(data) / 2**20}]})
    for magic, mime in PHOTO_TYPES.items():
        if data.startswith(magic):
            return mime
    raise ValidationError({"photo": [_("The photo must be a JPEG or PNG image.")]})


def record_finding(*, actor, instrument: Instrument, found_on: dt.date, kind: str, detail: str = "",
                   measure: str = "", photos=(), latitude=None, longitude=None,
                   notice: Notice | None = None) -> Finding:
    """An inspector's on-site finding about one instrument: the county bureau's own, or one a campaign assigned
    (onsite.record_finding: several photos, the campaign target linked and checked)."""
    from . import onsite

    return onsite.record_finding(actor=actor, instrument=instrument, found_on=found_on, kind=kind, detail=detail,
                                 measure=measure, photos=photos, latitude=latitude, longitude=longitude,
                                 notice=notice)
