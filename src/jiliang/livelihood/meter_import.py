"""Registering household meters in bulk: a utility's file (xlsx or CSV) or the API's JSON array.

Each row gets the checks of :func:`services.register_household_meter` (the regulation row of
service_life.rule_for, dates not in the future, installed after the first verification, the batch of the same
utility) plus the ones only a file can fail:

* a code given twice in the file ("also in row N"), or already held by an instrument of the register;
* a maker + model + serial given twice in the file, or already registered (the registry's unique key);
* a size that is no household size (DN15–DN50 water, G1.6–G16 gas), an unknown class or gas kind;
* a date in the future, a date that is no date;
* a batch number the utility has not registered, or a batch of another kind of meter;
* a region code that is not a current county-level region (GB/T 2260).

A bad row is reported with its row number, its field and the reason; the good rows are written (ARCHITECTURE.md
"Errors"). Writing is bulk: core.bulk.fast_insert (COPY on PostgreSQL) for the instruments (codes issued by
Instrument.before_bulk_insert where none is given), the profiles and the first verifications; one audit entry per
instrument (audit.record_many); ``records_written`` for the instruments, so supervision's state follows.

A first verification in the file (date and result) is recorded as supervision's VerificationEvent of the
verifying institution (the row's ``institution_uscc`` or the batch's institution), kind "first", with the next due
set to the rotation deadline, so the meter's status (valid, then "service life ended" after rotation_due) comes
from the same events as every other instrument's. A result without an institution is refused on its row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiliang.core import audit
from jiliang.core.bulk import Prototype, existing, fast_insert, fewer_collections
from jiliang.core.models import Region, RegionLevel
from jiliang.core.scoping import VIEW, is_unrestricted
from jiliang.core.signals import records_written
from jiliang.registry import instrument_codes
from jiliang.registry.identity import IdentityError, validate_uscc
from jiliang.registry.models import (
    Instrument,
    InstrumentCategory,
    InstrumentStatus,
    Organisation,
    OrganisationKind,
    Usage,
)

from . import service_life
from .meter_access import check_registrar
from .models import FirstResult, GasKind, HouseholdMeter, MeterBatch, MeterKind
from .services import normal_size

COUNTY_LEVELS = (RegionLevel.DISTRICT, RegionLevel.COUNTY_LEVEL_CITY, RegionLevel.COUNTY)
IMPORT_TAG = "FV"  # first verifications given in a meter file: event number FV:<instrument code>
CHUNK = 20_000  # rows checked and written per step (progress, memory)


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: object
    required: bool = False


COLUMNS = (
    Column("instrument_code", "识别编码", gettext_lazy("instrument code")),
    Column("code_scheme", "编码体系", gettext_lazy("code scheme")),
    Column("kind", "表类", gettext_lazy("meter kind"), True),
    Column("size", "规格", gettext_lazy("size (DN / G)")),
    Column("gas_kind", "气种", gettext_lazy("gas kind")),
    Column("accuracy_class", "准确度等级", gettext_lazy("accuracy class")),
    Column("q3", "常用流量Q3", gettext_lazy("Q3 (m³/h)")),
    Column("manufacturer", "制造商", gettext_lazy("manufacturer"), True),
    Column("model", "型号", gettext_lazy("model")),
    Column("serial_number", "出厂编号", gettext_lazy("serial number"), True),
    Column("batch_number", "批次号", gettext_lazy("batch number")),
    Column("region_code", "区划代码", gettext_lazy("region code"), True),
    Column("address", "安装地址", gettext_lazy("address")),
    Column("account_area", "户号片区", gettext_lazy("account area")),
    Column("installed_on", "安装日期", gettext_lazy("installation date")),
    Column("first_verified_on", "首次检定日期", gettext_lazy("first verified on")),
    Column("first_result", "首次检定结论", gettext_lazy("first verification result")),
    Column("institution_uscc", "检定机构统一社会信用代码", gettext_lazy("institution (USCC)")),
)
KEYS = tuple(c.key for c in COLUMNS)
NO_TEXTS = dict.fromkeys(KEYS, "")

KIND_WORDS = {"water": MeterKind.WATER, "水表": MeterKind.WATER, "水": MeterKind.WATER,
              "gas": MeterKind.GAS, "燃气表": MeterKind.GAS, "燃气": MeterKind.GAS, "气表": MeterKind.GAS,
              "electricity": MeterKind.ELECTRICITY, "电能表": MeterKind.ELECTRICITY, "电表": MeterKind.ELECTRICITY,
              "电": MeterKind.ELECTRICITY}
GAS_WORDS = {"natural": GasKind.NATURAL, "天然气": GasKind.NATURAL, "manufactured": GasKind.MANUFACTURED,
             "人工煤气": GasKind.MANUFACTURED, "lpg": GasKind.LPG, "液化石油气": GasKind.LPG, "": ""}
RESULT_WORDS = {"pass": FirstResult.PASS, "合格": FirstResult.PASS, "fail": FirstResult.FAIL,
                "不合格": FirstResult.FAIL, "": ""}


def header_map(headers: Sequence[str]) -> tuple[dict[str, int], list[str]]:
    """Column index of each key from the file's headers (key, Chinese or English header); and the problems:
    unknown headers and missing required columns."""
    forms = {}
    for c in COLUMNS:
        for form in (c.key, c.zh, str(c.en)):
            forms[form.strip().lower()] = c.key
        with translation.override("en"):
            forms[str(c.en).strip().lower()] = c.key
    index, problems = {}, []
    for i, h in enumerate(headers):
        key = forms.get(str(h or "").strip().lower())
        if key is None:
            if str(h or "").strip():
                problems.append(_("unknown column %(h)s") % {"h": h})
            continue
        if key in index:
            problems.append(_("column %(h)s is given twice") % {"h": h})
        index[key] = i
    for c in COLUMNS:
        if c.required and c.key not in index:
            problems.append(_("column %(key)s (%(zh)s) is missing") % {"key": c.key, "zh": c.zh})
    return index, problems


@dataclass
class RowError:
    row: int
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "message": self.message}


@dataclass
class Result:
    created: int = 0
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    verified: int = 0
    instrument_ids: list[int] = field(default_factory=list)

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors})

    def as_dict(self, max_errors: int = 1000) -> dict:
        return {"rows": self.rows, "created": self.created, "first_verifications": self.verified,
                "error_rows": self.error_rows, "errors": [e.as_dict() for e in self.errors[:max_errors]],
                "errors_left_off": max(0, len(self.errors) - max_errors)}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value, name: str, problems: list, today: dt.date) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(_text(value).replace("/", "-"))
        except ValueError:
            problems.append((name, _("%(v)s is not a date (write YYYY-MM-DD)") % {"v": value}))
            return None
    if day > today:
        problems.append((name, _("%(day)s is in the future") % {"day": day}))
        return None
    return day


class Lookups:
    """What the rows refer to, read once per import: regions, the utility's batches, institutions, categories."""

    def __init__(self, utility: Organisation, actor):
        self.utility = utility
        self.regions = {r.code: r for r in Region.objects.filter(is_current=True, level__in=COUNTY_LEVELS)
                        .only("code", "name", "level")}
        self.batches = {b.number: b for b in MeterBatch.objects.filter(utility=utility)}
        self.categories = {c.code: c for c in InstrumentCategory.objects.filter(
            code__in=[r.category for r in service_life.RULES])}
        self.mandatory = {code: c.is_mandatory_for(Usage.TRADE) for code, c in self.categories.items()}
        self.institutions: dict[str, Organisation | None] = {}
        self.usccs: dict[str, str | IdentityError] = {}
        self.actor = actor

    def uscc(self, text: str) -> str:
        """validate_uscc of ``text``, once per distinct text (a file names a few institutions on many rows)."""
        if text not in self.usccs:
            try:
                self.usccs[text] = validate_uscc(text)
            except IdentityError as exc:
                self.usccs[text] = exc
        found = self.usccs[text]
        if isinstance(found, IdentityError):
            raise found.with_traceback(None)
        return found

    def institution(self, uscc: str) -> Organisation | None:
        if uscc not in self.institutions:
            # Verification institutions are public knowledge (their authorisations are published): any reader
            # may name one, whatever their scope.
            self.institutions[uscc] = Organisation.objects.filter(uscc=uscc, kind=OrganisationKind.INSTITUTE).first()
        return self.institutions[uscc]


@dataclass
class Planned:
    row: int
    instrument: Instrument
    meter: HouseholdMeter
    institution: Organisation | None


class Checker:
    """Checks rows one by one, remembering codes and serials across chunks (duplicates in the file)."""

    def __init__(self, utility: Organisation, actor, today: dt.date):
        self.lookups = Lookups(utility, actor)
        self.utility = utility
        self.today = today
        self.code_rows: dict[str, int] = {}
        self.serial_rows: dict[tuple, int] = {}
        self.rules: dict[tuple, tuple] = {}  # (see _rule)
        self.rotation: dict[tuple, dt.date] = {}
        # What every row's instrument and profile share, set once (core.bulk.Prototype: no model __init__ per row).
        self.new_instrument = Prototype(Instrument, owner=utility, range_unit="", usage=Usage.TRADE)
        self.new_meter = Prototype(HouseholdMeter, utility=utility)

    def check(self, rows: list[tuple[int, dict]]) -> tuple[list[Planned], list[RowError]]:
        """Check one chunk of (row number, values) against the file so far and the register."""
        staged, errors = [], []
        for number, values in rows:
            problems: list[tuple[str, str]] = []
            planned = self._row(number, values, problems)
            if problems:
                errors.extend(RowError(number, f, m) for f, m in problems)
            else:
                staged.append(planned)
        # Against the register: codes and serials already held by an instrument (in scope or not: one answer).
        codes = [p.instrument.instrument_code for p in staged if p.instrument.instrument_code]
        taken_codes = existing(Instrument._base_manager.all(), "instrument_code", codes)
        # By (maker, model, serials): the registry's unique index on the three serves the look-up.
        by_model: dict[tuple[str, str], list[str]] = {}
        for p in staged:
            by_model.setdefault((p.instrument.manufacturer, p.instrument.model), []).append(p.instrument.serial_number)
        taken_serials = set()
        for (maker, model), serials in by_model.items():
            taken_serials |= existing(Instrument._base_manager.filter(manufacturer=maker, model=model),
                                      "serial_number", serials, "manufacturer", "model", "serial_number")
        kept = []
        for p in staged:
            inst = p.instrument
            if inst.instrument_code in taken_codes:
                errors.append(RowError(p.row, "instrument_code", str(instrument_codes.CODE_TAKEN_MESSAGE)))
            elif (inst.manufacturer, inst.model, inst.serial_number) in taken_serials:
                errors.append(RowError(p.row, "serial_number", _(
                    "a meter %(maker)s %(model)s no. %(serial)s is already registered")
                    % {"maker": inst.manufacturer, "model": inst.model, "serial": inst.serial_number}))
            else:
                kept.append(p)
        errors.sort(key=lambda e: e.row)
        return kept, errors

    def _row(self, number: int, values: dict, problems: list) -> Planned | None:
        lk = self.lookups
        texts = dict(NO_TEXTS)  # a missing cell reads as _text(None)
        texts.update({k: v.strip() if type(v) is str else _text(v) for k, v in values.items()})  # each cell, once
        get = texts.__getitem__
        kind = KIND_WORDS.get(get("kind").lower())
        if kind is None:
            problems.append(("kind", _("%(v)r is not a meter kind (water, gas, electricity)") % {"v": get("kind")}))
        gas_kind = GAS_WORDS.get(get("gas_kind").lower())
        if gas_kind is None:
            problems.append(("gas_kind", _("%(v)r is not a gas kind (natural, manufactured, lpg)")
                             % {"v": get("gas_kind")}))
            gas_kind = ""
        q3 = values.get("q3")
        if q3 not in (None, ""):
            try:
                q3 = float(q3)
            except (TypeError, ValueError):
                problems.append(("q3", _("%(v)s is not a number") % {"v": q3}))
                q3 = None
        rule = size = None
        if kind is not None:
            rule, size, no_rule = self._rule(kind, values.get("size"), q3, gas_kind, get("accuracy_class"))
            if no_rule is not None:
                problems.append(no_rule)
        for key in ("manufacturer", "serial_number"):
            if not get(key):
                problems.append((key, _("is required")))
        region = lk.regions.get(get("region_code"))
        if region is None:
            problems.append(("region_code", _("%(v)r is not a current county-level region code (GB/T 2260)")
                             % {"v": get("region_code")}))
        installed_on = _date(values.get("installed_on"), "installed_on", problems, self.today)
        verified_on = _date(values.get("first_verified_on"), "first_verified_on", problems, self.today)
        result = RESULT_WORDS.get(get("first_result").lower())
        if result is None:
            problems.append(("first_result", _("write pass or fail (合格 or 不合格)")))
        elif result and verified_on is None and not any(p[0] == "first_verified_on" for p in problems):
            problems.append(("first_verified_on", _("a result needs the date of the first verification")))
        if installed_on and verified_on and installed_on < verified_on:
            problems.append(("installed_on", _("a meter is first verified before it is installed (verified on "
                                               "%(day)s)") % {"day": verified_on}))
        batch = None
        if get("batch_number"):
            batch = lk.batches.get(get("batch_number"))
            if batch is None:
                problems.append(("batch_number", _("the utility has no batch %(b)s (register the batch first)")
                                 % {"b": get("batch_number")}))
            elif kind is not None and batch.kind != kind:
                problems.append(("batch_number", _("batch %(b)s is a batch of %(k)s") %
                                 {"b": batch.number, "k": batch.get_kind_display()}))
        institution = None
        if get("institution_uscc"):
            try:
                institution = lk.institution(lk.uscc(get("institution_uscc")))
                if institution is None:
                    problems.append(("institution_uscc", _("no verification institution with code %(c)s")
                                     % {"c": get("institution_uscc")}))
            except IdentityError as exc:
                problems.append(("institution_uscc", exc.translated(_)))
        elif batch is not None and batch.institution_id:
            institution = batch.institution
        if result and institution is None and not get("institution_uscc"):
            problems.append(("first_result", _("name the verifying institution (column institution_uscc, or a batch "
                                               "registered with its institution)")))
        code = None
        try:
            code = instrument_codes.given_code(values.get("instrument_code"), values.get("code_scheme") or None)
        except ValidationError as exc:
            problems.extend((k, str(m)) for k, msgs in exc.message_dict.items() for m in msgs)
        if code is not None:
            first = self.code_rows.setdefault(code[0], number)
            if first != number:
                problems.append(("instrument_code", _("code %(code)s is also in row %(row)d")
                                 % {"code": code[0], "row": first}))
        serial_key = (get("manufacturer"), get("model") or "-", get("serial_number"))
        if get("serial_number"):
            first = self.serial_rows.setdefault(serial_key, number)
            if first != number:
                problems.append(("serial_number", _("serial number %(s)s of this maker and model is also in row "
                                                    "%(row)d") % {"s": serial_key[2], "row": first}))
        if problems:
            return None
        category = lk.categories[rule.category]
        inst = self.new_instrument(
            {"category": category}, category_id=category.pk, manufacturer=serial_key[0], model=serial_key[1],
            serial_number=serial_key[2], accuracy_class=get("accuracy_class"),
            region_id=region.code, address=get("address")[:300], installation_date=installed_on,
            status=InstrumentStatus.IN_SERVICE if installed_on else InstrumentStatus.REGISTERED,
            mandatory=lk.mandatory[rule.category],
            instrument_code=code[0] if code else "", code_scheme=code[1] if code else "")
        meter = self.new_meter(
            {"batch": batch}, region_id=region.code, kind=kind, size=size,
            gas_kind=gas_kind if kind == MeterKind.GAS else "", accuracy_class=get("accuracy_class"),
            rule=rule.category, service_life_years=rule.years, batch_id=batch.pk if batch else None,
            account_area=get("account_area")[:200],
            installed_on=installed_on, first_verified_on=verified_on, first_result=result or "",
            rotation_due=self._rotation_due(rule, verified_on) if verified_on else None)
        return Planned(number, inst, meter, institution)

    def _rule(self, kind, size, q3, gas_kind, accuracy_class) -> tuple:
        """(rule, size as stored, (field, problem) or None) of service_life.rule_for and normal_size, once per
        distinct combination (a file repeats a few meter types on every row)."""
        key = (kind, type(size), size, type(q3), q3, gas_kind, accuracy_class)
        found = self.rules.get(key)
        if found is None:
            try:
                rule = service_life.rule_for(kind, size=size, q3=q3, gas_kind=gas_kind, accuracy_class=accuracy_class)
                found = (rule, normal_size(kind, size), None)
            except service_life.NoRule as exc:
                found = (None, None, (exc.field, exc.translated(_)))
            self.rules[key] = found
        return found

    def _rotation_due(self, rule: service_life.Rule, verified_on: dt.date) -> dt.date:
        key = (rule, verified_on)
        if key not in self.rotation:
            self.rotation[key] = rule.rotation_due(verified_on)
        return self.rotation[key]


def first_events(planned: Iterable[tuple[Instrument, HouseholdMeter, Organisation]], *, actor, tag: str) -> list:
    """supervision's first-verification events of these meters (to be bulk-inserted): the institution's record,
    kind first, next due the rotation deadline (none for a failed meter). ``tag`` makes the record's number:
    ``<tag>:<instrument code>`` (the batch number, or the import)."""
    from jiliang.supervision.models import EventSource, Result, VerificationEvent, VerificationKind

    events = []
    new_event = Prototype(VerificationEvent, source=EventSource.REPORTED, kind=VerificationKind.FIRST,
                          reported_by=actor if getattr(actor, "pk", None) else None)
    for inst, meter, institution in planned:
        events.append(new_event(
            {"institution": institution}, institution_id=institution.pk if institution is not None else None,
            number=f"{tag}:{inst.instrument_code}"[:100], instrument_id=inst.pk,
            verified_on=meter.first_verified_on,
            result=Result.PASS if meter.first_result == FirstResult.PASS else Result.FAIL,
            next_due=meter.rotation_due if meter.first_result == FirstResult.PASS else None,
            received={"household_meter": True, "errors": meter.first_errors or {}}))
    return events


def write(planned: list[Planned], *, actor, message: str) -> tuple[list[int], int]:
    """Write checked rows in bulk (in the caller's transaction): instruments, profiles, first verifications,
    audit entries; returns the instruments' ids and how many first verifications were recorded."""
    if not planned:
        return [], 0
    instruments = fast_insert(Instrument, [p.instrument for p in planned])
    for p in planned:
        p.meter.instrument_id = p.instrument.pk
        p.meter.instrument = p.instrument
    fast_insert(HouseholdMeter, [p.meter for p in planned])
    from jiliang.supervision.models import VerificationEvent

    verified = [(p.instrument, p.meter, p.institution) for p in planned if p.meter.first_result]
    fast_insert(VerificationEvent, first_events(verified, actor=actor, tag=IMPORT_TAG))
    audit.record_many([{"obj": p.instrument, "action": "create", "message": f"{message} row {p.row}"[:500],
                        "after": {"instrument_code": p.instrument.instrument_code, "kind": p.meter.kind,
                                  "rule": p.meter.rule,
                                  "rotation_due": p.meter.rotation_due.isoformat() if p.meter.rotation_due else None,
                                  "serial_number": p.instrument.serial_number}} for p in planned], actor=actor)
    ids = [i.pk for i in instruments]
    records_written.send(sender=Instrument, pks=ids)
    return ids, len(verified)


def register_rows(rows: Iterable[tuple[int, dict]], *, utility: Organisation, actor, today: dt.date | None = None,
                  message: str = "household meter import", total: int | None = None,
                  progress: Callable[[int, int | None], None] | None = None) -> Result:
    """Check and register rows of (row number, {column key: value}); the good rows are written, the bad ones
    reported. One transaction: either the good rows are all written or (on a failure of the database) none."""
    today = today or dt.date.today()
    check_registrar(actor, utility)
    checker = Checker(utility, actor, today)
    result = Result()
    chunk: list[tuple[int, dict]] = []
    with transaction.atomic(), fewer_collections():  # (a chunk's model instances live until it is written)
        def flush():
            kept, errors = checker.check(chunk)
            result.errors.extend(errors)
            ids, verified = write(kept, actor=actor, message=message)
            result.created += len(ids)
            result.verified += verified
            result.instrument_ids.extend(ids)
            chunk.clear()
            if progress:
                progress(result.rows, total)

        for number, values in rows:
            result.rows += 1
            chunk.append((number, values))
            if len(chunk) >= CHUNK:
                flush()
        if chunk:
            flush()
        _verify_scope(actor, result.instrument_ids)
    return result


def _verify_scope(actor, ids: list[int]) -> None:
    """Write-then-verify: every meter written must be one the actor sees (else nothing is kept)."""
    if not ids or is_unrestricted(actor):
        return
    seen = 0
    for i in range(0, len(ids), 5000):
        seen += HouseholdMeter.objects.restrict(actor, VIEW).filter(pk__in=ids[i:i + 5000]).count()
    if seen != len(ids):
        raise PermissionDenied(_("Some rows would lie outside your region or organisation; nothing was registered."))


def table_rows(table) -> tuple[Iterable[tuple[int, dict]], list[str]]:
    """(row number, values) of a core.tabular Table, and the header problems (nothing is read if there are)."""
    index, problems = header_map(table.headers)
    rows = ((number, {k: cells[i] for k, i in index.items()}) for number, cells in table.rows)
    return rows, problems
