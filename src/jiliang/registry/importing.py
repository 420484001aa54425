"""Excel/CSV import of organisations, instruments and catalogue entries.

Each row is checked like a form would check it (``Model.clean_fields`` and ``clean``) but against
look-up maps built once per file, so a 100,000-row file needs a handful of queries. The report lists
every error by row, column and reason; the user then imports the valid rows or nothing. Rows are
matched to existing records by natural key (USCC, manufacturer + model + serial, catalogue code), so
importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import abc
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils.datetime import from_excel

from jiliang.core import audit, services
from jiliang.core.bulk import fast_insert
from jiliang.core.identities import note_clash
from jiliang.core.models import Region
from jiliang.core.scoping import (
    ADD,
    CHANGE,
    VIEW,
    instance_in_scope,
    is_unrestricted,
    locked_fields,
    may_write,
)
from jiliang.core.services import ScopeError
from jiliang.core.signals import records_written
from jiliang.core.tabular import Table, TableError
from jiliang.core.values.chunks import chunks

from . import instrument_codes
from . import models as m
from .identity import IdentityError, make_uscc, validate_uscc


@dataclass(frozen=True)
class ImportColumn:
    key: str
    label: object  # a lazy label: the header in the user's language
    required: bool = False
    kind: str = "str"  # str, code, decimal, date, int, bool, choice, ref, multi
    choices: type | None = None
    help: str = ""
    alias: str = ""  # the header of earlier templates, still accepted

    def header(self) -> str:
        return str(self.label)

    def header_forms(self) -> set[str]:
        """Every header that names this column: the key, the label in each language, earlier forms."""
        forms = {self.key, self.alias, f"{self.alias} ({self.key})"}
        for lang in LANGUAGES:
            with translation.override(lang):
                forms |= {str(self.label), f"{self.label} ({self.key})"}
        return {f.strip().lower() for f in forms if f.strip()}


LANGUAGES = ("zh-hans", "en")


def _error_headers() -> set[str]:
    out = set()
    for lang in LANGUAGES:
        with translation.override(lang):
            out.add(str(ERRORS_HEADER).lower())
    return out


ERRORS_HEADER = gettext_lazy("errors found by the import")


def _field(model, name: str):
    return model._meta.get_field(name).verbose_name


@dataclass
class RowError:
    row: int
    column: str
    reason: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class PlannedRow:
    row: int
    action: str  # create, update, unchanged
    obj: object
    before: dict | None = None
    m2m: dict = field(default_factory=dict)


@dataclass
class ImportReport:
    kind: str
    total: int = 0
    planned: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for p in self.planned if p.action == action)

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors if e.row})

    def summary(self) -> dict:
        return {"kind": self.kind, "total": self.total, "create": self.count("create"),
                "update": self.count("update"), "unchanged": self.count("unchanged"),
                "error_rows": self.error_rows, "errors": [e.as_dict() for e in self.errors[:1000]],
                "more_errors": max(0, len(self.errors) - 1000), "notices": self.notices}


def _choice_map(choices) -> dict[str, str]:
    out = {}
    for value, label in choices.choices:
        out[str(value).lower()] = value
        for lang in LANGUAGES:
            with translation.override(lang):
                out[str(label).strip().lower()] = value
    return out


_EXCEL_SERIAL = re.compile(r"^\d{1,6}(\.\d+)?$")
_TRUE = {"1", "true", "yes", "y", "是", "✓", "x"}
_FALSE = {"0", "false", "no", "n", "否", ""}


class CellError(ValueError):
    pass


def parse_cell(col: ImportColumn, value, choice_maps: dict):
    if value is None or (isinstance(value, str) and not value.strip()):
        if col.required:
            raise CellError(_("is required"))
        return None
    if col.kind == "code":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return str(value).strip()
        if isinstance(value, float) and (abs(value) >= 1e15 or not value.is_integer()):
            # Excel keeps 15 significant digits of a number: a 22-digit State Grid code typed as a number is lost.
            raise CellError(_("%(value)r was stored as a number, which keeps only 15 digits: format the column as "
                              "text and type the code again") % {"value": value})
        return str(int(value))
    if col.kind == "str":
        return str(value).strip() if not isinstance(value, float) or not value.is_integer() else str(int(value))
    if col.kind == "decimal":
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation:
            raise CellError(_("%(value)r is not a number") % {"value": value}) from None
        if not result.is_finite():
            raise CellError(_("%(value)r is not a finite number") % {"value": value})
        return result
    if col.kind == "int":
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise CellError(_("%(value)r is not a whole number") % {"value": value}) from None
        if number != number.to_integral_value() or number < 0:
            raise CellError(_("%(value)r is not a whole number") % {"value": value})
        return int(number)
    if col.kind == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        if _EXCEL_SERIAL.match(text):  # an Excel date cell, read as its serial number
            return from_excel(float(text)).date()
        text = text.replace("/", "-").replace(".", "-")
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise CellError(_("%(value)r is not a date (write YYYY-MM-DD)") % {"value": value}) from None
    if col.kind == "bool":
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise CellError(_("%(value)r is not yes/no (是/否)") % {"value": value})
    if col.kind == "choice":
        found = choice_maps[col.key].get(str(value).strip().lower())
        if found is None:
            allowed = ", ".join(str(label) for v, label in col.choices.choices if v)
            raise CellError(_("%(value)r is not one of: %(allowed)s") % {"value": value, "allowed": allowed})
        return found
    if col.kind in ("ref", "multi"):
        return str(value).strip()
    raise AssertionError(col.kind)


class ColumnReader:
    """The columns of an import file and how a row of it is read: each column's header in every language (and
    earlier templates' forms), the header row checked against them, each cell parsed by :func:`parse_cell`, the
    template's example row. :class:`Importer` plans and applies registry records on it; imports that apply their
    rows through services of their own (market stalls and scales, batch filing, verification records) read their
    files with it directly."""

    kind: str = ""
    columns: list[ImportColumn] = []
    label = ""

    def __init__(self, user):
        self.user = user
        self.choice_maps = {c.key: _choice_map(c.choices) for c in self.columns if c.kind == "choice"}

    # --- header -----------------------------------------------------------------------------------
    def map_headers(self, headers: list[str]) -> dict[str, int]:
        by_name = {}
        for c in self.columns:
            for form in c.header_forms():
                by_name.setdefault(form, c.key)
        index, unknown = {}, []
        for i, h in enumerate(headers):
            text = (h or "").strip()
            key = by_name.get(text.lower())
            if key is None:
                m_ = re.search(r"\(([a-z_]+)\)\s*$", text)
                key = by_name.get(m_.group(1)) if m_ else None
            if key is None:
                if text.lower() in _error_headers():
                    continue  # the error column of a downloaded report, uploaded again after correcting
                if text:
                    unknown.append(text)
                continue
            index[key] = i
        missing = [c.header() for c in self.columns if c.required and c.key not in index]
        problems = []
        if missing:
            problems.append(_("Missing required columns: %(cols)s.") % {"cols": ", ".join(missing)})
        if unknown:
            problems.append(_("Unknown columns (renamed or not part of the template): %(cols)s.")
                            % {"cols": ", ".join(unknown)})
        if problems:
            problems.append(_("Download the template and keep its header row as it is."))
            raise TableError(" ".join(problems))
        return index

    def read_row(self, index: dict[str, int], cells: list) -> tuple[dict, list[tuple[ImportColumn, str]]]:
        """The row's values of the columns the file has (``index`` from :meth:`map_headers`), and the cells that
        could not be read as (column, reason)."""
        values, bad = {}, []
        for col in self.columns:
            i = index.get(col.key)
            if i is None:
                continue
            try:
                values[col.key] = parse_cell(col, cells[i] if i < len(cells) else None, self.choice_maps)
            except CellError as exc:
                bad.append((col, str(exc)))
        return values, bad

    def example(self) -> dict:
        """The template's example row, as a user would type it (names in the active language)."""
        return {}

    def example_rows(self) -> set[tuple]:
        """The example row in every language, normalised as :func:`_normalised` reads a row."""
        rows = set()
        for lang in LANGUAGES:
            with translation.override(lang):
                example = {k: _text(v) for k, v in self.example().items()}
            if example:
                rows.add(tuple(sorted((k, v) for k, v in example.items() if v)))
        return rows

    def template_rows(self) -> tuple[list[str], list[list]]:
        """The template's header row and its example row, in the active language."""
        example = self.example()
        return [c.header() for c in self.columns], [[example.get(c.key, "") for c in self.columns]]


class Importer(ColumnReader, abc.ABC):
    """Plans and applies one import of registry records. Subclasses declare columns, the natural key and how to
    build a record."""

    model: type = None

    def __init__(self, user):
        super().__init__(user)
        self.regions = {r.code: r for r in Region.objects.select_related("parent")}
        names: dict[str, list] = {}
        for r in self.regions.values():
            if r.is_current:
                names.setdefault(str(r), []).append(r)
                names.setdefault(r.name, []).append(r)
        # A name names a region only if one current region has it (鼓楼区 is in several cities).
        self.region_names = {name: found[0] for name, found in names.items() if len(found) == 1}

    # --- subclasses -------------------------------------------------------------------------------
    def prepare(self, rows: list[dict]) -> None:
        """Build the look-up maps the rows need (one query per map). Values that could not be read are None."""
        return  # a hook: importers whose rows refer to nothing need no maps

    def reference_problems(self, values: dict) -> list[tuple[str, str]]:
        """(column key, reason) for each look-up of a row that fails (unknown owner, category, region)."""
        return []

    @abc.abstractmethod
    def natural_key(self, values: dict) -> tuple:
        """The row's identity in the register (e.g. the USCC), by which a second import updates, not duplicates."""

    @abc.abstractmethod
    def existing(self, keys: list[tuple]) -> dict[tuple, object]:
        """The records already registered under ``keys``, by key, in one query."""

    @abc.abstractmethod
    def build(self, values: dict, current) -> tuple[object, dict]:
        """Return (unsaved or updated instance, m2m values); raise RowErrors via CellError keyed by column."""

    # --- plan -------------------------------------------------------------------------------------
    def plan(self, table: Table) -> ImportReport:
        report = ImportReport(kind=self.kind, notices=list(table.notices))
        index = self.map_headers(table.headers)
        headers = {c.key: c.header() for c in self.columns}
        examples = self.example_rows()
        # One cell first, so that a 100,000-row file does not normalise every row to look for the example.
        probe = next(iter(index), None)
        probe_values = {dict(e).get(probe, "") for e in examples}
        rows: list[tuple[int, dict, set]] = []
        for row_no, cells in table.rows:
            if examples and _text(cells[index[probe]]) in probe_values and _normalised(cells, index) in examples:
                report.notices.append(_("Row %(row)d is the template's example; it was skipped.") % {"row": row_no})
                continue
            report.total += 1
            values, failed = {}, set()
            for col in self.columns:
                raw = cells[index[col.key]] if col.key in index else None
                try:
                    values[col.key] = parse_cell(col, raw, self.choice_maps)
                except CellError as exc:
                    report.errors.append(RowError(row_no, col.header(), str(exc)))
                    values[col.key], failed = None, failed | {col.key}
            rows.append((row_no, values, failed))
        self.prepare([v for _, v, _ in rows])
        parsed: list[tuple[int, dict]] = []
        for row_no, values, failed in rows:
            if not failed:
                parsed.append((row_no, values))
                continue
            # Every error of the row, not only its unreadable cells: the look-ups of the readable ones too.
            report.errors.extend(RowError(row_no, headers.get(k, k), reason)
                                 for k, reason in self.reference_problems(values) if k not in failed)
        keys = [self.natural_key(v) for _, v in parsed]
        existing = self.existing(keys)
        seen: dict[tuple, int] = {}
        locked = locked_fields(self.user, self.model.scope)
        for (row_no, values), key in zip(parsed, keys, strict=True):
            if key in seen:
                report.errors.append(RowError(row_no, ", ".join(headers[k] for k in self.key_columns),
                                              _("duplicates row %(row)d of this file") % {"row": seen[key]}))
                continue
            seen[key] = row_no
            current = existing.get(key)
            before = self.snapshot(current) if current is not None else None
            self.row_no = row_no
            try:
                obj, m2m = self.build(values, current)
                self.validate(obj)
            except _RowProblems as exc:
                report.errors.extend(RowError(row_no, headers.get(k, k), r) for k, r in exc.problems)
                continue
            if current is None:
                # (fields_set_on_create costs a fifth of the check on a large file: only when something is locked)
                if locked and self.authority_refused(row_no, services.fields_set_on_create(obj, m2m), headers,
                                                     report):
                    continue
                report.planned.append(PlannedRow(row_no, "create", obj, None, m2m))
                continue
            after = audit.snapshot(obj)
            if m2m:
                after.update({k: sorted(str(getattr(v, "pk", v)) for v in vals) for k, vals in m2m.items()})
            diff = audit.changed_fields(before, after)
            if self.authority_refused(row_no, diff, headers, report):
                continue
            action = "unchanged" if diff == {} else "update"
            report.planned.append(PlannedRow(row_no, action, obj, before, m2m))
        report.errors.sort(key=lambda e: e.row)
        return report

    key_columns: tuple[str, ...] = ()
    field_columns: dict[str, str] = {}

    def authority_refused(self, row_no: int, written, headers: dict, report: ImportReport) -> bool:
        """Report each field of the row that only the supervising bureau writes (the same rule as the services)."""
        try:
            services.check_authority_fields(self.model, self.user, written)
        except services.AuthorityFieldError as exc:
            for name in exc.fields:
                column = self.field_columns.get(name, name)
                report.errors.append(RowError(row_no, headers.get(column, column),
                                              _("only the market supervision bureau writes this field")))
            return True
        return False

    def snapshot(self, obj) -> dict:
        data = audit.snapshot(obj)
        for f in obj._meta.many_to_many:
            data[f.name] = sorted(str(v) for v in getattr(obj, f.name).values_list("pk", flat=True))
        return data

    def validate(self, obj) -> None:
        problems = []
        if self.is_new(obj) and not may_write(self.user, self.model.scope, ADD):
            problems.append(("", _("your role may not add %(what)s") % {"what": self.model._meta.verbose_name_plural}))
        prepare = getattr(obj, "prepare_for_save", None)
        if prepare:
            prepare()
        fk_names = [f.name for f in obj._meta.concrete_fields if f.is_relation]
        try:
            obj.clean_fields(exclude=fk_names)
            obj.clean()
        except ValidationError as exc:
            for name, msgs in exc.message_dict.items():
                problems.extend((self.field_columns.get(name, name), str(msg)) for msg in msgs)
        if not instance_in_scope(self.user, obj):
            problems.append((self.scope_column, _("lies outside your region or organisation")))
        if problems:
            raise _RowProblems(problems)

    scope_column = ""

    def refuse_unless_changeable(self, current) -> None:
        """A row whose key names a registered record the user may not change gets the model's one answer for a
        taken identity, wherever that record is; the bureau holding it is told when it lies outside the user's
        sight (core.identities)."""
        if current is None or self.model.objects.restrict(self.user, CHANGE).filter(pk=current.pk).exists():
            return
        if not self.model.objects.restrict(self.user, VIEW).filter(pk=current.pk).exists():
            note_clash(current, self.user)
        raise _RowProblems([(self.key_columns[-1], str(self.model.identity_taken_message))])

    @staticmethod
    def is_new(obj) -> bool:
        return obj.pk is None

    # --- apply ------------------------------------------------------------------------------------
    def apply(self, report: ImportReport, *, valid_only: bool, progress: Callable[[int], None] | None = None) -> dict:
        if report.errors and not valid_only:
            raise ValidationError(_("The file has %(n)d errors; nothing was imported. Correct them, or choose to "
                                    "import only the valid rows.") % {"n": len(report.errors)})
        creates = [p for p in report.planned if p.action == "create"]
        updates = [p for p in report.planned if p.action == "update"]
        with transaction.atomic():
            if updates and not may_write(self.user, self.model.scope, CHANGE):
                raise ScopeError(_("Your role may not change these records."))
            created = fast_insert(self.model, [p.obj for p in creates])
            if progress:
                progress(len(created))
            fields = [f.name for f in self.model._meta.concrete_fields if not f.primary_key and f.name != "created"]
            changed_objs = [p.obj for p in updates]
            if changed_objs:
                self.model.objects.bulk_update(changed_objs, fields, batch_size=1000)
            for p in creates + updates:
                for name, values in p.m2m.items():
                    getattr(p.obj, name).set(values)
            written = [p.obj.pk for p in creates + updates]
            # Write-then-verify over the whole batch.
            # Write-then-verify; an unrestricted user's rows cannot fall outside their scope.
            if written and not is_unrestricted(self.user) \
                    and _count_in_scope(self.model, self.user, written) != len(written):
                raise ScopeError(_("Some rows would lie outside your region or organisation; nothing was imported."))
            items = [{"obj": p.obj, "action": "create", "after": self.snapshot(p.obj) if p.m2m else audit.snapshot(p.obj),
                      "message": f"import row {p.row}"} for p in creates]
            for p in updates:
                diff = audit.changed_fields(p.before, self.snapshot(p.obj))
                items.append({"obj": p.obj, "action": "update", "before": {k: v[0] for k, v in diff.items()},
                              "after": {k: v[1] for k, v in diff.items()}, "message": f"import row {p.row}"})
            audit.record_many(items, actor=self.user)
            records_written.send(sender=self.model, pks=written)
            if progress:
                progress(len(creates) + len(updates))
        return {"created": len(creates), "updated": len(updates), "unchanged": report.count("unchanged"),
                "skipped_error_rows": report.error_rows}


def _count_in_scope(model, user, pks: list[int], chunk: int = 5000) -> int:
    return sum(model.objects.restrict(user, CHANGE).filter(pk__in=batch).count() for batch in chunks(pks, chunk))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        value = value.date()
    return str(value).strip()


def _normalised(cells: list, index: dict[str, int]) -> tuple:
    return tuple(sorted((k, _text(cells[i])) for k, i in index.items() if i < len(cells) and _text(cells[i])))


class _RowProblems(Exception):
    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__(problems)
        self.problems = problems


_CODE = re.compile(r"^(\d{6})(\s|$)")


def _region(importer: Importer, text: str | None, column: str, problems: list):
    """A region by its GB/T 2260 code, by its name as the template's list shows it, or by a unique name."""
    if text is None:
        return None
    found = _CODE.match(text)
    if found:
        code = found.group(1)
        region = importer.regions.get(code)
    else:
        region = importer.region_names.get(" ".join(text.split()))
        code = region.code if region else text
    if region is None and found:
        problems.append((column, _("unknown region code %(code)s (GB/T 2260)") % {"code": code}))
    elif region is None:
        problems.append((column, _("unknown region %(value)s (choose a name from the list or write its GB/T 2260 "
                                   "code)") % {"value": text}))
    elif not region.is_current:
        problems.append((column, _("region code %(code)s was retired in %(year)s; use %(new)s")
                         % {"code": code, "year": region.retired_year, "new": region.successor_id or "?"}))
    return region


# A valid code for the templates' example rows (make_uscc("91320583MA1EXAMP0")).
EXAMPLE_USCC = make_uscc("91320583MA1EXAMP0")


def _category_names(categories) -> dict[str, object]:
    """Catalogue entries by their names as the template's list shows them, in each language."""
    names: dict[str, list] = {}
    for c in categories:
        for lang in LANGUAGES:
            with translation.override(lang):
                names.setdefault(str(c).lower(), []).append(c)
        names.setdefault(c.name.lower(), []).append(c)
    return {name: found[0] for name, found in names.items() if len({c.pk for c in found}) == 1}


class OrganisationImporter(Importer):
    kind = "organisations"
    model = m.Organisation
    label = gettext_lazy("organisations")
    key_columns = ("uscc",)
    scope_column = "region_code"
    field_columns = {"region": "region_code"}
    columns = [
        ImportColumn("name", _field(m.Organisation, "name"), required=True, alias="名称"),
        ImportColumn("uscc", _field(m.Organisation, "uscc"), required=True, alias="统一社会信用代码"),
        ImportColumn("kind", _field(m.Organisation, "kind"), required=True, kind="choice", choices=m.OrganisationKind, alias="类型"),
        ImportColumn("region_code", gettext_lazy("region (name or code)"), required=True, kind="ref",
                     alias="行政区划代码"),
        ImportColumn("address", _field(m.Organisation, "address"), alias="地址"),
        ImportColumn("contact_name", _field(m.Organisation, "contact_name"), alias="联系人"),
        ImportColumn("contact_phone", _field(m.Organisation, "contact_phone"), alias="联系电话"),
        ImportColumn("contact_email", _field(m.Organisation, "contact_email"), alias="电子邮箱"),
        ImportColumn("designations", gettext_lazy("designations (codes, separated by commas)"), kind="multi",
                     alias="称号"),
        ImportColumn("mms_status", _field(m.Organisation, "mms_status"), kind="choice", choices=m.MMSStatus, alias="测量管理体系"),
        ImportColumn("mms_certificate", _field(m.Organisation, "mms_certificate"), alias="测量管理体系证书号"),
        ImportColumn("mms_valid_until", _field(m.Organisation, "mms_valid_until"), kind="date", alias="测量管理体系证书有效期至"),
    ]

    def prepare(self, rows):
        self.designations = {d.code: d for d in m.Designation.objects.all()}

    def example(self):
        region = self.regions.get("320583")
        return {"name": "昆山示例精密机械有限公司", "uscc": EXAMPLE_USCC, "kind": m.OrganisationKind.ENTERPRISE.label,
                "region_code": str(region) if region else "320583", "address": "昆山市前进中路1号",
                "contact_name": "王工", "contact_phone": "0512-57000000", "mms_status": m.MMSStatus.NONE.label}

    def _lookups(self, values):
        problems = []
        region = _region(self, values.get("region_code"), "region_code", problems)
        designations = []
        for code in re.split(r"[,，;；\s]+", values.get("designations") or ""):
            if not code:
                continue
            d = self.designations.get(code)
            if d is None:
                problems.append(("designations", _("unknown designation %(code)s") % {"code": code}))
            else:
                designations.append(d)
        return region, designations, problems

    def reference_problems(self, values):
        return self._lookups(values)[2]

    def natural_key(self, values):
        try:
            return (validate_uscc(values["uscc"]),)
        except IdentityError:
            return (values["uscc"],)

    def existing(self, keys):
        found = {}
        flat = [k[0] for k in keys]
        for batch in chunks(flat, 5000):
            for o in m.Organisation.objects.filter(uscc__in=batch):
                found[(o.uscc,)] = o
        return found

    def build(self, values, current):
        region, designations, problems = self._lookups(values)
        if problems:
            raise _RowProblems(problems)
        self.refuse_unless_changeable(current)
        obj = current or m.Organisation()
        for name in ("name", "uscc", "kind", "address", "contact_name", "contact_phone", "contact_email",
                     "mms_certificate", "mms_valid_until"):
            setattr(obj, name, values.get(name) or ("" if name not in ("mms_valid_until",) else None))
        obj.mms_status = values.get("mms_status") or m.MMSStatus.NONE
        obj.region = region
        return obj, {"designations": designations}


class InstrumentCategoryImporter(Importer):
    kind = "categories"
    model = m.InstrumentCategory
    label = gettext_lazy("instrument categories")
    key_columns = ("code",)
    columns = [
        ImportColumn("code", _field(m.InstrumentCategory, "code"), required=True, alias="代码"),
        ImportColumn("name", _field(m.InstrumentCategory, "name"), required=True, alias="一级目录"),
        ImportColumn("second_level", _field(m.InstrumentCategory, "second_level"), alias="二级目录"),
        ImportColumn("name_en", _field(m.InstrumentCategory, "name_en"), alias="英文名称"),
        ImportColumn("domain", _field(m.InstrumentCategory, "domain"), required=True, kind="choice", choices=m.MeasurementDomain, alias="专业"),
        ImportColumn("regulation", _field(m.InstrumentCategory, "regulation"), alias="检定规程"),
        ImportColumn("supervision_mode", _field(m.InstrumentCategory, "supervision_mode"), kind="choice", choices=m.SupervisionMode, alias="监管方式"),
        ImportColumn("verification_mode", _field(m.InstrumentCategory, "verification_mode"), kind="choice", choices=m.VerificationMode, alias="强检方式"),
        ImportColumn("period_months", _field(m.InstrumentCategory, "period_months"), kind="int", alias="检定周期(月)"),
        ImportColumn("service_life_years", _field(m.InstrumentCategory, "service_life_years"), kind="int", alias="使用年限(年)"),
        ImportColumn("mandatory_trade", _field(m.InstrumentCategory, "mandatory_trade"), kind="bool", alias="贸易结算强检"),
        ImportColumn("mandatory_safety", _field(m.InstrumentCategory, "mandatory_safety"), kind="bool", alias="安全防护强检"),
        ImportColumn("mandatory_medical", _field(m.InstrumentCategory, "mandatory_medical"), kind="bool", alias="医疗卫生强检"),
        ImportColumn("mandatory_environment", _field(m.InstrumentCategory, "mandatory_environment"), kind="bool", alias="环境监测强检"),
        ImportColumn("scope_text", _field(m.InstrumentCategory, "scope_text"), alias="强检范围及说明"),
        ImportColumn("source", _field(m.InstrumentCategory, "source"), alias="来源"),
        ImportColumn("confidence", _field(m.InstrumentCategory, "confidence"), kind="choice", choices=m.Confidence, alias="可信度"),
    ]

    def natural_key(self, values):
        return (values["code"],)

    def existing(self, keys):
        return {(c.code,): c for c in m.InstrumentCategory.objects.filter(code__in=[k[0] for k in keys])}

    def build(self, values, current):
        obj = current or m.InstrumentCategory()
        for col in self.columns:
            value = values.get(col.key)
            if col.kind == "bool":
                value = bool(value)
            elif value is None and col.kind in ("str", "choice"):
                value = "" if col.key != "confidence" else m.Confidence.LOW
            setattr(obj, col.key, value)
        return obj, {}


class InstrumentImporter(Importer):
    kind = "instruments"
    model = m.Instrument
    label = gettext_lazy("instruments")
    key_columns = ("manufacturer", "model", "serial_number")
    scope_column = "region_code"
    field_columns = {"region": "region_code", "owner": "owner_uscc", "category": "category_code",
                     "range_min": "range_min", "range_max": "range_max"}
    columns = [
        ImportColumn("owner_uscc", gettext_lazy("owner's unified social credit code"), required=True, kind="ref",
                     alias="使用单位统一社会信用代码"),
        ImportColumn("category_code", gettext_lazy("category (name or code)"), required=True, kind="ref",
                     alias="目录项代码"),
        ImportColumn("manufacturer", _field(m.Instrument, "manufacturer"), required=True, alias="制造商"),
        ImportColumn("model", _field(m.Instrument, "model"), required=True, alias="型号"),
        ImportColumn("serial_number", _field(m.Instrument, "serial_number"), required=True, alias="出厂编号"),
        ImportColumn("pattern_approval_no", _field(m.Instrument, "pattern_approval_no"), alias="型式批准号"),
        ImportColumn("accuracy_class", _field(m.Instrument, "accuracy_class"), alias="准确度等级"),
        ImportColumn("range_min", _field(m.Instrument, "range_min"), kind="decimal", alias="测量范围下限"),
        ImportColumn("range_max", _field(m.Instrument, "range_max"), kind="decimal", alias="测量范围上限"),
        ImportColumn("range_unit", _field(m.Instrument, "range_unit"), alias="单位"),
        ImportColumn("usage", _field(m.Instrument, "usage"), required=True, kind="choice", choices=m.Usage, alias="用途"),
        ImportColumn("region_code", gettext_lazy("location region (name or code)"), required=True, kind="ref",
                     alias="安装地行政区划代码"),
        ImportColumn("address", _field(m.Instrument, "address"), alias="安装地址"),
        ImportColumn("installation_date", _field(m.Instrument, "installation_date"), kind="date", alias="安装日期"),
        ImportColumn("status", _field(m.Instrument, "status"), kind="choice", choices=m.InstrumentStatus, alias="状态"),
        ImportColumn("status_reason", _field(m.Instrument, "status_reason"), alias="状态原因"),
        ImportColumn("status_date", _field(m.Instrument, "status_date"), kind="date", alias="状态日期"),
        # 一具一码 (docs/instrument-codes.md): the maker's or utility's code; left empty, jiliang issues its own.
        ImportColumn("instrument_code", _field(m.Instrument, "instrument_code"), kind="code"),
        ImportColumn("code_scheme", _field(m.Instrument, "code_scheme"), kind="choice", choices=m.CodeScheme),
    ]

    def __init__(self, user):
        super().__init__(user)
        self.categories = {c.code: c for c in m.InstrumentCategory.objects.all()}
        self.category_names = _category_names(self.categories.values())

    def prepare(self, rows):
        codes = {r["owner_uscc"].upper() for r in rows if r.get("owner_uscc")}
        self.owners = {}
        codes_l = sorted(codes)
        for batch in chunks(codes_l, 5000):
            # Owners the user cannot see do not exist for them, as in the form's dropdown.
            visible = m.Organisation.objects.restrict(self.user, VIEW)
            for o in visible.filter(uscc__in=batch).only("id", "uscc", "region_id", "name"):
                self.owners[o.uscc] = o
        # Instruments already holding a code of the file (wherever they are), and which of them the user sees.
        given = sorted({c for r in rows if r.get("instrument_code")
                        for c in instrument_codes.candidates(r["instrument_code"])})
        self.code_holders, self.visible_holders, self.code_rows = {}, set(), {}
        for batch in chunks(given, 5000):
            for i in m.Instrument._base_manager.filter(instrument_code__in=batch).select_related("category"):
                self.code_holders[i.instrument_code] = i
        for batch in chunks(sorted(i.pk for i in self.code_holders.values()), 5000):
            self.visible_holders |= set(m.Instrument.objects.restrict(self.user, VIEW).filter(pk__in=batch)
                                        .values_list("pk", flat=True))

    def _code(self, values, current) -> tuple[tuple[str, str] | None, list[tuple[str, str]]]:
        """The row's (code, scheme), or None when it gives none, and the problems with it: malformed, a wrong check
        character, a scheme jiliang keeps for itself, a change of an existing instrument's code, a code of another
        row of the file or of another instrument (one answer in scope or out: core.identities)."""
        try:
            given = instrument_codes.given_code(values.get("instrument_code"), values.get("code_scheme"),
                                                current=current)
        except ValidationError as exc:
            return None, [(k, str(msg)) for k, msgs in exc.message_dict.items() for msg in msgs]
        if given is None or (current is not None and current.instrument_code == given[0]):
            return given, []
        code = given[0]
        first = self.code_rows.setdefault(code, self.row_no)
        if first != self.row_no:
            return None, [("instrument_code", _("code %(code)s is also given in row %(row)d of this file")
                           % {"code": code, "row": first})]
        existing = self.code_holders.get(code)
        if existing is not None and (current is None or existing.pk != current.pk):
            if existing.pk not in self.visible_holders:
                note_clash(existing, self.user)
            return None, [("instrument_code", str(instrument_codes.CODE_TAKEN_MESSAGE))]
        return given, []

    def example(self):
        category = self.categories.get("nawi-price-scale")
        region = self.regions.get("320583")
        return {"owner_uscc": EXAMPLE_USCC, "category_code": str(category) if category else "nawi-price-scale",
                "manufacturer": "上海友声衡器有限公司", "model": "TCS-30", "serial_number": "SN20240001",
                "accuracy_class": "III", "range_min": 0, "range_max": 30, "range_unit": "kg",
                "usage": m.Usage.TRADE.label, "region_code": str(region) if region else "320583",
                "address": "昆山市人民路1号农贸市场", "installation_date": "2024-05-01",
                "status": m.InstrumentStatus.IN_SERVICE.label}

    def _lookups(self, values):
        problems = []
        owner = None
        if values.get("owner_uscc"):
            try:
                uscc = validate_uscc(values["owner_uscc"])
                owner = self.owners.get(uscc)
                if owner is None:
                    problems.append(("owner_uscc", _("no organisation with code %(code)s is registered")
                                     % {"code": uscc}))
            except IdentityError as exc:
                problems.append(("owner_uscc", exc.translated(_)))
        category = None
        text = values.get("category_code")
        if text:
            category = self.categories.get(text) or self.category_names.get(" ".join(text.split()).lower())
            if category is None:
                problems.append(("category_code", _("unknown catalogue entry %(value)s (choose a name from the list "
                                                    "or write its code)") % {"value": text}))
            elif not category.is_active:
                problems.append(("category_code", _("catalogue entry %(code)s is no longer active")
                                 % {"code": category.code}))
        region = _region(self, values.get("region_code"), "region_code", problems)
        return owner, category, region, problems

    def reference_problems(self, values):
        return self._lookups(values)[3]

    def natural_key(self, values):
        return (values["manufacturer"], values["model"], values["serial_number"])

    def existing(self, keys):
        found = {}
        serials = sorted({k[2] for k in keys})
        for batch in chunks(serials, 5000):
            for obj in m.Instrument.objects.filter(serial_number__in=batch):
                found[(obj.manufacturer, obj.model, obj.serial_number)] = obj
        return found

    def build(self, values, current):
        owner, category, region, problems = self._lookups(values)
        if not problems:
            self.refuse_unless_changeable(current)
        code, code_problems = self._code(values, current)
        if problems or code_problems:
            raise _RowProblems(problems + code_problems)
        obj = current or m.Instrument()
        obj.owner, obj.category, obj.region = owner, category, region
        if code is not None:
            obj.instrument_code, obj.code_scheme = code
        for name in ("manufacturer", "model", "serial_number", "pattern_approval_no", "accuracy_class", "range_unit",
                     "address", "status_reason"):
            setattr(obj, name, values.get(name) or "")
        for name in ("range_min", "range_max", "installation_date", "status_date"):
            setattr(obj, name, values.get(name))
        obj.usage = values["usage"]
        obj.status = values.get("status") or m.InstrumentStatus.REGISTERED
        return obj, {}


IMPORTERS: dict[str, type[Importer]] = {
    cls.kind: cls for cls in (OrganisationImporter, InstrumentImporter, InstrumentCategoryImporter)
}


# -- the template and the report as workbooks ---------------------------------------------------------

# Choice columns whose template cell offers a drop-down list, and the look-up columns offering one.
LIST_ROWS = 2000  # rows of the template that carry the drop-downs


def template_workbook(kind: str, user=None) -> bytes:
    """A workbook people can fill in, in the active language.

    Sheet 1: the header row (required columns in red), one example row (skipped on import while it is
    left unchanged), drop-down lists for the choice columns and for category and region (names; codes
    are accepted too, so the lists warn rather than refuse). Sheet 2: the catalogue with its codes
    (instruments) or the regions (organisations). Sheet 3: what each column takes.
    """
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from jiliang.core.filters import region_choices

    importer = IMPORTERS[kind](user)
    wb = Workbook()
    ws = wb.active
    ws.title = str(importer.label)[:31]
    lists = wb.create_sheet(str(_("lists"))[:31])
    lists.sheet_state = "hidden"
    ws.append([c.header() for c in importer.columns])
    for cell, col in zip(ws[1], importer.columns, strict=True):
        cell.font = Font(bold=True, color="C00000" if col.required else "000000")
        if col.required:
            cell.comment = Comment(str(_("must be filled in")), "jiliang")
    example = importer.example()
    ws.append([v if v is None or isinstance(v, (int, float)) else str(v)
               for v in (example.get(c.key) for c in importer.columns)])
    for cell in ws[2]:
        cell.font = Font(italic=True, color="808080")
    ws.cell(2, 1).comment = Comment(str(_("An example: overwrite it or leave it as it is (an unchanged example row "
                                          "is skipped).")), "jiliang")
    ws.freeze_panes = "A2"

    def offer(col_index: int, col: ImportColumn, names: list[str]):
        list_col = get_column_letter(lists.max_column + 1 if lists.max_row > 1 or lists["A1"].value else 1)
        lists[f"{list_col}1"] = col.header()
        for i, name in enumerate(names, start=2):
            lists[f"{list_col}{i}"] = name
        dv = DataValidation(type="list", formula1=f"'{lists.title}'!${list_col}$2:${list_col}${len(names) + 1}",
                            allow_blank=True, showErrorMessage=True, errorStyle="warning",
                            errorTitle=str(_("Not in the list")),
                            error=str(_("Not a name from the list: it is accepted if it is a code.")),
                            promptTitle=col.header()[:32], prompt=str(_("Choose from the list, or write the code.")))
        dv.showInputMessage = True
        ws.add_data_validation(dv)
        letter = get_column_letter(col_index)
        dv.add(f"{letter}2:{letter}{LIST_ROWS}")

    categories = [c for c in m.InstrumentCategory.objects.filter(is_active=True).order_by("code")]
    regions = [label.split(" ", 1)[1] for code, label in region_choices(user) if code]
    for i, col in enumerate(importer.columns, start=1):
        if col.kind == "choice":
            offer(i, col, [str(label) for value, label in col.choices.choices if value])
        elif col.key == "category_code":
            offer(i, col, [str(c) for c in categories])
        elif col.key == "region_code":
            offer(i, col, regions)
        width = max(len(col.header()) * 2, max((len(str(v)) for v in [example.get(col.key)] if v), default=0) + 2)
        ws.column_dimensions[get_column_letter(i)].width = min(40, max(10, width))

    if kind == "instruments":
        ref = wb.create_sheet(str(_("catalogue"))[:31])
        ref.append([str(_field(m.InstrumentCategory, n)) for n in
                    ("code", "name", "second_level", "domain", "regulation", "period_months")])
        for c in categories:
            ref.append([c.code, str(c), c.second_level, c.get_domain_display(), c.regulation, c.period_months])
        _style_reference(ref, (28, 36, 24, 14, 24, 12))
    if kind in ("instruments", "organisations"):
        ref = wb.create_sheet(str(_("regions"))[:31])
        ref.append([str(_("code")), str(_("name"))])
        for code, label in region_choices(user):
            if code:
                ref.append([code, label.split(" ", 1)[1]])
        _style_reference(ref, (10, 30))

    help_sheet = wb.create_sheet(str(_("column notes"))[:31])
    help_sheet.append([str(_("column")), str(_("must be filled in")), str(_("what it takes"))])
    for c in importer.columns:
        help_sheet.append([c.header(), _("yes") if c.required else _("no"), _column_help(c)])
    _style_reference(help_sheet, (32, 8, 80))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _style_reference(ws, widths) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w


def _column_help(col: ImportColumn) -> str:
    if col.kind == "choice":
        return _("one of: %(names)s (or the code)") % {
            "names": ", ".join(str(label) for value, label in col.choices.choices if value)}
    return {
        "date": _("a date (YYYY-MM-DD or an Excel date)"),
        "decimal": _("a number"),
        "int": _("a whole number"),
        "bool": _("yes or no (是/否)"),
        "multi": _("codes separated by commas"),
    }.get(col.kind) or {
        "category_code": _("a name from the list or a catalogue code (see the catalogue sheet)"),
        "region_code": _("a name from the list or a GB/T 2260 code (see the regions sheet)"),
        "owner_uscc": _("the 18-character unified social credit code of a registered organisation"),
        "instrument_code": _("the code printed on the instrument by its maker (GB/T 36377) or the State Grid (22 "
                             "digits); left empty, jiliang issues its own. A registered instrument's code cannot be "
                             "changed"),
    }.get(col.key, _("text"))


def errors_file(kind: str, user, filename: str, data: bytes) -> tuple[str, bytes, str]:
    """The uploaded file again with one more column listing every error of each row, in the active language:
    (file name, bytes, content type). The rows are checked anew, so the column shows every error, not the
    first thousand of the stored report."""
    from jiliang.core.tabular import read_table

    table = read_table(filename, data)
    report = IMPORTERS[kind](user).plan(table)
    by_row: dict[int, list[str]] = {}
    for e in report.errors:
        by_row.setdefault(e.row, []).append(f"{e.column}: {e.reason}" if e.column else e.reason)
    stem = filename.rsplit(".", 1)[0]
    header = str(ERRORS_HEADER)
    if filename.lower().endswith((".csv", ".txt")):
        import csv

        from jiliang.core.export import csv_safe

        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("gb18030")
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out)
        for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
            extra = header if number == 1 else "; ".join(by_row.get(number, []))
            writer.writerow([csv_safe(v) for v in row] + [extra])
        return f"{stem}-errors.csv", out.getvalue().encode("utf-8"), "text/csv; charset=utf-8"
    from openpyxl import load_workbook
    from openpyxl.styles import Font

    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    column = ws.max_column + 1
    head = ws.cell(1, column, header)
    head.font = Font(bold=True, color="C00000")
    for number, messages in by_row.items():
        cell = ws.cell(number, column, "; ".join(messages))
        cell.font = Font(color="C00000")
    ws.column_dimensions[head.column_letter].width = 80
    buf = io.BytesIO()
    wb.save(buf)
    return f"{stem}-errors.xlsx", buf.getvalue(), XLSX


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
