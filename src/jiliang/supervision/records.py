"""Verification records reported by institutions that do not issue through jiliang: checked and resolved to
:class:`VerificationEvent` rows (certificates issued through jiliang: events.py).

A record names the institution by its unified social credit code, its certificate or notice number, the
instrument (its jiliang id, its instrument code, or owner USCC + manufacturer + model + serial number), the kind of verification
(JJF 1001 首次检定 / 后续检定 (周期检定, 修理后检定) / 使用中检查), the date, the result, the next due and the
certificate's validity, and whether it was free of charge (``free_of_charge``, 计量惠民; not compared between reports:
livelihood marks it too). The next due is the validity the institution set (1987 measures Art. 6), which may not lie
beyond the regulation's maximum period: the category's verification period, or for first-verification-only meters
its service life (限期使用，到期轮换, 1991 trial rules item 二); :func:`lifecycle.capped_validity` is the rule. A
record without a next due gets the maximum period, as a certificate would.

Records are idempotent by (institution, number): the same record again is *unchanged*; one that contradicts the
stored event is a :class:`RecordConflict` for a bureau to review, never an overwrite.

An instrument named by its code (一具一码, registry.instrument_codes: typed with spaces, dashes or in lower case)
is found by it; where the record also gives owner USCC, manufacturer, model or serial number, each must match the
instrument of that code.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from jiliang.core.values.chunks import chunks
from jiliang.registry import instrument_codes
from jiliang.registry.identity import IdentityError, validate_uscc
from jiliang.registry.models import Instrument, InstrumentCategory, Organisation, VerificationMode

from . import lifecycle
from .models import EventSource, Result, VerificationEvent, VerificationKind

# The fields of a record, as the API and the import name them.
FIELDS = ("institution_uscc", "number", "instrument", "instrument_code", "owner_uscc", "manufacturer", "model",
          "serial_number", "kind", "verified_on", "result", "next_due", "certificate_valid_until", "free_of_charge")
IDENTITY_FIELDS = ("owner_uscc", "manufacturer", "model", "serial_number")
# What a stored event and a record are compared on.
COMPARED = ("instrument", "kind", "verified_on", "result", "next_due", "certificate_valid_until")
FIRST_ONLY = (VerificationMode.FIRST_ONLY_ROTATE, VerificationMode.FIRST_ONLY_SCRAP)
KINDS = frozenset(VerificationKind.values)
RESULTS = frozenset(Result.values)


@dataclass(frozen=True)
class Problem:
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"field": self.field, "message": self.message}


@dataclass
class Resolved:
    """A record checked: ``event`` is the unsaved event it makes, or ``problems`` says why there is none."""

    event: VerificationEvent | None = None
    problems: list[Problem] = field(default_factory=list)


def maximum_months(category) -> int | None:
    """The regulation's maximum period in months for an instrument of ``category``: its verification period, or
    for first-verification-only meters its service life; None where the catalogue gives neither."""
    if category.verification_mode in FIRST_ONLY:
        return category.service_life_years * 12 if category.service_life_years else None
    return category.period_months


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value, name: str, problems: list[Problem], required: bool) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        if required:
            problems.append(Problem(name, _("is required")))
        return None
    try:
        return dt.date.fromisoformat(text.replace("/", "-"))
    except ValueError:
        problems.append(Problem(name, _("%(value)r is not a date (write YYYY-MM-DD)") % {"value": text}))
        return None


TRUE_WORDS = frozenset({"true", "1", "yes", "y", "是", "免费"})
FALSE_WORDS = frozenset({"", "false", "0", "no", "n", "否", "收费"})


def _flag(value, name: str, problems: list[Problem]) -> bool:
    """A yes/no field (absent: no)."""
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in TRUE_WORDS:
        return True
    if text not in FALSE_WORDS:
        problems.append(Problem(name, _("%(value)r is not true or false") % {"value": _text(value)}))
    return False


@functools.lru_cache(maxsize=4096)
def _uscc_of(text: str) -> str:
    try:
        return validate_uscc(text)
    except IdentityError:
        return text


def _uscc(value) -> str:
    return _uscc_of(_text(value).upper())


class Resolver:
    """Checks a batch of records against the register with a handful of queries (one per look-up map)."""

    def __init__(self, rows: list[dict], today: dt.date) -> None:
        self.today = today
        usccs = set()
        ids, identities, code_forms = set(), set(), set()
        for row in rows:
            if not isinstance(row, dict):
                continue
            usccs |= {_uscc(row.get("institution_uscc")), _uscc(row.get("owner_uscc"))}
            raw_id = _text(row.get("instrument"))
            if raw_id.isdigit():
                ids.add(int(raw_id))
            identities.add((_text(row.get("manufacturer")), _text(row.get("model")), _text(row.get("serial_number"))))
            code_forms.update(instrument_codes.candidates(_text(row.get("instrument_code"))))
        usccs.discard("")
        self.orgs = {o.uscc: o for o in Organisation.objects.filter(uscc__in=usccs)}
        # Only what a record needs (identity, owner's code, category, and region and owner for the audit entry).
        self.categories = {c.pk: c for c in InstrumentCategory.objects.all()}
        instruments = Instrument.objects.select_related("owner").only(
            "id", "manufacturer", "model", "serial_number", "region_id", "category_id", "owner_id", "owner__uscc",
            "instrument_code")
        self.by_id = {i.pk: i for i in instruments.filter(pk__in=ids)} if ids else {}
        self.by_code: dict[str, Instrument] = {}
        for batch in chunks(sorted(code_forms), 5000):
            self.by_code.update((i.instrument_code, i) for i in instruments.filter(instrument_code__in=batch))
        self.by_identity: dict[tuple, Instrument] = {}
        serials = {s for _m, _mo, s in identities if s}
        if serials:
            for i in instruments.filter(serial_number__in=serials):
                self.by_identity[(i.manufacturer, i.model, i.serial_number)] = i
        self.serials = {key[2] for key in self.by_identity}
        self.models_of = {(key[0], key[1]) for key in self.by_identity}

    def resolve(self, row) -> Resolved:
        if not isinstance(row, dict):
            return Resolved(problems=[Problem("", _("A record is an object of fields, not %(type)s.")
                                              % {"type": type(row).__name__})])
        problems: list[Problem] = []
        unknown = sorted(set(row) - set(FIELDS))
        if unknown:
            problems.append(Problem(", ".join(unknown), _("unknown field; the fields are: %(f)s")
                                    % {"f": ", ".join(FIELDS)}))
        institution = self._institution(row, problems)
        number = _text(row.get("number"))
        if not number:
            problems.append(Problem("number", _("is required")))
        elif len(number) > 100:
            problems.append(Problem("number", _("is longer than 100 characters")))
        instrument = self._instrument(row, problems)
        kind = _text(row.get("kind"))
        if kind not in KINDS:
            problems.append(Problem("kind", _("%(value)r is not one of: %(allowed)s")
                                    % {"value": kind, "allowed": ", ".join(VerificationKind.values)}))
        result = _text(row.get("result"))
        if result not in RESULTS:
            problems.append(Problem("result", _("%(value)r is not one of: %(allowed)s")
                                    % {"value": result, "allowed": ", ".join(Result.values)}))
        verified_on = _date(row.get("verified_on"), "verified_on", problems, required=True)
        if verified_on is not None and verified_on > self.today:
            problems.append(Problem("verified_on", _("%(d)s lies in the future (today is %(t)s)")
                                    % {"d": verified_on, "t": self.today}))
        next_due = _date(row.get("next_due"), "next_due", problems, required=False)
        valid_until = _date(row.get("certificate_valid_until"), "certificate_valid_until", problems, required=False)
        if verified_on is not None:
            if next_due is not None and next_due < verified_on:
                problems.append(Problem("next_due", _("%(d)s is before the verification date %(v)s")
                                        % {"d": next_due, "v": verified_on}))
            if valid_until is not None and valid_until < verified_on:
                problems.append(Problem("certificate_valid_until", _("%(d)s is before the verification date %(v)s")
                                        % {"d": valid_until, "v": verified_on}))
        free = _flag(row.get("free_of_charge"), "free_of_charge", problems)
        if result == Result.FAIL and next_due is not None:
            problems.append(Problem("next_due", _("a failed verification (检定结果通知书) has no next due")))
        category = self.categories.get(instrument.category_id) if instrument is not None else None
        months = maximum_months(category) if category is not None else None
        if (months is not None and verified_on is not None and next_due is not None
                and next_due >= verified_on and result == Result.PASS):
            longest = lifecycle.longest_validity(verified_on, months)
            if next_due > longest:
                problems.append(Problem("next_due", _(
                    "%(d)s lies beyond the regulation's maximum period of %(m)d months for %(c)s: at the latest "
                    "%(l)s") % {"d": next_due, "m": months, "c": category.display_name, "l": longest}))
        if problems:
            return Resolved(problems=problems)
        if result == Result.PASS:
            next_due = lifecycle.capped_validity(verified_on, next_due, months)
        event = VerificationEvent(
            institution=institution, number=number, instrument=instrument, source=EventSource.REPORTED,
            kind=kind, verified_on=verified_on, result=result, next_due=next_due,
            certificate_valid_until=valid_until, free_of_charge=free, received=received_of(row))
        return Resolved(event=event)

    def _institution(self, row: dict, problems: list[Problem]) -> Organisation | None:
        uscc = _uscc(row.get("institution_uscc"))
        if not uscc:
            problems.append(Problem("institution_uscc", _("is required")))
            return None
        org = self.orgs.get(uscc)
        if org is None:
            problems.append(Problem("institution_uscc", _("no registered organisation has the code %(c)s")
                                    % {"c": uscc}))
            return None
        if not org.is_institute:
            problems.append(Problem("institution_uscc", _("%(org)s is not a verification institution")
                                    % {"org": org}))
            return None
        return org

    def _instrument(self, row: dict, problems: list[Problem]) -> Instrument | None:
        raw_id = _text(row.get("instrument"))
        if raw_id:
            found = self.by_id.get(int(raw_id)) if raw_id.isdigit() else None
            if found is None:
                problems.append(Problem("instrument", _("no instrument has the jiliang id %(id)s") % {"id": raw_id}))
            return found
        given = {k: _text(row.get(k)) for k in IDENTITY_FIELDS}
        code = _text(row.get("instrument_code"))
        if code:
            return self._by_code(code, given, problems)
        if not any(given.values()):
            problems.append(Problem("instrument", _(
                "name the instrument by its jiliang id, its instrument code, or by owner USCC, manufacturer, model "
                "and serial number")))
            return None
        missing = [k for k, v in given.items() if not v]
        if missing:
            problems.append(Problem(", ".join(missing), _("is required to identify the instrument")))
            return None
        found = self.by_identity.get((given["manufacturer"], given["model"], given["serial_number"]))
        if found is None:
            if given["serial_number"] not in self.serials:
                names = "serial_number"
            elif (given["manufacturer"], given["model"]) not in self.models_of:
                names = "manufacturer, model"
            else:
                names = "manufacturer, model, serial_number"
            problems.append(Problem(names, _(
                "no registered instrument has manufacturer %(m)s, model %(mo)s and serial number %(s)s; the fields "
                "that did not match: %(f)s") % {"m": given["manufacturer"], "mo": given["model"],
                                                  "s": given["serial_number"], "f": names}))
            return None
        if found.owner.uscc != _uscc(given["owner_uscc"]):
            problems.append(Problem("owner_uscc", _(
                "the instrument of this manufacturer, model and serial number is registered to another owner; the "
                "field that did not match: owner_uscc")))
            return None
        return found


    def _by_code(self, code: str, given: dict, problems: list[Problem]) -> Instrument | None:
        found = next((self.by_code[c] for c in instrument_codes.candidates(code) if c in self.by_code), None)
        if found is None:
            if instrument_codes.misread(code):
                problems.append(Problem("instrument_code", _(
                    "no registered instrument has the code %(c)s, and the code does not check: a character was "
                    "probably misread") % {"c": code}))
            else:
                problems.append(Problem("instrument_code", _("no registered instrument has the code %(c)s")
                                        % {"c": code}))
            return None
        stored = {"manufacturer": found.manufacturer, "model": found.model, "serial_number": found.serial_number,
                  "owner_uscc": found.owner.uscc}
        differ = [k for k in IDENTITY_FIELDS if given[k] and
                  (_uscc(given[k]) if k == "owner_uscc" else given[k]) != stored[k]]
        if differ:
            problems.append(Problem(", ".join(differ), _(
                "does not match the instrument of code %(c)s; the fields that did not match: %(f)s")
                % {"c": found.instrument_code, "f": ", ".join(differ)}))
            return None
        return found


def received_of(row: dict) -> dict:
    """The record as received, JSON-safe (dates as text)."""
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in row.items() if k in FIELDS}


def differences(stored: VerificationEvent, new: VerificationEvent) -> dict:
    """{field: [stored, reported]} for each compared field where the record contradicts the stored event."""
    out = {}
    for name in COMPARED:
        attr = "instrument_id" if name == "instrument" else name
        a, b = getattr(stored, attr), getattr(new, attr)
        if a != b:
            out[name] = [_json(a), _json(b)]
    return out


def _canonical(diff: dict) -> str:
    import json

    return json.dumps(diff, sort_keys=True, default=str)


def _json(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def keys_of(rows: Iterable[VerificationEvent]) -> list[tuple[int, str]]:
    return [(e.institution_id, e.number) for e in rows]


# -- the service ---------------------------------------------------------------------------------------------------

CREATED, UNCHANGED, CONFLICT, ERROR = "created", "unchanged", "conflict", "error"


@dataclass
class RowReport:
    row: int
    status: str
    event: int | None = None
    conflict: int | None = None
    errors: list[Problem] = field(default_factory=list)
    differences: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        out = {"row": self.row, "status": self.status}
        if self.event is not None:
            out["event"] = self.event
        if self.conflict is not None:
            out["conflict"] = self.conflict
            out["differences"] = self.differences
        if self.errors:
            out["errors"] = [p.as_dict() for p in self.errors]
        return out


def counts_of(reports: list[RowReport]) -> dict:
    out = {CREATED: 0, UNCHANGED: 0, CONFLICT: 0, ERROR: 0}
    for r in reports:
        out[r.status] += 1
    return out


def may_report(user) -> bool:
    """Institutes report as themselves; bureaus and superusers for the institutions in their scope; enterprises
    and everyone else not at all."""
    from jiliang.core.roles import BUREAU_ROLES, Role
    from jiliang.core.scoping import user_role

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser) or user_role(user) in BUREAU_ROLES | {Role.INSTITUTE}


def _scope_problems(user, unrestricted: bool, role: str | None, event: VerificationEvent, visible_orgs,
                    visible_instruments) -> list[Problem]:
    from jiliang.core.roles import Role

    if unrestricted:
        return []
    if role == Role.INSTITUTE:
        if event.institution_id != user.organisation_id:
            return [Problem("institution_uscc", _("you may report only as your own institution"))]
        return []
    problems = []
    if event.institution_id not in visible_orgs:
        problems.append(Problem("institution_uscc", _("the institution lies outside your region")))
    if event.instrument_id not in visible_instruments:
        problems.append(Problem("instrument", _("the instrument lies outside your region")))
    return problems


def check_records(rows: list, *, actor, today: dt.date | None = None) -> tuple[list[RowReport], list]:
    """Resolve each record and say what storing it would do, writing nothing: (row reports, events to create,
    conflicts to store as (stored event, new event, differences))."""
    from django.utils import timezone

    from jiliang.core.scoping import VIEW, is_unrestricted, user_role

    today = today or timezone.localdate()
    resolver = Resolver(rows, today)
    resolved = [resolver.resolve(r) for r in rows]
    events = [r.event for r in resolved if r.event is not None]
    org_ids = {e.institution_id for e in events}
    inst_ids = {e.instrument_id for e in events}
    visible_orgs = set(Organisation.objects.restrict(actor, VIEW).filter(pk__in=org_ids).values_list("pk", flat=True))
    visible_instruments = set(Instrument.objects.restrict(actor, VIEW).filter(pk__in=inst_ids)
                              .values_list("pk", flat=True))
    stored: dict[tuple, VerificationEvent] = {}
    numbers = {e.number for e in events}
    if numbers:
        for e in VerificationEvent.objects.filter(number__in=numbers, institution_id__in=org_ids):
            stored[(e.institution_id, e.number)] = e
    reports: list[RowReport] = []
    plan: list = []
    unrestricted, role = is_unrestricted(actor), user_role(actor)
    for i, r in enumerate(resolved, start=1):
        if r.event is None:
            reports.append(RowReport(i, ERROR, errors=r.problems))
            continue
        event = r.event
        problems = _scope_problems(actor, unrestricted, role, event, visible_orgs, visible_instruments)
        if problems:
            reports.append(RowReport(i, ERROR, errors=problems))
            continue
        key = (event.institution_id, event.number)
        current = stored.get(key)
        if current is None:
            stored[key] = event
            plan.append((i, "create", event, None))
            reports.append(RowReport(i, CREATED))
            continue
        diff = differences(current, event)
        if not diff:
            plan.append((i, "same", event, current))
            reports.append(RowReport(i, UNCHANGED, event=current.pk))
            continue
        plan.append((i, "conflict", event, current))
        reports.append(RowReport(i, CONFLICT, event=current.pk, differences=diff))
    return reports, plan


def report_records(rows: list, *, actor, batch=None, today: dt.date | None = None) -> list[RowReport]:
    """Store the reported records: a new (institution, number) becomes an event, the same record again is
    unchanged, a contradicting one a :class:`RecordConflict`; rows with errors are reported and the good rows
    kept. Audited; the touched instruments' state is refreshed once for the batch."""
    from django.core.exceptions import PermissionDenied
    from django.db import transaction

    from jiliang.core import audit
    from jiliang.core.bulk import fast_insert

    from . import state
    from .models import ConflictStatus, RecordConflict

    if not may_report(actor):
        raise PermissionDenied(_("Only verification institutions and market supervision bureaus report "
                                 "verification records."))
    with transaction.atomic():
        reports, plan = check_records(rows, actor=actor, today=today)
        by_row = {r.row: r for r in reports}
        new = []
        for _row, action, event, _current in plan:
            if action == "create":
                event.reported_by = actor
                event.batch = batch
                new.append(event)
        fast_insert(VerificationEvent, new)
        conflicts = []
        # The same contradicting record again is the open conflict already stored, not a second one.
        open_ids = [current.pk for _r, action, _e, current in plan if action == "conflict" and current.pk]
        already = {(c.event_id, _canonical(c.differences)): c.pk
                   for c in RecordConflict.objects.filter(event_id__in=open_ids, status=ConflictStatus.OPEN)}
        for row, action, event, current in plan:
            if action == "create":
                by_row[row].event = event.pk
            elif action == "same":  # the stored event may be one of this batch, saved only now
                by_row[row].event = current.pk
            else:
                report = by_row[row]
                report.event = current.pk
                key = (current.pk, _canonical(report.differences))
                if key in already:
                    report.conflict = already[key]
                    continue
                conflict = RecordConflict(event=current, received=event.received,
                                          differences=report.differences, reported_by=actor)
                already[key] = conflict
                conflicts.append((row, conflict))
        RecordConflict.objects.bulk_create([c for _r, c in conflicts])
        for row, c in conflicts:
            by_row[row].conflict = c.pk
        for report in reports:  # a repeat within this batch points at the conflict stored for the first
            if isinstance(report.conflict, RecordConflict):
                report.conflict = report.conflict.pk
        items = [{"obj": e, "action": "create", "after": audit.snapshot(e), "message": "reported verification record"}
                 for e in new]
        items += [{"obj": c, "action": "create", "after": audit.snapshot(c),
                   "message": f"reported record contradicts {c.event.number}"} for _r, c in conflicts]
        if items:
            audit.record_many(items, actor=actor)
        state.refresh({e.instrument_id for e in new}, today)
        if new:  # bulk-written: announced for the apps above that derive records from events
            from jiliang.core.signals import records_written

            records_written.send(sender=VerificationEvent, pks=[e.pk for e in new], actor=actor)
    return reports


def resolve_conflict(conflict, *, actor, accept: bool, resolution: str):
    """A bureau's decision on a conflict: keep the stored event, or (for a reported event) take the reported values.
    A certificate issued through jiliang is corrected by a corrected certificate, not here."""
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.db import transaction
    from django.utils import timezone

    from jiliang.core import audit
    from jiliang.core.roles import BUREAU_ROLES
    from jiliang.core.scoping import VIEW, user_role

    from . import state
    from .models import ConflictStatus, RecordConflict

    if not (getattr(actor, "is_superuser", False) or user_role(actor) in BUREAU_ROLES):
        raise PermissionDenied(_("Only a market supervision bureau resolves conflicting records."))
    with transaction.atomic():
        conflict = RecordConflict.objects.restrict(actor, VIEW).select_for_update().filter(pk=conflict.pk).first()
        if conflict is None:
            raise PermissionDenied(_("This conflict lies outside your region."))
        if conflict.status != ConflictStatus.OPEN:
            raise ValidationError({"status": _("This conflict is already resolved.")})
        if not resolution.strip():
            raise ValidationError({"resolution": _("Say how the conflict was resolved.")})
        event = conflict.event
        touched = {event.instrument_id}
        if accept:
            if event.source != EventSource.REPORTED:
                raise ValidationError({"accept": _("A certificate issued through jiliang is corrected by a corrected "
                                                   "certificate, not by a reported record.")})
            before = audit.snapshot(event)
            for name, (_old, new) in conflict.differences.items():
                if name == "instrument":
                    event.instrument_id = new
                elif name in ("verified_on", "next_due", "certificate_valid_until"):
                    setattr(event, name, dt.date.fromisoformat(new) if new else None)
                else:
                    setattr(event, name, new)
            touched.add(event.instrument_id)
            event.save()
            audit.record(event, "update", actor=actor, before=before, after=audit.snapshot(event),
                         message=f"conflict {conflict.pk} resolved: reported values taken")
        conflict.status = ConflictStatus.RESOLVED
        conflict.resolution = resolution.strip()[:500]
        conflict.resolved_by = actor
        conflict.resolved_at = timezone.now()
        conflict.save()
        audit.record(conflict, "update", actor=actor, after={"status": conflict.status, "accept": accept,
                                                               "resolution": conflict.resolution})
        if accept:
            state.refresh(touched)
    return conflict
