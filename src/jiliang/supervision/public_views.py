"""The public status page of one instrument, ``/i/<code>`` (the target of its label's QR code), and the complaint
form behind it. No sign-in, phone first, Chinese and English (docs/public-status-page.md).

What a visitor sees: what the instrument is (category, maker, model), its owner's name, the county it is located
in, whether it may be used today in one sentence and one colour per status of supervision.lifecycle (the same
rule as the instrument's page: :func:`lifecycle.status_from_base` on its :class:`InstrumentState`), and its latest
verification (institution, date, result; a certificate issued through jiliang links to its public check). Nothing
else: no serial number, no address, no person, no contact, no internal id.

Against enumeration: an unknown, malformed or deleted code gets one and the same 404 page, byte for byte (the code
is not echoed); requests are limited per client address (``JILIANG_RATE_PUBLIC_PAGE``) and not-found answers
more tightly (``JILIANG_RATE_PUBLIC_NOT_FOUND``: over it, every lookup from that address is refused until the
window ends, so a guesser learns nothing more); complaints tighter still (``JILIANG_RATE_COMPLAINT``). jiliang's own
codes are a keyed permutation (registry.codes), so existing codes are not neighbours.

Caching: the status page and the 404 are the same for every visitor (they read no session and show nothing about
the viewer), so they are ``Cache-Control: public, max-age=60`` with ``Vary: Cookie`` (the language cookie): a
proxy may answer a market's burst of scans, and a status moves at most once a day. They set no cookie. The server
keeps the rendered page for the same time (``JILIANG_PUBLIC_PAGE_CACHE_S``, Django's cache, per language and
day), after the rate limits: a new verification shows within a minute. The
complaint form carries a CSRF token (a cookie), so it is its own page, ``private, no-store``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_protect

from jiliang.core import ratelimit
from jiliang.core.middleware import client_address
from jiliang.registry import codes
from jiliang.registry.models import LAPSED_STATUSES, Instrument

from . import complaints, lifecycle
from .models import (
    Complaint,
    ComplaintKind,
    EventSource,
    InstrumentState,
    SupervisionSettings,
    VerificationEvent,
)
from .state import facts_of

OUT_OF_SERVICE = "out_of_service"
THANKS_SALT, THANKS_MAX_AGE = "jiliang.public.complaint", 3600
LEAD_DAYS_CACHE_S = 60  # the "due soon" lead time (SupervisionSettings) is read once a minute per process
_LANGUAGES = {code for code, _name in settings.LANGUAGES}

# Colour of each answer: green may be used, amber still valid but due, red should not be used, grey no status.
TONES = {lifecycle.VALID: "success", lifecycle.DUE_SOON: "warning", lifecycle.OVERDUE: "danger",
         lifecycle.FAILED: "danger", lifecycle.NEVER_VERIFIED: "danger", lifecycle.LIFE_ENDED: "danger",
         lifecycle.NOT_COUNTED: "secondary", OUT_OF_SERVICE: "secondary"}
HEADLINES = {
    lifecycle.VALID: gettext_lazy("Verified: may be used"),
    lifecycle.DUE_SOON: gettext_lazy("Verified: due for verification soon"),
    lifecycle.OVERDUE: gettext_lazy("Verification overdue"),
    lifecycle.FAILED: gettext_lazy("Failed verification"),
    lifecycle.NEVER_VERIFIED: gettext_lazy("Never verified"),
    lifecycle.LIFE_ENDED: gettext_lazy("Service life ended"),
    lifecycle.NOT_COUNTED: gettext_lazy("Not under mandatory verification"),
    OUT_OF_SERVICE: gettext_lazy("Out of service"),
}
# One sentence per status; %(date)s is the last day of validity (or of the service life).
SENTENCES = {
    lifecycle.VALID: gettext_lazy("This instrument passed its verification and may be used until %(date)s."),
    lifecycle.DUE_SOON: gettext_lazy("This instrument is still valid until %(date)s, but its next verification "
                                     "is due soon."),
    lifecycle.OVERDUE: gettext_lazy("The verification of this instrument ran out on %(date)s: it should not be "
                                    "used for trade until it is verified again."),
    lifecycle.FAILED: gettext_lazy("This instrument failed its latest verification: it must not be used until it "
                                   "is repaired and passes a new verification."),
    lifecycle.NEVER_VERIFIED: gettext_lazy("No verification of this instrument is on record: it must be verified "
                                           "before it is used."),
    lifecycle.LIFE_ENDED: gettext_lazy("This meter may only be used for a fixed service life, which ended on "
                                       "%(date)s: it must be replaced."),
    lifecycle.NOT_COUNTED: gettext_lazy("The law does not require this instrument to be verified by the state "
                                        "(it is not used for trade, safety, health or environmental monitoring), "
                                        "so there is no verification status to show."),
    OUT_OF_SERVICE: gettext_lazy("This instrument has been taken out of service and should not be in use."),
}
VALID_WITHOUT_END = gettext_lazy("This instrument passed its verification and may be used.")


@dataclass(frozen=True)
class Answer:
    """What the page says of an instrument today."""

    key: str  # a lifecycle status or OUT_OF_SERVICE
    valid_until: dt.date | None
    last: VerificationEvent | None

    @property
    def tone(self) -> str:
        return TONES[self.key]

    @property
    def headline(self) -> str:
        return str(HEADLINES[self.key])

    @property
    def sentence(self) -> str:
        if self.valid_until is None:
            return str(VALID_WITHOUT_END if self.key == lifecycle.VALID else SENTENCES[self.key])
        text = str(SENTENCES[self.key])
        return text % {"date": date_format(self.valid_until)} if "%(date)s" in text else text

    @property
    def certificate_check(self) -> str | None:
        """The public check of the latest verification's certificate, where it was issued through jiliang."""
        last = self.last
        if last is None or last.source != EventSource.CERTIFICATE or not last.certificate_id:
            return None
        return reverse("verify", args=[last.number])


def answer(instrument: Instrument, today: dt.date | None = None) -> Answer:
    """The instrument's standing on ``today`` (Beijing's date) as the public page says it."""
    today = today or timezone.localdate()
    lead_days = cache.get_or_set("jiliang.supervision.lead_days", lambda: SupervisionSettings.current().lead_days,
                                 LEAD_DAYS_CACHE_S)
    try:
        state = instrument.supervision  # joined by _instrument()
    except InstrumentState.DoesNotExist:
        state = None
    if state is not None:
        status = lifecycle.status_from_base(state.base, state.next_due, state.mode, today, lead_days,
                                            state.counted_until)
        due, last = state.next_due, state.last_event
    else:  # not yet refreshed (registered in bulk): the same rule from the events
        events = list(VerificationEvent.objects.filter(instrument=instrument, void=False)
                      .select_related("institution").order_by("verified_on", "pk"))
        status, due = lifecycle.status_on(facts_of(instrument, today), [e.as_lifecycle() for e in events], today,
                                          lead_days)
        last = events[-1] if events else None
    if instrument.status in LAPSED_STATUSES:
        status = OUT_OF_SERVICE
    if status in (lifecycle.VALID, lifecycle.DUE_SOON) and due is None:
        status = lifecycle.VALID  # the regulation gives no period: valid without an end date
    return Answer(status, due if status in (lifecycle.VALID, lifecycle.DUE_SOON, lifecycle.OVERDUE,
                                            lifecycle.LIFE_ENDED) else None, last)


# The columns the page reads (and answer()'s fallback, state.facts_of): a query of a hundred columns costs more to
# build and read than the rest of the page.
PAGE_FIELDS = (
    "instrument_code", "manufacturer", "model", "status", "status_date", "mandatory", "installation_date",
    "owner", "owner__name", "category", "category__name", "category__name_en", "category__second_level",
    "category__verification_mode", "region", "region__name", "region__name_en",
    "supervision__base", "supervision__next_due", "supervision__mode", "supervision__counted_until",
    "supervision__last_event", "supervision__last_event__source", "supervision__last_event__certificate",
    "supervision__last_event__number", "supervision__last_event__verified_on", "supervision__last_event__result",
    "supervision__last_event__institution", "supervision__last_event__institution__name",
)


def _instrument(code: str) -> Instrument | None:
    code = codes.compact(code)
    if not codes.CODE_SHAPE.match(code):
        return None
    try:  # one query: the instrument, what it is, its owner, county and supervision state with the last event
        return (Instrument.objects.select_related("category", "owner", "region", "supervision__last_event__institution")
                .only(*PAGE_FIELDS).get(instrument_code=code))
    except Instrument.DoesNotExist:
        return None


def _language(request):
    """``?lang=en`` or ``?lang=zh-hans`` for this page (a link, so that the page needs no cookie), else the
    site's language switch (its cookie), else Chinese."""
    lang = request.GET.get("lang")
    return lang if lang in _LANGUAGES else None


def _public(response: HttpResponse, lang: str | None) -> HttpResponse:
    response["Cache-Control"] = "public, max-age=60"
    patch_vary_headers(response, ("Cookie",))
    if lang:
        response["Content-Language"] = lang
    return response


def _limited(request, scope: str, setting: str, *, count: bool = True):
    """A 429 response when the client address is over the rate in ``settings.<setting>`` (empty: no limit)."""
    rate = getattr(settings, setting, "")
    if not rate:
        return None
    ident = client_address(request) or "-"
    verdict = (ratelimit.hit if count else ratelimit.peek)(scope, ident, rate)
    if verdict.allowed:
        return None
    response = render(request, "supervision/public/429.html", {"retry_after": verdict.retry_after}, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    response["Cache-Control"] = "private, no-store"
    return response


def _not_found(lang: str | None) -> HttpResponse:
    """The one answer for every code that names no instrument (the same bytes whatever the code was)."""
    return _public(HttpResponse(loader.render_to_string("supervision/public/not_found.html"), status=404), lang)


def status_page(request, code: str):
    lang = _language(request)
    with translation.override(lang or translation.get_language()):
        refused = (_limited(request, "ipage", "JILIANG_RATE_PUBLIC_PAGE")
                   or _limited(request, "ipage404", "JILIANG_RATE_PUBLIC_NOT_FOUND", count=False))
        if refused:
            return refused
        compact = codes.compact(code)
        key = f"jiliang.ipage:{translation.get_language()}:{timezone.localdate().isoformat()}:{compact}"
        html = cache.get(key) if codes.CODE_SHAPE.match(compact) else None
        if html is None:
            instrument = _instrument(compact)
            if instrument is None:
                return _limited(request, "ipage404", "JILIANG_RATE_PUBLIC_NOT_FOUND") or _not_found(lang)
            html = loader.render_to_string("supervision/public/status.html", {
                "instrument": instrument, "answer": answer(instrument), "lang": lang,
                "report_url": reverse("public-instrument-report", args=[instrument.instrument_code])})
            if settings.JILIANG_PUBLIC_PAGE_CACHE_S > 0:
                cache.set(key, html, settings.JILIANG_PUBLIC_PAGE_CACHE_S)
        return _public(HttpResponse(html), lang)


class ComplaintForm:
    """The complaint's fields as posted, with the errors of :func:`complaints.clean_input` by field."""

    def __init__(self, data=None):
        data = data or {}
        self.kind = data.get("kind", "")
        self.text = data.get("text", "")
        self.contact = data.get("contact", "")
        self.errors: dict[str, list[str]] = {}

    kinds = ComplaintKind.choices
    text_max, contact_max = complaints.TEXT_MAX, complaints.CONTACT_MAX


@csrf_protect
@cache_control(private=True, no_store=True)
def report_page(request, code: str):
    """The complaint form for one instrument ("report a problem"); a good one becomes a Complaint for the county
    bureau and leads to a page with its number."""
    lang = _language(request)
    with translation.override(lang or translation.get_language()):
        refused = _limited(request, "ipage", "JILIANG_RATE_PUBLIC_PAGE") or _limited(
            request, "ipage404", "JILIANG_RATE_PUBLIC_NOT_FOUND", count=False)
        if refused:
            return refused
        instrument = _instrument(code)
        if instrument is None:
            response = _limited(request, "ipage404", "JILIANG_RATE_PUBLIC_NOT_FOUND") or _not_found(lang)
            response["Cache-Control"] = "private, no-store"
            return response
        form = ComplaintForm(request.POST if request.method == "POST" else None)
        status = 200
        if request.method == "POST":
            refused = _limited(request, "complaint", "JILIANG_RATE_COMPLAINT")
            if refused:
                return refused
            try:
                complaint = complaints.submit(instrument=instrument, kind=form.kind, text=form.text,
                                              contact=form.contact)
            except ValidationError as exc:
                form.errors = exc.message_dict
                status = 400
            else:
                url = reverse("public-instrument-thanks", args=[instrument.instrument_code])
                query = urlencode({"n": signing.dumps(complaint.number, salt=THANKS_SALT), **({"lang": lang} if lang else {})})
                return redirect(f"{url}?{query}")
        return render(request, "supervision/public/report.html", {
            "instrument": instrument, "form": form, "lang": lang,
            "back_url": reverse("public-instrument", args=[instrument.instrument_code])}, status=status)


@cache_control(private=True, no_store=True)
def thanks_page(request, code: str):
    """The number of the complaint just made, from a signed token in the URL the form redirected to (valid for
    an hour; no session, so no cookie): nobody can list other people's complaints by guessing numbers."""
    lang = _language(request)
    with translation.override(lang or translation.get_language()):
        try:
            number = signing.loads(request.GET.get("n", ""), salt=THANKS_SALT, max_age=THANKS_MAX_AGE)
        except signing.BadSignature:
            number = None
        complaint = (Complaint.objects.select_related("region").only("number", "decide_by", "region__name",
                                                                       "region__name_en")
                     .filter(number=number).first() if number else None)
        instrument = _instrument(code)
        if complaint is None or instrument is None:
            response = _not_found(lang)
            response["Cache-Control"] = "private, no-store"
            return response
        return render(request, "supervision/public/thanks.html", {
            "complaint": complaint, "lang": lang,
            "back_url": reverse("public-instrument", args=[instrument.instrument_code])})


public_urlpatterns = [
    path("i/<str:code>", status_page, name="public-instrument"),
    path("i/<str:code>/report", report_page, name="public-instrument-report"),
    path("i/<str:code>/thanks", thanks_page, name="public-instrument-thanks"),
]
