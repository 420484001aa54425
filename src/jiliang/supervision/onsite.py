"""The inspector on site: finding an instrument by its code (a scanned QR code or the code typed), what the inspector
sees of it, and recording a finding with several photos, the position and the campaign target it checks.

Who may inspect: ``campaign_access.may_inspect`` (the bureau of the instrument's region, or an inspector a campaign
assigned to it, who may come from another county). Who may record: a county bureau for an instrument of its county
(as before), or any bureau user with an open campaign target covering the instrument. An unknown code and a code
outside the user's scope get the same answer, so a lookup never tells whether a code exists elsewhere; every lookup
inside the scope is written to the audit trail (the instrument, who, when, from where, web or API), so a bureau can
see who looked at an instrument.

Photos: JPEG or PNG by their magic bytes, at most 10 MB each (``notices.PHOTO_MAX_BYTES``) and at most
``MAX_PHOTOS`` per finding; a photo too large is refused by its declared size before it is read, with its name and
size in the message."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from jiliang.core import audit
from jiliang.core.roles import Role
from jiliang.core.scoping import VIEW, user_role
from jiliang.registry import codes
from jiliang.registry.identity import IdentityError
from jiliang.registry.models import Instrument

from . import campaign_access
from .models import CampaignTarget, Finding, FindingPhoto, Notice, TargetStatus, VerificationEvent
from .notices import PHOTO_MAX_BYTES, photo_type

MAX_PHOTOS = 10  # jiliang's choice: what an inspector takes of one instrument, bounded so one request stays small
# A finding's photos as listed (id, type, size), without their bytes.
PHOTOS_WITHOUT_DATA = Prefetch("photos", queryset=FindingPhoto.objects.defer("data").annotate(size=Length("data")))
_PUBLIC_PATH = re.compile(r"/i/([^/?#\s]+)/?(?:[?#].*)?$")


class CodeLookupError(Exception):
    """A code that finds nothing: ``misread`` when its check character is wrong, else ``not_found``."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass(frozen=True)
class PhotoIn:
    """One photo as received: the file name the phone gave it and its bytes."""

    name: str
    data: bytes


def code_from_scan(text: str) -> str:
    """The instrument code in what a QR code or the inspector gave: a public URL ending in ``/i/<code>`` or a bare
    code, in any case, with spaces, or (for jiliang's own codes) in the label's groups of four."""
    text = str(text or "").strip()
    m = _PUBLIC_PATH.search(text)
    code = codes.compact(m.group(1) if m else text)
    bare = code.replace("-", "")
    if bare.startswith(codes.LOCAL_PREFIX) and len(bare) == codes.LOCAL_LENGTH:
        return bare
    return code


def find(user, text: str) -> Instrument:
    """The instrument with this code that ``user`` may inspect, or :class:`CodeLookupError`."""
    code = code_from_scan(text)
    not_found = CodeLookupError("not_found", _("No instrument with this code in your scope."))
    if not code or len(code) > 40:
        raise not_found
    instrument = (Instrument.objects.select_related("owner", "category", "region")
                  .filter(instrument_code=code).first())
    if instrument is not None and campaign_access.may_inspect(user, instrument):
        return instrument
    scheme = codes.guess_scheme(code)
    if instrument is None and (scheme in (codes.LOCAL, codes.SGCC) or code.startswith(codes.LOCAL_PREFIX)):
        try:
            codes.validate(code, codes.LOCAL if code.startswith(codes.LOCAL_PREFIX) else scheme)
        except IdentityError as exc:
            raise CodeLookupError("misread", _("This code cannot be right: %(reason)s. Scan it again or check the "
                                           "characters you typed.") % {"reason": exc.translated(_)}) from exc
    raise not_found


def record_scan(instrument: Instrument, *, actor) -> None:
    """The audit entry of one look at ``instrument`` by an inspector (web or API, from the request's context)."""
    with transaction.atomic():
        audit.record(instrument, "action", actor=actor, after={"scan": instrument.instrument_code},
                     message=_("Instrument looked up by its code (scan)"))


@dataclass
class History:
    """What the inspector sees under the status: verification events, findings, notices and filing entries."""

    events: list
    findings: list
    notices: list
    filings: list


def history(instrument: Instrument) -> History:
    """The instrument's history, newest first. Read after ``may_inspect`` said yes, so not narrowed again: an
    inspector a campaign sent from another county sees the whole record of the instrument assigned to them."""
    return History(
        events=list(VerificationEvent.objects.filter(instrument=instrument)
                    .select_related("institution", "certificate").order_by("-verified_on", "-pk")),
        findings=list(Finding.objects.filter(instrument=instrument)
                      .select_related("inspector", "notice", "campaign").prefetch_related(PHOTOS_WITHOUT_DATA)
                      .order_by("-found_on", "-pk")),
        notices=list(Notice.objects.filter(instruments=instrument).order_by("-issued_on", "-pk")),
        filings=list(instrument.filing_entries.select_related("filing", "designated_institution")
                     .order_by("-pk")),
    )


def view_of(user, instrument: Instrument) -> dict:
    """Everything the inspector sees of ``instrument`` (the page and the API alike)."""
    from . import display

    h = history(instrument)
    return {"instrument": instrument, "owner": instrument.owner, "state": display.lead(instrument, user),
            "events": h.events, "findings": h.findings, "notices": h.notices, "filings": h.filings,
            "may_record": may_record(user, instrument),
            "open_targets": list(campaign_access.assigned_targets(user, instrument)),
            "registry_visible": Instrument.objects.restrict(user, VIEW).filter(pk=instrument.pk).exists()}


def may_record(user, instrument: Instrument) -> bool:
    """A county bureau for an instrument of its county, or a bureau user with an open target covering it."""
    if user_role(user) == Role.COUNTY_BUREAU and Instrument.objects.restrict(user, VIEW).filter(
            pk=instrument.pk).exists():
        return True
    return campaign_access.may_inspect(user, instrument) and campaign_access.assigned_targets(user, instrument).exists()


def photo_too_large(name: str, size: int) -> str:
    return _("Photo %(name)s is %(mb).1f MB (%(size)s bytes); each photo may be at most 10 MB (%(max)s bytes).") % {
        "name": name, "mb": size / 2**20, "size": f"{size:,}", "max": f"{PHOTO_MAX_BYTES:,}"}


def read_uploads(files) -> list[PhotoIn]:
    """The uploaded photos, each refused by its declared size before it is read (a 50 MB file stays on disk);
    ValidationError under ``photos`` listing every bad one."""
    files = [f for f in files if f is not None]
    errors = []
    if len(files) > MAX_PHOTOS:
        errors.append(_("At most %(n)d photos per finding; %(got)d were sent.") % {"n": MAX_PHOTOS, "got": len(files)})
    for f in files:
        if f.size > PHOTO_MAX_BYTES:
            errors.append(photo_too_large(f.name, f.size))
    if errors:
        raise ValidationError({"photos": errors})
    return [PhotoIn(f.name or f"photo-{i}", f.read()) for i, f in enumerate(files, start=1)]


def _check_photos(photos: list[PhotoIn]) -> tuple[list[str], list[str]]:
    types, errors = [], []
    if len(photos) > MAX_PHOTOS:
        errors.append(_("At most %(n)d photos per finding; %(got)d were sent.") % {"n": MAX_PHOTOS,
                                                                                   "got": len(photos)})
    for p in photos:
        if len(p.data) > PHOTO_MAX_BYTES:
            errors.append(photo_too_large(p.name, len(p.data)))
            continue
        try:
            types.append(photo_type(p.data))
        except ValidationError:
            errors.append(_("Photo %(name)s is not a JPEG or PNG image.") % {"name": p.name})
    return types, errors


def record_finding(*, actor, instrument: Instrument, found_on: dt.date, kind: str, detail: str = "",
                   measure: str = "", photos: list[PhotoIn] | tuple = (), latitude=None, longitude=None,
                   notice: Notice | None = None) -> Finding:
    """An inspector's on-site finding about one instrument, with its photos; linked to the inspector's open
    campaign target covering the instrument (the first, in campaign and draw order), which is marked checked in
    the same transaction. Nothing is written when anything is wrong."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied(_("Sign in first."))
    targets = list(campaign_access.assigned_targets(actor, instrument))
    in_county = (user_role(actor) == Role.COUNTY_BUREAU and actor.region_id is not None
                 and Instrument.objects.restrict(actor, VIEW).filter(pk=instrument.pk).exists())
    if not in_county and not (targets and campaign_access.may_inspect(actor, instrument)):
        if user_role(actor) != Role.COUNTY_BUREAU:
            raise PermissionDenied(_("Only a county bureau, or an inspector a campaign assigned to this instrument, "
                                     "records on-site findings."))
        raise PermissionDenied(_("Instrument %(pk)s is outside your region.") % {"pk": instrument.pk})
    photos = [p if isinstance(p, PhotoIn) else PhotoIn(f"photo-{i}", bytes(p)) for i, p in enumerate(photos, 1)]
    errors = {}
    types, photo_errors = _check_photos(photos)
    if photo_errors:
        errors["photos"] = photo_errors
    if notice is not None and not notice.instruments.filter(pk=instrument.pk).exists():
        errors["notice"] = [_("Notice %(number)s does not list this instrument.") % {"number": notice.number}]
    if found_on is not None and found_on > timezone.localdate():
        errors["found_on"] = [_("The date of a finding cannot be in the future.")]
    if (latitude is None) != (longitude is None):
        errors["latitude"] = [_("Give both latitude and longitude, or neither.")]
    if latitude is not None and not -90 <= latitude <= 90:
        errors["latitude"] = [_("The latitude must be between -90 and 90 degrees.")]
    if longitude is not None and not -180 <= longitude <= 180:
        errors["longitude"] = [_("The longitude must be between -180 and 180 degrees.")]
    target = targets[0] if targets else None
    finding = Finding(instrument=instrument, found_on=found_on, inspector=actor, kind=kind, detail=detail,
                      measure=measure, latitude=latitude, longitude=longitude, notice=notice,
                      campaign=target.campaign if target else None, target=target)
    try:
        finding.full_clean(exclude=["inspector", "notice", "instrument", "campaign", "target"])
    except ValidationError as exc:
        for name, msgs in exc.message_dict.items():
            errors.setdefault(name, msgs)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if target is not None:  # the target is checked once: a second finding links to the next open one
            locked = CampaignTarget.objects.select_for_update().filter(pk=target.pk,
                                                                      status=TargetStatus.PENDING).first()
            if locked is None:
                raise ValidationError({"target": [_("This campaign target was checked meanwhile; scan again.")]})
            locked.status = TargetStatus.CHECKED
            locked.save(update_fields=["status"])
        finding.save()
        taken_at = timezone.now()
        FindingPhoto.objects.bulk_create([FindingPhoto(finding=finding, data=p.data, content_type=t, taken_at=taken_at)
                                          for p, t in zip(photos, types, strict=True)])
        audit.record(finding, "create", actor=actor,
                     after={"instrument": instrument.pk, "found_on": found_on.isoformat(), "kind": kind,
                            "measure": measure, "photos": len(photos), "notice": notice.pk if notice else None,
                            "campaign": target.campaign_id if target else None,
                            "target": target.pk if target else None},
                     message=_("On-site finding recorded"))
    return finding
