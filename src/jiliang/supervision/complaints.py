"""Complaints from the public about one instrument (投诉), made on its public status page (/i/<code>): the business
acts, each in a transaction and audited.

* **Receipt**: anyone (no sign-in) reports a problem; the complaint goes to the bureau of the county where the
  instrument is located (the instrument's region), numbered ``TS-<county code>-<year>-<sequence, 4 digits>``,
  e.g. ``TS-320583-2026-0007`` (one more than the highest number given in that county and year; complaints are
  never deleted, so a number is never reused; the unique constraint on the number guards a race).
* **Decision**: the bureau accepts or rejects it within 7 working days of receipt (《市场监督管理投诉举报处理暂行办法》,
  SAMR Order 20 of 2019, amended 2022-03-24, Art. 14; shared/reference/supervision-integrity-licensing.md §3.3);
  ``decide_by`` is the 7th working day after the day of receipt (supervision/workdays.py: the day of receipt is not
  counted). A rejection says why (the reason is the reply).
* **Closing**: an accepted complaint is closed with a reply.

Who acts: the county bureau of the complaint's county only (it is the bureau the complaint is addressed to); the
city and provincial bureaus above it read the complaint but do not decide it; institutes and enterprises see none.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiliang.core import audit
from jiliang.core.models import Region
from jiliang.core.roles import Role
from jiliang.core.scoping import user_role
from jiliang.registry.models import Instrument

from . import workdays
from .models import Complaint, ComplaintKind, ComplaintStatus
from .notices import next_in_series

#: SAMR Order 20 (2019, amended 2022-03-24) Art. 14: accept or reject within 7 working days of receipt.
DECISION_WORKING_DAYS = 7
TEXT_MAX = 2000
CONTACT_MAX = 100
REPLY_MAX = 2000


def next_number(region: Region, year: int) -> str:
    return next_in_series(Complaint, f"TS-{region.code}-{year}-")


def decide_by(received_on: dt.date) -> dt.date:
    """The last day to accept or reject a complaint received on ``received_on`` (Order 20 Art. 14)."""
    return workdays.add_working_days(received_on, DECISION_WORKING_DAYS)


def is_overdue(complaint: Complaint, today: dt.date | None = None) -> bool:
    """Still undecided after its decide-by date."""
    today = today or timezone.localdate()
    return complaint.status == ComplaintStatus.RECEIVED and complaint.decide_by < today


def clean_input(kind: str, text: str, contact: str) -> tuple[str, str, str]:
    """The complaint's fields, stripped, or a ValidationError naming each bad field and why."""
    kind, text, contact = (kind or "").strip(), (text or "").strip(), (contact or "").strip()
    errors: dict[str, list[str]] = {}
    if kind not in ComplaintKind.values:
        errors["kind"] = [_("Choose what the problem is about.")]
    if not text:
        errors["text"] = [_("Say what happened.")]
    elif len(text) > TEXT_MAX:
        errors["text"] = [_("At most %(max)d characters, not %(n)d.") % {"max": TEXT_MAX, "n": len(text)}]
    if len(contact) > CONTACT_MAX:
        errors["contact"] = [_("At most %(max)d characters, not %(n)d.") % {"max": CONTACT_MAX, "n": len(contact)}]
    if errors:
        raise ValidationError(errors)
    return kind, text, contact


def submit(*, instrument: Instrument, kind: str, text: str, contact: str = "",
           received_on: dt.date | None = None) -> Complaint:
    """A complaint from the public about ``instrument``, for the bureau of its county (no actor: the public)."""
    kind, text, contact = clean_input(kind, text, contact)
    received_on = received_on or timezone.localdate()
    with transaction.atomic():
        region = Region.objects.select_for_update().get(pk=instrument.region_id)  # one number at a time per county
        complaint = Complaint.objects.create(
            number=next_number(region, received_on.year), instrument=instrument, region=region, kind=kind,
            text=text, contact=contact, decide_by=decide_by(received_on))
        # The audit trail records the act, not the complainant's words or contact.
        audit.record(complaint, "create", actor=None,
                     after={"number": complaint.number, "instrument": instrument.pk, "kind": kind,
                            "decide_by": complaint.decide_by.isoformat()},
                     message=_("Complaint received on the public status page"))
    return complaint


def may_act(user, complaint: Complaint) -> bool:
    """Only the county bureau the complaint is addressed to decides and closes it."""
    return (getattr(user, "is_authenticated", False) and user.is_active
            and user_role(user) == Role.COUNTY_BUREAU and user.region_id == complaint.region_id)


def _decide(complaint: Complaint, *, actor, allowed_from: str, to: str, reply: str, reply_required: str | None,
            message: str) -> Complaint:
    if not may_act(actor, complaint):
        raise PermissionDenied(_("Only the bureau of the county where the instrument is located handles this "
                                 "complaint."))
    reply = (reply or "").strip()
    if reply_required and not reply:
        raise ValidationError({"reply": [reply_required]})
    if len(reply) > REPLY_MAX:
        raise ValidationError({"reply": [_("At most %(max)d characters, not %(n)d.")
                                         % {"max": REPLY_MAX, "n": len(reply)}]})
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if locked.status != allowed_from:
            raise ValidationError({"status": [_("The complaint is %(status)s; this step needs it %(needed)s.")
                                              % {"status": locked.get_status_display(),
                                                 "needed": ComplaintStatus(allowed_from).label}]})
        before = {"status": locked.status, "reply": locked.reply}
        locked.status, locked.handled_by, locked.handled_at = to, actor, timezone.now()
        if reply:
            locked.reply = reply
        locked.save(update_fields=["status", "handled_by", "handled_at", "reply", "last_updated"])
        audit.record(locked, "action", actor=actor, before=before,
                     after={"status": locked.status, "reply": locked.reply}, message=message)
    return locked


def accept(complaint: Complaint, *, actor, reply: str = "") -> Complaint:
    return _decide(complaint, actor=actor, allowed_from=ComplaintStatus.RECEIVED, to=ComplaintStatus.ACCEPTED,
                   reply=reply, reply_required=None, message=_("Complaint accepted"))


def reject(complaint: Complaint, *, actor, reason: str) -> Complaint:
    return _decide(complaint, actor=actor, allowed_from=ComplaintStatus.RECEIVED, to=ComplaintStatus.REJECTED,
                   reply=reason, reply_required=_("Say why the complaint is not accepted."),
                   message=_("Complaint not accepted"))


def close(complaint: Complaint, *, actor, reply: str) -> Complaint:
    return _decide(complaint, actor=actor, allowed_from=ComplaintStatus.ACCEPTED, to=ComplaintStatus.CLOSED,
                   reply=reply, reply_required=_("Write the reply that closes the complaint."),
                   message=_("Complaint closed"))


ACTIONS = {"accept": accept, "reject": lambda c, *, actor, reply: reject(c, actor=actor, reason=reply),
           "close": close}
