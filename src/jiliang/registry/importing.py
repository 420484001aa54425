"""Excel/CSV import of organisations, instruments and catalogue entries.

Each row is checked like a form would check it (``Model.clean_fields`` and ``clean``) but against
look-up maps built once per file, so a 100,000-row file needs a handful of queries. The report lists
every error by row, column and reason; the user then imports the valid rows or nothing. Rows are
matched to existing records by natural key (USCC, manufacturer + model + serial, catalogue code), so
importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
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

from jiliang.core import audit
from jiliang.core.bulk import fast_insert
from jiliang.core.models import Region
from jiliang.core.scoping import ADD, CHANGE, VIEW, instance_in_scope, is_unrestricted, may_write
from jiliang.core.services import ScopeError
from jiliang.core.tabular import Table, TableError

from . import models as m
from .identity import IdentityError, validate_uscc


@dataclass(frozen=True)
class ImportColumn:
    key: str
    label: str
    required: bool = False
    kind: str = "str"  # str, decimal, date, int, bool, choice, ref, multi
    choices: type | None = None
    help: str = ""

    def header(self) -> str:
        return f"{self.label} ({self.key})"


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
        for lang in ("en", "zh-hans"):
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
            allowed = ", ".join(str(v) for v in col.choices.values if v)
            raise CellError(_("%(value)r is not one of: %(allowed)s") % {"value": value, "allowed": allowed})
        return found
    if col.kind in ("ref", "multi"):
        return str(value).strip()
    raise AssertionError(col.kind)


class Importer:
    """Plans and applies one import. Subclasses declare columns, the natural key and how to build a record."""

    kind: str = ""
    model: type = None
    columns: list[ImportColumn] = []
    label = ""

    def __init__(self, user):
        self.user = user
        self.choice_maps = {c.key: _choice_map(c.choices) for c in self.columns if c.kind == "choice"}
        self.regions = {r.code: r for r in Region.objects.all()}

    # --- header -----------------------------------------------------------------------------------
    def map_headers(self, headers: list[str]) -> dict[str, int]:
        by_name = {}
        for c in self.columns:
            by_name[c.key.lower()] = c.key
            by_name[c.label.lower()] = c.key
            by_name[c.header().lower()] = c.key
        index, unknown = {}, []
        for i, h in enumerate(headers):
            text = (h or "").strip()
            key = by_name.get(text.lower())
            if key is None:
                m_ = re.search(r"\(([a-z_]+)\)\s*$", text)
                key = by_name.get(m_.group(1)) if m_ else None
            if key is None:
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

    # --- subclasses -------------------------------------------------------------------------------
    def prepare(self, rows: list[dict]) -> None:
        """Build the look-up maps the rows need (one query per map)."""

    def natural_key(self, values: dict) -> tuple:
        raise NotImplementedError

    def existing(self, keys: list[tuple]) -> dict[tuple, object]:
        raise NotImplementedError

    def build(self, values: dict, current) -> tuple[object, dict]:
        """Return (unsaved or updated instance, m2m values); raise RowErrors via CellError keyed by column."""
        raise NotImplementedError

    # --- plan -------------------------------------------------------------------------------------
    def plan(self, table: Table) -> ImportReport:
        report = ImportReport(kind=self.kind, notices=list(table.notices))
        index = self.map_headers(table.headers)
        headers = {c.key: c.header() for c in self.columns}
        parsed: list[tuple[int, dict]] = []
        for row_no, cells in table.rows:
            report.total += 1
            values, ok = {}, True
            for col in self.columns:
                raw = cells[index[col.key]] if col.key in index else None
                try:
                    values[col.key] = parse_cell(col, raw, self.choice_maps)
                except CellError as exc:
                    report.errors.append(RowError(row_no, col.header(), str(exc)))
                    ok = False
            if ok:
                parsed.append((row_no, values))
        self.prepare([v for _, v in parsed])
        keys = [self.natural_key(v) for _, v in parsed]
        existing = self.existing(keys)
        seen: dict[tuple, int] = {}
        for (row_no, values), key in zip(parsed, keys, strict=True):
            if key in seen:
                report.errors.append(RowError(row_no, ", ".join(headers[k] for k in self.key_columns),
                                              _("duplicates row %(row)d of this file") % {"row": seen[key]}))
                continue
            seen[key] = row_no
            current = existing.get(key)
            before = self.snapshot(current) if current is not None else None
            try:
                obj, m2m = self.build(values, current)
                self.validate(obj)
            except _RowProblems as exc:
                report.errors.extend(RowError(row_no, headers.get(k, k), r) for k, r in exc.problems)
                continue
            if current is None:
                report.planned.append(PlannedRow(row_no, "create", obj, None, m2m))
                continue
            after = audit.snapshot(obj)
            if m2m:
                after.update({k: sorted(str(getattr(v, "pk", v)) for v in vals) for k, vals in m2m.items()})
            action = "unchanged" if audit.changed_fields(before, after) == {} else "update"
            report.planned.append(PlannedRow(row_no, action, obj, before, m2m))
        report.errors.sort(key=lambda e: e.row)
        return report

    key_columns: tuple[str, ...] = ()
    field_columns: dict[str, str] = {}

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
            if progress:
                progress(len(creates) + len(updates))
        return {"created": len(creates), "updated": len(updates), "unchanged": report.count("unchanged"),
                "skipped_error_rows": report.error_rows}


def _count_in_scope(model, user, pks: list[int], chunk: int = 5000) -> int:
    return sum(model.objects.restrict(user, CHANGE).filter(pk__in=pks[i:i + chunk]).count()
               for i in range(0, len(pks), chunk))


class _RowProblems(Exception):
    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__(problems)
        self.problems = problems


def _region(importer: Importer, code: str | None, column: str, problems: list):
    if code is None:
        return None
    region = importer.regions.get(code)
    if region is None:
        problems.append((column, _("unknown region code %(code)s (GB/T 2260)") % {"code": code}))
    elif not region.is_current:
        problems.append((column, _("region code %(code)s was retired in %(year)s; use %(new)s")
                         % {"code": code, "year": region.retired_year, "new": region.successor_id or "?"}))
    return region


class OrganisationImporter(Importer):
    kind = "organisations"
    model = m.Organisation
    label = gettext_lazy("organisations")
    key_columns = ("uscc",)
    scope_column = "region_code"
    field_columns = {"region": "region_code"}
    columns = [
        ImportColumn("name", "名称", required=True),
        ImportColumn("uscc", "统一社会信用代码", required=True),
        ImportColumn("kind", "类型", required=True, kind="choice", choices=m.OrganisationKind),
        ImportColumn("region_code", "行政区划代码", required=True, kind="ref"),
        ImportColumn("address", "地址"),
        ImportColumn("contact_name", "联系人"),
        ImportColumn("contact_phone", "联系电话"),
        ImportColumn("contact_email", "电子邮箱"),
        ImportColumn("designations", "称号", kind="multi", help="codes separated by commas"),
        ImportColumn("mms_status", "测量管理体系", kind="choice", choices=m.MMSStatus),
        ImportColumn("mms_certificate", "测量管理体系证书号"),
        ImportColumn("mms_valid_until", "测量管理体系证书有效期至", kind="date"),
    ]

    def prepare(self, rows):
        self.designations = {d.code: d for d in m.Designation.objects.all()}

    def natural_key(self, values):
        try:
            return (validate_uscc(values["uscc"]),)
        except IdentityError:
            return (values["uscc"],)

    def existing(self, keys):
        found = {}
        flat = [k[0] for k in keys]
        for i in range(0, len(flat), 5000):
            for o in m.Organisation.objects.filter(uscc__in=flat[i:i + 5000]):
                found[(o.uscc,)] = o
        return found

    def build(self, values, current):
        problems = []
        region = _region(self, values["region_code"], "region_code", problems)
        designations = []
        for code in re.split(r"[,，;；\s]+", values.get("designations") or ""):
            if not code:
                continue
            d = self.designations.get(code)
            if d is None:
                problems.append(("designations", _("unknown designation %(code)s") % {"code": code}))
            else:
                designations.append(d)
        if problems:
            raise _RowProblems(problems)
        obj = current or m.Organisation()
        if current is not None and not m.Organisation.objects.restrict(self.user, CHANGE).filter(pk=current.pk).exists():
            raise _RowProblems([("uscc", _("an organisation with this code exists outside your region or organisation"))])
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
        ImportColumn("code", "代码", required=True),
        ImportColumn("name", "一级目录", required=True),
        ImportColumn("second_level", "二级目录"),
        ImportColumn("name_en", "英文名称"),
        ImportColumn("domain", "专业", required=True, kind="choice", choices=m.MeasurementDomain),
        ImportColumn("regulation", "检定规程"),
        ImportColumn("supervision_mode", "监管方式", kind="choice", choices=m.SupervisionMode),
        ImportColumn("verification_mode", "强检方式", kind="choice", choices=m.VerificationMode),
        ImportColumn("period_months", "检定周期(月)", kind="int"),
        ImportColumn("service_life_years", "使用年限(年)", kind="int"),
        ImportColumn("mandatory_trade", "贸易结算强检", kind="bool"),
        ImportColumn("mandatory_safety", "安全防护强检", kind="bool"),
        ImportColumn("mandatory_medical", "医疗卫生强检", kind="bool"),
        ImportColumn("mandatory_environment", "环境监测强检", kind="bool"),
        ImportColumn("scope_text", "强检范围及说明"),
        ImportColumn("source", "来源"),
        ImportColumn("confidence", "可信度", kind="choice", choices=m.Confidence),
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
        ImportColumn("owner_uscc", "使用单位统一社会信用代码", required=True, kind="ref"),
        ImportColumn("category_code", "目录项代码", required=True, kind="ref"),
        ImportColumn("manufacturer", "制造商", required=True),
        ImportColumn("model", "型号", required=True),
        ImportColumn("serial_number", "出厂编号", required=True),
        ImportColumn("pattern_approval_no", "型式批准号"),
        ImportColumn("accuracy_class", "准确度等级"),
        ImportColumn("range_min", "测量范围下限", kind="decimal"),
        ImportColumn("range_max", "测量范围上限", kind="decimal"),
        ImportColumn("range_unit", "单位"),
        ImportColumn("usage", "用途", required=True, kind="choice", choices=m.Usage),
        ImportColumn("region_code", "安装地行政区划代码", required=True, kind="ref"),
        ImportColumn("address", "安装地址"),
        ImportColumn("installation_date", "安装日期", kind="date"),
        ImportColumn("status", "状态", kind="choice", choices=m.InstrumentStatus),
        ImportColumn("status_reason", "状态原因"),
        ImportColumn("status_date", "状态日期", kind="date"),
    ]

    def prepare(self, rows):
        codes = {r["owner_uscc"].upper() for r in rows}
        self.owners = {}
        codes_l = sorted(codes)
        for i in range(0, len(codes_l), 5000):
            # Owners the user cannot see do not exist for them, as in the form's dropdown.
            visible = m.Organisation.objects.restrict(self.user, VIEW)
            for o in visible.filter(uscc__in=codes_l[i:i + 5000]).only("id", "uscc", "region_id", "name"):
                self.owners[o.uscc] = o
        self.categories = {c.code: c for c in m.InstrumentCategory.objects.all()}

    def natural_key(self, values):
        return (values["manufacturer"], values["model"], values["serial_number"])

    def existing(self, keys):
        found = {}
        serials = sorted({k[2] for k in keys})
        for i in range(0, len(serials), 5000):
            for obj in m.Instrument.objects.filter(serial_number__in=serials[i:i + 5000]):
                found[(obj.manufacturer, obj.model, obj.serial_number)] = obj
        return found

    def build(self, values, current):
        problems = []
        try:
            uscc = validate_uscc(values["owner_uscc"])
            owner = self.owners.get(uscc)
            if owner is None:
                problems.append(("owner_uscc", _("no organisation with code %(code)s is registered") % {"code": uscc}))
        except IdentityError as exc:
            owner = None
            problems.append(("owner_uscc", exc.translated(_)))
        category = self.categories.get(values["category_code"])
        if category is None:
            problems.append(("category_code", _("unknown catalogue code %(code)s") % {"code": values["category_code"]}))
        elif not category.is_active:
            problems.append(("category_code", _("catalogue entry %(code)s is no longer active") % {"code": category.code}))
        region = _region(self, values["region_code"], "region_code", problems)
        if problems:
            raise _RowProblems(problems)
        if current is not None and not m.Instrument.objects.restrict(self.user, CHANGE).filter(pk=current.pk).exists():
            raise _RowProblems([("serial_number", _("an instrument with this manufacturer, model and serial number "
                                                    "is registered outside your region or organisation"))])
        obj = current or m.Instrument()
        obj.owner, obj.category, obj.region = owner, category, region
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


def template_workbook(kind: str) -> bytes:
    """An empty workbook with the header row and one sheet explaining each column."""
    from jiliang.core.export import workbook_bytes

    importer = IMPORTERS[kind]
    headers = [c.header() for c in importer.columns]
    return workbook_bytes(kind, headers, [], note="; ".join(
        f"{c.header()}: {'required' if c.required else 'optional'}"
        + (f", one of {', '.join(str(v) for v in c.choices.values if v)}" if c.choices else "")
        + (f", {c.help}" if c.help else "") for c in importer.columns))
