"""The business actions of the plan's indicators, each in one transaction with its audit entry (docs/kpi.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiliang.core import audit
from jiliang.core.extending import indicator_sources
from jiliang.core.models import Region, RegionLevel

from . import access, plan_file, values
from .models import (
    DocumentKind,
    EnteredValue,
    Indicator,
    Plan,
    PlanDocument,
    Snapshot,
    SnapshotState,
    SourceKind,
    Target,
)

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
EVIDENCE_TYPES = {"application/pdf", "image/jpeg", "image/png"}
DATA = plan_file.__file__.rsplit("/", 1)[0] + "/data"


def _sources() -> dict[str, frozenset[str]]:
    return {k: s.params for k, s in indicator_sources().items()}


def read_plan_file(data: bytes, region_model=Region, *, check_sources: bool = True) -> plan_file.PlanSpec:
    """Parse and check a plan file against the current regions and the registered sources (``check_sources``
    False: any source name is taken, as the data migration does before every app's sources are known)."""
    regions = set(region_model.objects.filter(is_current=True).values_list("code", flat=True))

    def cities_of(region: str) -> set[str]:
        return set(region_model.objects.filter(parent_id=region, level=RegionLevel.PREFECTURE, is_current=True)
                   .values_list("code", flat=True))

    return plan_file.parse(data, regions=regions, cities_of=cities_of, sources=_sources() if check_sources else None)


def write_plan(spec: plan_file.PlanSpec, *, Plan=Plan, Indicator=Indicator, Target=Target) -> Plan:
    """Store a checked plan (the model classes may be a migration's historical ones)."""
    if Plan.objects.filter(code=spec.code).exists():
        raise ValidationError({"code": _("A plan with the code %(c)s is loaded already; give the new plan another "
                                         "code.") % {"c": spec.code}})
    plan = Plan.objects.create(code=spec.code, name=spec.name, name_en=spec.name_en, issuer=spec.issuer,
                               document_number=spec.document_number, issued_on=spec.issued_on,
                               region_id=spec.region, starts_on=spec.starts_on, ends_on=spec.ends_on,
                               mid_term_on=spec.mid_term_on, source=spec.source)
    for i in spec.indicators:
        entered = i.source == plan_file.ENTERED
        ind = Indicator.objects.create(
            plan=plan, code=i.code, position=i.position, group=i.group, name=i.name, name_en=i.name_en,
            definition=i.definition, definition_en=i.definition_en, unit=i.unit, direction=i.direction,
            source_kind=SourceKind.ENTERED if entered else SourceKind.COMPUTED, source_key="" if entered else i.source,
            params=i.params, entered_note=i.entered_note, entered_note_en=i.entered_note_en, city_assessment=i.city_assessment, public=i.public)
        Target.objects.bulk_create([Target(indicator=ind, region_id=t.region, year=t.year, value=t.value,
                                           baseline=t.baseline, baseline_on=t.baseline_on) for t in i.targets])
    return plan


def load_plan(data: bytes, *, actor, command_line: bool = False) -> Plan:
    """Load a plan from its file (plan_file.py): every problem is reported at once, nothing is stored then.
    ``command_line``: loaded by the server's operator (``jiliang kpi-load-plan``), who names no account."""
    if not command_line:
        access.check_province(actor)
    try:
        spec = read_plan_file(data)
    except plan_file.PlanFileError as exc:
        raise ValidationError(exc.problems) from exc
    with transaction.atomic():
        plan = write_plan(spec)
        audit.record(plan, "create", actor=actor, message="plan loaded from a file",
                     after={"code": plan.code, "indicators": len(spec.indicators)}, region_code=plan.region_id)
    return plan


def load_shipped_plan(name: str, *, Plan=Plan, Indicator=Indicator, Target=Target, Region=Region) -> Plan:
    """A plan shipped under kpi/data (the data migration uses the historical models)."""
    with open(f"{DATA}/{name}", "rb") as f:
        spec = read_plan_file(f.read(), Region, check_sources=False)
    return write_plan(spec, Plan=Plan, Indicator=Indicator, Target=Target)


def _number(raw, field: str, *, share: bool) -> Decimal:
    try:
        v = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Give a number, not %(v)s.") % {"v": raw}}) from None
    if not v.is_finite() or abs(v) >= Decimal(10) ** 10:
        raise ValidationError({field: _("The number %(v)s is out of range.") % {"v": raw}})
    if share and not Decimal(0) <= v <= Decimal(100):
        raise ValidationError({field: _("A share lies between 0 and 100 %.")})
    return v


def enter_value(indicator: Indicator, *, region: str, on: dt.date, value, document_number: str,
                document_date: dt.date | None, attachment, note: str = "", actor) -> EnteredValue:
    """Enter a value of an entered indicator with its evidence: the document's number, date and the file itself
    (PDF, JPEG or PNG, at most 20 MB). A city bureau enters its own city's values; the province any."""
    errors: dict[str, str] = {}
    if indicator.source_kind != SourceKind.ENTERED:
        raise ValidationError({"indicator": _("Indicator %(c)s is computed from the data; it takes no entered "
                                              "value.") % {"c": indicator.code}})
    if not Region.objects.filter(code=region, is_current=True).exists():
        raise ValidationError({"region": _("No current region has the code %(c)s.") % {"c": region}})
    if not access.may_enter(actor, region):
        raise ValidationError({"region": _("You may not enter values for the region %(c)s.") % {"c": region}})
    today = timezone.localdate()
    if on is None:
        errors["on"] = _("Give the date the value holds for.")
    elif on > today:
        errors["on"] = _("The date %(d)s lies in the future.") % {"d": on}
    if not (document_number or "").strip():
        errors["document_number"] = _("Give the number of the document that shows the value.")
    if document_date is None:
        errors["document_date"] = _("Give the date of the document that shows the value.")
    elif document_date > today:
        errors["document_date"] = _("The document's date %(d)s lies in the future.") % {"d": document_date}
    if not attachment:
        errors["attachment"] = _("Attach the document (PDF, JPEG or PNG) that shows the value.")
    else:
        if attachment.size > MAX_EVIDENCE_BYTES:
            errors["attachment"] = _("The file has %(n)s bytes; at most 20 MB.") % {"n": f"{attachment.size:,}"}
        elif getattr(attachment, "content_type", None) not in EVIDENCE_TYPES:
            errors["attachment"] = _("The file must be a PDF, JPEG or PNG, not %(t)s.") % {
                "t": getattr(attachment, "content_type", "") or _("an unknown type")}
    try:
        number = _number(value, "value", share=indicator.is_share)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        ev = EnteredValue.objects.create(indicator=indicator, region_id=region, on=on, value=number,
                                         document_number=document_number.strip()[:100], document_date=document_date,
                                         attachment=attachment, note=(note or "").strip()[:300], entered_by=actor)
        audit.record(ev, "create", actor=actor, message=f"value entered for indicator {indicator.code}",
                     after={"indicator": indicator.code, "region": region, "on": on.isoformat(), "value": str(number),
                            "document_number": ev.document_number, "document_date": document_date.isoformat()},
                     region_code=region)
    return ev


def set_target(indicator: Indicator, *, region: str, year: int, value, baseline=None, baseline_on=None,
               actor) -> Target:
    """Set (or change) the target of an indicator for a region and year: the provincial bureau's."""
    access.check_province(actor)
    if not Region.objects.filter(code=region, is_current=True).exists():
        raise ValidationError({"region": _("No current region has the code %(c)s.") % {"c": region}})
    if not isinstance(year, int) or not 1990 <= year <= 2100:
        raise ValidationError({"year": _("Give a year between 1990 and 2100.")})
    number = _number(value, "value", share=indicator.is_share)
    base = None if baseline in (None, "") else _number(baseline, "baseline", share=indicator.is_share)
    if (base is None) != (baseline_on is None):
        raise ValidationError({"baseline_on": _("Give the baseline and its date together.")})
    with transaction.atomic():
        old = Target.objects.filter(indicator=indicator, region_id=region, year=year).first()
        before = None if old is None else {"value": str(old.value), "baseline": str(old.baseline)}
        target, _created = Target.objects.update_or_create(
            indicator=indicator, region_id=region, year=year,
            defaults={"value": number, "baseline": base, "baseline_on": baseline_on})
        audit.record(target, "create" if old is None else "update", actor=actor, before=before,
                     after={"value": str(number), "baseline": str(base), "year": year}, region_code=region,
                     message=f"target of indicator {indicator.code} set")
    return target


def add_document(*, number: str, title: str, kind: str, issuer: str, issued_on: dt.date, region: str,
                 revision: bool = False, file=None, actor) -> PlanDocument:
    """Register an issued regulation, measures, normative document or technical specification (indicator 1)."""
    access.check_province(actor)
    errors = {}
    for name, v in (("number", number), ("title", title), ("issuer", issuer)):
        if not (v or "").strip():
            errors[name] = _("This field is required.")
    if kind not in DocumentKind.values:
        errors["kind"] = _("Choose one of: %(k)s.") % {"k": ", ".join(DocumentKind.values)}
    if issued_on is None or issued_on > timezone.localdate():
        errors["issued_on"] = _("Give the date of issue, not in the future.")
    if not Region.objects.filter(code=region, is_current=True).exists():
        errors["region"] = _("No current region has the code %(c)s.") % {"c": region}
    if file is not None and file.size > MAX_EVIDENCE_BYTES:
        errors["file"] = _("The file has %(n)s bytes; at most 20 MB.") % {"n": f"{file.size:,}"}
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            doc = PlanDocument.objects.create(number=number.strip(), title=title.strip(), kind=kind,
                                              issuer=issuer.strip(), issued_on=issued_on, region_id=region,
                                              revision=revision, file=file or "")
            audit.record(doc, "create", actor=actor, message="issued document registered",
                         after={"number": doc.number, "kind": kind, "issued_on": issued_on.isoformat()},
                         region_code=region)
    except IntegrityError:
        raise ValidationError({"number": _("A document with the number %(n)s is registered already.")
                               % {"n": number}}) from None
    return doc


def month_end(day: dt.date) -> dt.date:
    """The last day of ``day``'s month."""
    nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def take_snapshots(plan: Plan, day: dt.date, *, regions: list[str] | None = None, progress=None) -> int:
    """Store the readings of ``day`` of every indicator of ``plan`` for the plan's region and its cities, where
    no snapshot of that day exists yet (a snapshot is never rewritten). Returns how many were written."""
    regions = regions or values.plan_regions(plan)
    indicators = list(plan.indicators.select_related("plan"))
    have = set(Snapshot.objects.filter(indicator__in=indicators, region_id__in=regions, on=day)
               .values_list("indicator_id", "region_id"))
    todo = [(i, [r for r in regions if (i.pk, r) not in have]) for i in indicators]
    todo = [(i, rs) for i, rs in todo if rs]
    total, done, written = sum(len(rs) for _i, rs in todo), 0, 0
    for ind, missing in todo:
        for r in values.compute_regions(ind, missing, day).values():
            written += _store(ind, r, day)
            done += 1
            if progress:
                progress(done, total)
    return written


def _store(ind: Indicator, r: values.Reading, day: dt.date) -> int:
    try:
        with transaction.atomic():
            Snapshot.objects.create(
                indicator=ind, region_id=r.region, on=day, state=r.state, value=r.value, numerator=r.numerator,
                denominator=r.denominator, source_kind=ind.source_kind, definition=r.definition[:300],
                version=r.version[:40], note=r.note[:500], reason=r.reason[:500], evidence=r.evidence)
        return 1
    except IntegrityError:
        return 0  # another worker took it first: that one stands


def snapshot_all(day: dt.date, *, progress=None) -> int:
    """Snapshots of ``day`` for every plan whose period has begun by then."""
    return sum(take_snapshots(p, day, progress=progress) for p in Plan.objects.filter(starts_on__lte=day))


def readings_at(plan: Plan, day: dt.date, regions: list[str]) -> dict:
    """What an evaluation as of ``day`` reads: the snapshots of that day, taken first where missing."""
    take_snapshots(plan, day, regions=regions)
    return values.stored(plan.indicators.all(), regions, day)


__all__ = ["SnapshotState", "add_document", "enter_value", "load_plan", "readings_at", "set_target",
           "snapshot_all", "take_snapshots"]
