"""Due-soon and overdue reminders, and the notices' standing: steps of the daily run (daily.STEPS).

* Due soon: the owner of an instrument whose next due date is within SupervisionSettings.lead_days is reminded once
  per instrument and due date. Zhejiang 条例 Art. 18 obliges the bureau to remind users of instruments near the end
  of their period ("对临近检定周期的计量器具，及时提醒使用者按期申请检定"); the lead time is configuration, not law
  (reference/supervision-integrity-licensing.md §3.2).
* Overdue: when an instrument passes its due date, its owner and the county bureau of its region are told once
  (细则 Art. 22: using an instrument past its period is forbidden).

"Once" is the Reminder's unique (instrument, kind, due): the row is written in the same transaction as the
notification, so a second run finds it and sends nothing. Many instruments of one owner make one message: one in-app
notification (verification.Notification, the list owners already read) and one e-mail to the contact address.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from jiliang.registry.models import Organisation, OrganisationKind
from jiliang.verification.services.base import notify_organisation

from .models import InstrumentState, Notice, NoticeStatus, Reminder, ReminderKind, Status, SupervisionSettings

BATCH = 500  # owners per transaction


def _line(st: InstrumentState) -> str:
    i = st.instrument
    return f"{i.category.name} {i.manufacturer} {i.model} ({_('serial')} {i.serial_number}): {st.next_due:%Y-%m-%d}"


def _message(head: str, states: list[InstrumentState]) -> str:
    return "\n".join([head, *(f"- {_line(st)}" for st in states)])


def _pending(kind: str, status_q: dict) -> dict[int, list[InstrumentState]]:
    """Instrument states needing a ``kind`` reminder not yet sent, grouped by owner."""
    already = Reminder.objects.filter(kind=kind)
    states = InstrumentState.objects.filter(next_due__isnull=False, **status_q)
    sent = set(already.filter(instrument_id__in=states.values("instrument_id")).values_list("instrument_id", "due"))
    by_owner: dict[int, list[InstrumentState]] = defaultdict(list)
    for st in states.select_related("instrument__category", "owner").order_by("owner_id", "next_due", "pk"):
        if (st.instrument_id, st.next_due) not in sent:
            by_owner[st.owner_id].append(st)
    return by_owner


def _county_bureaus(region_ids: set[str]) -> dict[str, Organisation]:
    out = {}
    for org in Organisation.objects.filter(kind=OrganisationKind.BUREAU, region_id__in=region_ids).order_by("pk"):
        out.setdefault(org.region_id, org)
    return out


def _send(kind: str, by_owner: dict[int, list[InstrumentState]], progress, today: dt.date) -> int:
    owners = list(by_owner)
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for start in range(0, len(owners), BATCH):
            chunk = owners[start:start + BATCH]
            bureaus = (_county_bureaus({st.region_id for o in chunk for st in by_owner[o]})
                       if kind == ReminderKind.OVERDUE else {})
            with transaction.atomic():
                for owner_id in chunk:
                    states = by_owner[owner_id]
                    owner = states[0].owner
                    emailed = owner.contact_email
                    Reminder.objects.bulk_create(
                        [Reminder(instrument_id=st.instrument_id, kind=kind, due=st.next_due, emailed_to=emailed)
                         for st in states], ignore_conflicts=True)
                    if kind == ReminderKind.DUE_SOON:
                        head = _("%(owner)s: %(n)d instrument(s) under mandatory verification fall due soon; apply "
                                 "for verification before the date (Zhejiang regulation Art. 18).") % {
                            "owner": owner.name, "n": len(states)}
                        subject = _("[jiliang] Verification due soon: %(n)d instrument(s)") % {"n": len(states)}
                    else:
                        head = _("%(owner)s: %(n)d instrument(s) under mandatory verification are overdue; they must "
                                 "not be used until verified (Implementing Rules Art. 22).") % {
                            "owner": owner.name, "n": len(states)}
                        subject = _("[jiliang] Verification overdue: %(n)d instrument(s)") % {"n": len(states)}
                    message = _message(head, states)
                    notify_organisation(owner, message, subject=subject)
                    for region_id in sorted({st.region_id for st in states}):
                        bureau = bureaus.get(region_id)
                        if bureau is not None:
                            mine = [st for st in states if st.region_id == region_id]
                            notify_organisation(bureau, _message(head, mine), subject=subject)
                    sent += len(states)
            progress(min(start + BATCH, len(owners)), len(owners))
    if not owners:
        progress(0, 0)
    return sent


def due_soon(today: dt.date, progress) -> int:
    """Remind owners of instruments falling due within the lead time (once per instrument and due date)."""
    lead = SupervisionSettings.current().lead_days
    by_owner = _pending(ReminderKind.DUE_SOON, {"status": Status.DUE_SOON, "next_due__gte": today,
                                                "next_due__lte": today + dt.timedelta(days=lead)})
    return _send(ReminderKind.DUE_SOON, by_owner, progress, today)


def overdue(today: dt.date, progress) -> int:
    """Tell the owner and its county bureau once when an instrument becomes overdue."""
    by_owner = _pending(ReminderKind.OVERDUE, {"status": Status.OVERDUE, "next_due__lt": today})
    return _send(ReminderKind.OVERDUE, by_owner, progress, today)


def notices(today: dt.date, progress) -> int:
    """Open notices turn complied when every instrument is verified since issue, lapsed after the deadline."""
    from . import notices as notice_services

    ids = list(Notice.objects.filter(status=NoticeStatus.OPEN).values_list("pk", flat=True))
    changed = 0
    for n, pk in enumerate(ids, 1):
        changed += notice_services.update_standing(pk, today) is not None
        if n % 100 == 0 or n == len(ids):
            progress(n, len(ids))
    if not ids:
        progress(0, 0)
    return changed
