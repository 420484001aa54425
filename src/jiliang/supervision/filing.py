"""Filing of compulsory-verification instruments (登记造册、备案) and the designation of the verifying institution.

The legal basis (reference/supervision-integrity-licensing.md §3): the user of an instrument under mandatory
verification lists it and files the list with the county-level metrology administration, which designates the
institution that verifies it (《中华人民共和国强制检定的工作计量器具检定管理办法》 1987, Art. 5; 《计量法实施细则》
Art. 11: the user applies for periodic verification to the institution the administration designated).

Every action runs in a transaction and is written to the audit chain. The history of every filing entry stays:
a returned instrument is filed again as a new entry. ``InstrumentState.filing_state`` and
``designated_institution`` follow the latest entry of each instrument (they are not part of the counters).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jiliang.core import audit
from jiliang.core.models import Region
from jiliang.core.regions import subtree_codes
from jiliang.core.roles import Role
from jiliang.core.scoping import user_role
from jiliang.registry.models import Instrument, InstrumentCategory, InstrumentStatus, Organisation

from . import state
from .models import Filing, FilingEntry, FilingState, InstitutionDesignation, InstrumentState

ACCEPT, RETURN = "accept", "return"
PENDING_OR_ACCEPTED = (FilingState.SUBMITTED, FilingState.ACCEPTED)


@dataclass
class Refusal:
    """An instrument the service would not file, and why (shown per row in pages, API answers and reports)."""

    instrument: object  # the Instrument, or what the caller named it by when it is not one
    reason: str

    def as_dict(self) -> dict:
        inst = self.instrument
        return {"instrument": getattr(inst, "pk", inst), "label": str(inst), "reason": self.reason}


@dataclass
class FilingResult:
    filings: list[Filing] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)

    @property
    def filed(self) -> int:
        return sum(len(f.filed_entries) for f in self.filings)


def county_of(region: Region) -> Region:
    """The county-level region an instrument's location lies in (its own region when it is one); an instrument
    registered at city or province level is filed with that bureau (the nearest region above it)."""
    r = region
    while r is not None:
        if r.is_county_level:
            return r
        r = r.parent
    return region


def _require_owner_staff(actor, owner: Organisation) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied(_("Sign in first."))
    if actor.is_superuser:
        return
    if user_role(actor) == Role.ENTERPRISE and actor.organisation_id == owner.pk:
        return
    raise PermissionDenied(_("Only the staff of %(owner)s may file its instruments.") % {"owner": owner})


def _require_county_bureau(actor, region_code: str) -> None:
    """The county bureau whose region covers ``region_code`` (1987 measures Art. 5: the county-level
    administration receives the filing); the province and the city read, they do not decide."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied(_("Sign in first."))
    if actor.is_superuser:
        return
    if user_role(actor) == Role.COUNTY_BUREAU and actor.region_id and region_code in subtree_codes(actor.region_id):
        return
    raise PermissionDenied(_("Only the county bureau the filing was made with may decide on it."))


def _check_institution(institution) -> Organisation | None:
    if institution in (None, ""):
        return None
    if not isinstance(institution, Organisation):
        institution = Organisation.objects.filter(pk=institution).first()
        if institution is None:
            raise ValidationError({"designated_institution": [_("No such organisation.")]})
    if not institution.is_institute or institution.is_deregistered:
        raise ValidationError({"designated_institution": [
            _("%(org)s is not a verification institution; designate a metrology institute.") % {"org": institution}]})
    return institution


def _states(instrument_ids: list[int]) -> dict[int, InstrumentState]:
    found = {s.pk: s for s in InstrumentState.objects.select_for_update().filter(pk__in=instrument_ids)}
    missing = [pk for pk in instrument_ids if pk not in found]
    if missing:  # an instrument saved before this app existed: build its state first
        state.refresh(missing)
        found.update({s.pk: s for s in InstrumentState.objects.select_for_update().filter(pk__in=missing)})
    return found


def refusal_of(instrument: Instrument, owner: Organisation, busy: dict[int, str]) -> str | None:
    """Why ``instrument`` cannot be filed by ``owner`` now, or None."""
    if instrument.owner_id != owner.pk:
        return _("not an instrument of %(owner)s") % {"owner": owner}
    if not instrument.mandatory:
        return _("not under mandatory verification")
    if instrument.status != InstrumentStatus.IN_SERVICE:
        return _("not in service (%(status)s)") % {"status": instrument.get_status_display()}
    if instrument.pk in busy:
        return (_("already filed and awaiting the bureau") if busy[instrument.pk] == FilingState.SUBMITTED
                else _("filing already accepted"))
    return None


def file_instruments(owner: Organisation, instruments: Iterable, actor, note: str = "") -> FilingResult:
    """File ``instruments`` of ``owner`` with the county bureau of each instrument's region: one Filing per
    county, one FilingEntry per instrument. Instruments that cannot be filed are refused one by one, naming
    each; the others are filed."""
    _require_owner_staff(actor, owner)
    result = FilingResult()
    wanted: list[Instrument] = []
    ids = []
    for item in instruments:
        if isinstance(item, Instrument):
            ids.append(item.pk)
        else:
            try:
                ids.append(int(item))
            except (TypeError, ValueError):
                result.refused.append(Refusal(item, _("not an instrument number")))
    found = {i.pk: i for i in Instrument.objects.filter(pk__in=ids).select_related("region", "region__parent",
                                                                                     "owner")}
    seen = set()
    for pk in ids:
        if pk in seen:
            continue
        seen.add(pk)
        if pk not in found:
            result.refused.append(Refusal(pk, _("no such instrument")))
        else:
            wanted.append(found[pk])
    with transaction.atomic():
        busy = dict(FilingEntry.objects.filter(instrument__in=[i.pk for i in wanted], state__in=PENDING_OR_ACCEPTED)
                    .values_list("instrument_id", "state"))
        by_county: dict[str, list[Instrument]] = {}
        counties: dict[str, Region] = {}
        for inst in wanted:
            reason = refusal_of(inst, owner, busy)
            if reason:
                result.refused.append(Refusal(inst, reason))
                continue
            county = county_of(inst.region)
            counties[county.code] = county
            by_county.setdefault(county.code, []).append(inst)
        if not by_county:
            return result
        states = _states([i.pk for group in by_county.values() for i in group])
        for code, group in by_county.items():
            filing = Filing.objects.create(owner=owner, bureau_region=counties[code], submitted_by=actor,
                                           note=(note or "")[:500])
            entries = FilingEntry.objects.bulk_create(
                [FilingEntry(filing=filing, instrument=i, state=FilingState.SUBMITTED) for i in group])
            for inst in group:
                s = states[inst.pk]
                s.filing_state = FilingState.SUBMITTED
            InstrumentState.objects.bulk_update([states[i.pk] for i in group], ["filing_state"])
            audit.record(filing, "file", actor=actor,
                         after={"bureau_region": code, "instruments": [i.pk for i in group], "note": filing.note},
                         message=_("%(n)d instrument(s) filed") % {"n": len(group)})
            filing.filed_entries = entries
            result.filings.append(filing)
    return result


def effective_designation(instrument: Instrument) -> Organisation | None:
    """The owner+category designation, else the owner's designation for all categories."""
    best = None
    for d in InstitutionDesignation.objects.filter(owner_id=instrument.owner_id).filter(
            Q(category_id=instrument.category_id) | Q(category__isnull=True)).select_related("institution"):
        if d.category_id is not None:
            return d.institution
        best = d.institution
    return best


def decide(entries: Iterable[FilingEntry], actor, decision: str, reasons: Mapping[int, str] | str | None = None,
           institution=None) -> list[FilingEntry]:
    """Accept or return pending filing entries (by the county bureau the filing was made with).

    ``reasons``: for a return, the reason per entry id (or one text for all); each returned instrument needs
    one. ``institution``: on acceptance, the verification institution designated for these instruments; without
    it the owner's designation (per category, else for all) applies."""
    if decision not in (ACCEPT, RETURN):
        raise ValidationError({"decision": [_("Choose accept or return.")]})
    institution = _check_institution(institution)
    ids = [e.pk if isinstance(e, FilingEntry) else int(e) for e in entries]
    if not ids:
        raise ValidationError({"entries": [_("Choose at least one instrument.")]})
    with transaction.atomic():
        rows = list(FilingEntry.objects.select_for_update().filter(pk__in=ids)
                    .select_related("filing", "instrument", "instrument__owner"))
        if len(rows) != len(set(ids)):
            raise ValidationError({"entries": [_("Some of the chosen filing entries do not exist.")]})
        problems = []
        for entry in rows:
            _require_county_bureau(actor, entry.filing.bureau_region_id)
            if entry.state != FilingState.SUBMITTED:
                problems.append(_("%(inst)s: already decided (%(state)s)")
                                % {"inst": entry.instrument, "state": entry.get_state_display()})
            if decision == RETURN:
                text = reasons if isinstance(reasons, str) else (reasons or {}).get(entry.pk, "")
                entry.reason = (text or "").strip()[:500]
                if not entry.reason:
                    problems.append(_("%(inst)s: say why it is returned") % {"inst": entry.instrument})
        if problems:
            raise ValidationError({"reason" if decision == RETURN else "entries": problems})
        now = timezone.now()
        states = _states([e.instrument_id for e in rows])
        for entry in rows:
            entry.decided_by, entry.decided_at = actor, now
            s = states[entry.instrument_id]
            if decision == ACCEPT:
                entry.state = FilingState.ACCEPTED
                entry.designated_institution = institution
                s.designated_institution = institution or effective_designation(entry.instrument)
            else:
                entry.state = FilingState.RETURNED
            s.filing_state = entry.state
            entry.save(update_fields=["state", "reason", "designated_institution", "decided_by", "decided_at",
                                      "last_updated"])
            audit.record(entry, "accept" if decision == ACCEPT else "return", actor=actor,
                         after={"state": entry.state, "reason": entry.reason,
                                "designated_institution": institution.pk if institution else None})
        InstrumentState.objects.bulk_update(list(states.values()), ["filing_state", "designated_institution"])
    return rows


def designate(owner: Organisation, institution, actor, category: InstrumentCategory | None = None,
              instrument: Instrument | None = None):
    """Designate the verifying institution for one instrument (on its accepted filing entry) or for an owner's
    instruments of a category (or all categories); an owner-wide designation applies to every accepted
    instrument without its own (细则 Art. 11)."""
    institution = _check_institution(institution)
    if institution is None:
        raise ValidationError({"designated_institution": [_("Choose the verification institution.")]})
    _require_county_bureau(actor, owner.region_id if instrument is None else county_of(instrument.region).code)
    with transaction.atomic():
        if instrument is not None:
            if instrument.owner_id != owner.pk:
                raise ValidationError({"instrument": [_("not an instrument of %(owner)s") % {"owner": owner}]})
            entry = (FilingEntry.objects.select_for_update().filter(instrument=instrument,
                                                                   state=FilingState.ACCEPTED).order_by("-id").first())
            if entry is None:
                raise ValidationError({"instrument": [
                    _("%(inst)s has no accepted filing; accept its filing first.") % {"inst": instrument}]})
            entry.designated_institution = institution
            entry.save(update_fields=["designated_institution", "last_updated"])
            InstrumentState.objects.filter(pk=instrument.pk).update(designated_institution=institution)
            audit.record(entry, "designate", actor=actor, after={"designated_institution": institution.pk})
            return entry
        d, created = InstitutionDesignation.objects.select_for_update().get_or_create(
            owner=owner, category=category, defaults={"institution": institution, "designated_by": actor})
        before = None if created else {"institution": d.institution_id}
        if not created:
            d.institution, d.designated_by = institution, actor
            d.save(update_fields=["institution", "designated_by", "last_updated"])
        # Accepted instruments without their own designation follow the owner's.
        own = FilingEntry.objects.filter(state=FilingState.ACCEPTED, designated_institution__isnull=False,
                                         instrument__owner=owner).values("instrument_id")
        accepted = InstrumentState.objects.filter(owner=owner, filing_state=FilingState.ACCEPTED).exclude(pk__in=own)
        if category is not None:
            accepted.filter(category=category).update(designated_institution=institution)
        else:
            specific = InstitutionDesignation.objects.filter(owner=owner, category__isnull=False).values("category_id")
            accepted.exclude(category__in=specific).update(designated_institution=institution)
        audit.record(d, "designate", actor=actor, before=before,
                     after={"owner": owner.pk, "category": category.pk if category else None,
                            "institution": institution.pk},
                     region_code=owner.region_id, organisation_id=owner.pk)
        return d
