"""An instrument's supervision status as people and programs see it: the lead of its page, its verification events,
the status and next due columns and filter of every instrument list and export, and the API's fields.

One definition of status everywhere: lifecycle.py, kept per instrument in :class:`InstrumentState` (state.py). The
page recomputes the status of today from the state's base (:func:`lifecycle.status_from_base`), so it is right
even before the daily job moved the stored status; the lists read the stored status, as the dashboard's counters do.

What a status means for the owner (DOMAIN.md, "Supervision of mandatory verification"): an overdue instrument
must not be used (计量法实施细则 Art. 22), nor a failed one (1987 measures Art. 7 and 9), nor a mandatory one
never verified, nor a first-verification-only meter past its service life (限期使用，到期轮换, 1991 trial rules
item 二); for an instrument used in trade settlement this is said outright.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import django_filters as df
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from jiliang.core.tables import Column
from jiliang.core.ui import _viewable_link
from jiliang.registry.models import Usage

from . import lifecycle
from .models import FilingState, InstrumentState, Status, SupervisionSettings, VerificationEvent
from .state import facts_of

# Bootstrap colour of each status's badge: red where the owner must not use the instrument.
TONES = {lifecycle.VALID: "success", lifecycle.DUE_SOON: "warning", lifecycle.OVERDUE: "danger",
         lifecycle.FAILED: "danger", lifecycle.NEVER_VERIFIED: "danger", lifecycle.LIFE_ENDED: "danger",
         lifecycle.NOT_COUNTED: "secondary"}
MEANINGS = {
    lifecycle.VALID: _("The latest verification passed and its validity covers today."),
    lifecycle.DUE_SOON: _("The latest verification passed; its validity ends within %(days)s days: request the next "
                          "verification now."),
    lifecycle.OVERDUE: _("The validity of the latest verification has ended and no later verification is on "
                         "record: the instrument is overdue and must not be used until verified again."),
    lifecycle.FAILED: _("The latest verification found the instrument non-conforming: it must not be used until "
                        "repaired and verified again."),
    lifecycle.NEVER_VERIFIED: _("No verification is on record: the instrument is under mandatory verification and "
                                "must not be used until its first verification."),
    lifecycle.LIFE_ENDED: _("The service life of this meter, verified once before use, has ended: it must not be "
                            "used and must be replaced."),
    lifecycle.NOT_COUNTED: _("The instrument is not under mandatory verification, or is out of service: "
                             "supervision does not count it."),
}
TRADE_SETTLEMENT = _("It must not be used for trade settlement.")
NEXT_DUE_WORDS = {lifecycle.NEVER_VERIFIED: _("first verification needed"),
                  lifecycle.FAILED: _("after repair, before any use")}


@dataclass
class Lead:
    """What the top of an instrument's page says (the DetailLead's ``status``)."""

    instrument: object
    status: str
    next_due: dt.date | None
    last_event: VerificationEvent | None
    filing_state: str
    filing_label: str
    link: str | None  # the certificate of the latest event, only where the viewer may open it
    lead_days: int

    @property
    def label(self) -> str:
        return str(Status(self.status).label)

    @property
    def tone(self) -> str:
        return TONES[self.status]

    @property
    def must_not_be_used(self) -> bool:
        return self.status in lifecycle.MUST_NOT_BE_USED

    @property
    def meaning(self) -> str:
        text = str(MEANINGS[self.status])
        if self.status == lifecycle.DUE_SOON:
            text = text % {"days": self.lead_days}
        if self.must_not_be_used and self.instrument.usage == Usage.TRADE:
            text = f"{text} {TRADE_SETTLEMENT}"
        return text

    @property
    def next_due_words(self) -> str:
        return str(NEXT_DUE_WORDS.get(self.status, ""))


def lead(instrument, user=None, today: dt.date | None = None) -> Lead:
    """The instrument's status on ``today`` (Beijing's date), next due, latest verification and filing, as
    ``user`` sees them."""
    today = today or timezone.localdate()
    settings = SupervisionSettings.current()
    state = (InstrumentState.objects.filter(pk=instrument.pk)
             .select_related("last_event__institution", "last_event__certificate").first())
    if state is not None:
        status = lifecycle.status_from_base(state.base, state.next_due, state.mode, today, settings.lead_days,
                                            state.counted_until)
        next_due, last, filing = state.next_due, state.last_event, state.filing_state
    else:  # not yet refreshed (registered in bulk): the same rule from the events
        events = list(VerificationEvent.objects.filter(instrument=instrument, void=False)
                      .select_related("institution", "certificate").order_by("verified_on", "pk"))
        status, next_due = lifecycle.status_on(facts_of(instrument, today), [e.as_lifecycle() for e in events],
                                               today, settings.lead_days)
        last, filing = (events[-1] if events else None), "unfiled"
    if status in (lifecycle.NOT_COUNTED, lifecycle.NEVER_VERIFIED, lifecycle.FAILED):
        next_due = None
    link = _viewable_link(last.certificate, user) if last is not None and last.certificate_id else None
    return Lead(instrument, status, next_due, last, filing, str(FilingState(filing).label), link,
                settings.lead_days)


def lead_context(request, instrument) -> dict:
    """The DetailLead of registry.Instrument (extensions.py)."""
    return {"supervision_lead": lead(instrument, request.user)}


# -- the instrument's verification events (a DetailPanel) -----------------------------------------------------

EVENT_COLUMNS = (
    Column("verified_on", _("verified on")),
    Column("institution", _("institution")),
    Column("number", _("certificate or notice number")),
    Column("kind", _("verification kind")),
    Column("result", _("result")),
    Column("next_due", _("next due")),
    Column("source", _("source")),
    Column("void", _("void")),
)


# -- every instrument list: columns, filter, export and API fields (a ListExtension) ---------------------------

def _state(instrument) -> InstrumentState | None:
    try:
        return instrument.supervision
    except InstrumentState.DoesNotExist:
        return None


def status_text(instrument) -> str:
    state = _state(instrument)
    return state.get_status_display() if state is not None else ""


def next_due_of(instrument) -> dt.date | None:
    state = _state(instrument)
    return state.next_due if state is not None else None


LIST_COLUMNS = (
    Column("verification_status", _("verification status"), status_text, order_by="supervision__status"),
    Column("next_due", _("next due"), next_due_of, order_by="supervision__next_due"),
)


def list_filters() -> dict:
    return {"verification_status": df.MultipleChoiceFilter(field_name="supervision__status",
                                                           choices=Status.choices, label=_("verification status"))}


def api_fields() -> dict:
    return {
        "verification_status": serializers.ChoiceField(
            source="supervision.status", choices=Status.choices, read_only=True, allow_null=True,
            help_text="supervision status (lifecycle.py): valid, due_soon, overdue, failed, never_verified, "
                      "life_ended, not_counted; null before the instrument's state is computed"),
        "next_due": serializers.DateField(source="supervision.next_due", read_only=True, allow_null=True,
                                          help_text="the date by which the next verification is due"),
    }
