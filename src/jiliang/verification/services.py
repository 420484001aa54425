"""The acts of verification and calibration, one function per act (Zulip's actions, Saleor's order actions).

Each takes a keyword-only ``actor``, runs in one transaction, locks the work order, checks who may do
it, writes one audit entry per changed record and notifies the owner after commit (in the app and by
e-mail through Django's mail backend).

The flow (JJF 1069-2012 6.3 and the 检定证书 forms of JJG 1002 / JJF 1071): request → accepted →
scheduled → measured → checked (核验) → approved (批准) → issued; declined or cancelled with a reason.
The technician, the checker and the approver are three different registered metrologists
(注册计量师制度暂行规定, 计量法实施细则 第二十四条), each qualified for the regulation on the day of
their act; standards used must hold a valid assessment certificate (计量标准考核办法) and a valid
calibration on the day of measurement (JJF 1033-2023 traceability).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jiliang.core import audit
from jiliang.core.roles import Role
from jiliang.core.scoping import VIEW, user_role
from jiliang.registry.models import Instrument, InstrumentStatus, MeasurementStandard, Organisation, Person

from . import certificates as certs
from . import decisions, signing, unit_symbols
from .dcc.units import UnitError, same_unit
from .models import (
    KIND_LETTER,
    OPEN_STATUSES,
    CalibrationSource,
    Certificate,
    CertificateKind,
    CertificateStatus,
    MeasurementResult,
    Notification,
    SigningKey,
    StandardCalibration,
    TestPointResult,
    WorkKind,
    WorkLocation,
    WorkOrder,
    WorkOrderItem,
    WorkStatus,
)
from .pdf import render_pdf

# Stored in English in the audit trail, shown in the reader's language (core.changes.TRANSLATED_VALUES).
FIRST_KEY_REASON = gettext_noop("first certificate of the institute")

# -- who may act ----------------------------------------------------------------------------------


def _require_institute_staff(actor, institute) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied(_("Sign in first."))
    if actor.is_superuser:
        return
    if user_role(actor) == Role.INSTITUTE and actor.organisation_id == institute.pk:
        return
    raise PermissionDenied(_("Only the staff of %(institute)s may do this.") % {"institute": institute})


def _require_owner_side(actor, owner) -> None:
    """The owner itself, or a bureau whose region covers the owner (acting on its behalf)."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied(_("Sign in first."))
    if not Organisation.objects.restrict(actor, VIEW).filter(pk=owner.pk).exists():
        raise PermissionDenied(_("You may not act for %(owner)s.") % {"owner": owner})


def _visible(actor, wo: WorkOrder) -> None:
    if not WorkOrder.objects.restrict(actor, VIEW).filter(pk=wo.pk).exists():
        raise PermissionDenied(_("Work order %(number)s is not yours to see.") % {"number": wo.number})


def _lock(wo: WorkOrder) -> WorkOrder:
    return WorkOrder.objects.select_for_update().select_related("owner", "institute").get(pk=wo.pk)


def _expect(wo: WorkOrder, *statuses: str) -> None:
    if wo.status not in statuses:
        raise ValidationError({"status": [_("Work order %(number)s is %(status)s; this step needs it to be %(need)s.")
                                          % {"number": wo.number, "status": wo.get_status_display(),
                                             "need": " / ".join(str(WorkStatus(s).label) for s in statuses)}]})


def _notify(wo: WorkOrder, message: str) -> None:
    """In-app notification to the owner now; the e-mail after commit (never for a rolled-back act)."""
    email = wo.owner.contact_email
    Notification.objects.create(organisation=wo.owner, work_order=wo, message=message[:500], emailed_to=email)
    if email:
        subject = f"[jiliang] {wo.number}: {message[:80]}"

        def send() -> None:
            send_mail(subject, message, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=True)

        transaction.on_commit(send)


def _transition(wo: WorkOrder, new_status: str, *, actor, message: str, **fields) -> WorkOrder:
    old = {"status": wo.status, **{k: audit.json_value(getattr(wo, k if not hasattr(v, "_meta") else f"{k}_id"))
                                   for k, v in fields.items()}}
    for name, value in fields.items():
        setattr(wo, name, value)
    wo.status = new_status
    wo.save(update_fields=["status", "last_updated", *fields])
    new = {"status": new_status, **{k: audit.json_value(v.pk if hasattr(v, "_meta") else v) for k, v in fields.items()}}
    audit.record(wo, "action", actor=actor, before=old, after=new, message=message)
    _notify(wo, message)
    return wo


def _signer_check(person: Person, wo: WorkOrder, role_label: str, day: dt.date, field: str) -> None:
    if person is None:
        raise ValidationError({field: [_("Name the %(role)s (a registered metrologist of %(institute)s).")
                                       % {"role": role_label, "institute": wo.institute}]})
    if person.organisation_id != wo.institute_id:
        raise ValidationError({field: [_("%(person)s is not staff of %(institute)s.")
                                       % {"person": person, "institute": wo.institute}]})
    for item in wo.items.all():
        key = item.qualification_key
        if not person.qualified_for(key, day):
            raise ValidationError({field: [
                _("%(person)s is not qualified as %(role)s for %(item)s on %(day)s (their metrologist certificate "
                  "must be valid then and cover %(key)s).")
                % {"person": person, "role": role_label, "item": key, "day": day, "key": key}]})


def _person_of(actor) -> Person | None:
    return Person.objects.filter(user=actor).first() if getattr(actor, "is_authenticated", False) else None


def signer_of(actor, institute) -> Person | None:
    """The registered metrologist whose own account ``actor`` is, if they are staff of ``institute``."""
    person = _person_of(actor)
    return person if person is not None and person.organisation_id == institute.pk else None


def _signer(actor, wo: WorkOrder, role_label: str, days: list[dt.date], field: str,
            named: Person | None = None) -> Person:
    """The person who signs now: always the one linked to the signing account (JJF 1069-2012 6.3: each of the
    three signatures is that person's own). Naming someone else is refused, whatever the account's rights."""
    person = _person_of(actor)
    if named is not None and (person is None or named.pk != person.pk):
        raise PermissionDenied(_("Nobody signs in another's name: %(person)s signs as %(role)s from their own "
                                 "account.") % {"person": named, "role": role_label})
    if person is None:
        raise ValidationError({field: [_("Your account is not linked to a registered metrologist; only a "
                                         "metrologist signs as %(role)s, from their own account.")
                                       % {"role": role_label}]})
    for day in dict.fromkeys(days):
        _signer_check(person, wo, role_label, day, field)
    return person


# -- the work order -------------------------------------------------------------------------------


@transaction.atomic
def request_work(*, actor, owner: Organisation, institute: Organisation, kind: str, items: list[dict],
                 location: str = WorkLocation.LABORATORY, note: str = "") -> WorkOrder:
    """An owner (or a bureau on its behalf) asks an institute to verify or calibrate its instruments.

    ``items``: ``[{"instrument", "regulation", "method", "stage", "decision_rule", "attributes",
    "parameters"}]``; the regulation (a rules/data id) and the instrument's parameters are checked now, so
    a request the rules cannot evaluate is refused at once, naming the item and field.
    """
    _require_owner_side(actor, owner)
    if not institute.is_institute:
        raise ValidationError({"institute": [_("%(org)s is not a metrology institute.") % {"org": institute}]})
    if kind not in WorkKind.values:
        raise ValidationError({"kind": [_("Kind must be verification or calibration.")]})
    if location not in WorkLocation.values:
        raise ValidationError({"location": [_("Location must be laboratory or on site.")]})
    if not items:
        raise ValidationError({"items": [_("Name at least one instrument.")]})
    seen = set()
    prepared = []
    for i, raw in enumerate(items):
        prefix = f"items[{i}]."
        instrument = raw.get("instrument")
        if not isinstance(instrument, Instrument):
            instrument = Instrument.objects.restrict(actor, VIEW).filter(pk=instrument).first()
        if instrument is None or instrument.owner_id != owner.pk:
            raise ValidationError({f"{prefix}instrument": [_("The instrument is not one of %(owner)s's.")
                                                           % {"owner": owner}]})
        if instrument.pk in seen:
            raise ValidationError({f"{prefix}instrument": [_("Instrument %(i)s is named twice.") % {"i": instrument}]})
        seen.add(instrument.pk)
        if instrument.status == InstrumentStatus.RETIRED:
            raise ValidationError({f"{prefix}instrument": [_("Instrument %(i)s is retired.") % {"i": instrument}]})
        if instrument.status == InstrumentStatus.DEREGISTERED:
            raise ValidationError({f"{prefix}instrument": [_("Instrument %(i)s is deregistered.") % {"i": instrument}]})
        regulation = (raw.get("regulation") or "").strip()
        method = (raw.get("method") or "").strip()
        if kind == WorkKind.VERIFICATION and not regulation:
            raise ValidationError({f"{prefix}regulation": [_("A verification needs its regulation (e.g. JJG539-2016).")]})
        if kind == WorkKind.CALIBRATION and not (regulation or method):
            raise ValidationError({f"{prefix}method": [_("A calibration needs its specification or regulation.")]})
        attributes, parameters = raw.get("attributes") or {}, raw.get("parameters") or {}
        if regulation:
            if not attributes and not parameters:
                attributes, parameters = decisions.suggest_parameters(instrument, regulation)
            decisions.check_item_spec(regulation, attributes, parameters, instrument, prefix)
            if kind == WorkKind.VERIFICATION and decisions.load_regulation(regulation).verification_periods:
                certs.matching_period(regulation, attributes, parameters, str(instrument), prefix)
            parameters = decisions.dsi_parameters(parameters, prefix)
        stage = raw.get("stage") or "initial"
        rule = raw.get("decision_rule") or "simple"
        if rule not in ("simple", "guarded"):
            raise ValidationError({f"{prefix}decision_rule": [_("Decision rule must be simple or guarded.")]})
        prepared.append(WorkOrderItem(instrument=instrument, regulation=regulation, method=method, stage=stage,
                                      decision_rule=rule, attributes=attributes, parameters=parameters))
    now = timezone.now()
    wo = WorkOrder.objects.create(
        number=f"WO{timezone.localdate():%Y%m%d}-{secrets.token_hex(3).upper()}", owner=owner, institute=institute,
        kind=kind, location=location, requested_by=actor if actor.is_authenticated else None, requested_at=now,
        note=note)
    for item in prepared:
        item.work_order = wo
        item.full_clean(exclude=["work_order"])
    WorkOrderItem.objects.bulk_create(prepared)
    audit.record(wo, "create", actor=actor, after={
        **audit.snapshot(wo), "instruments": [{"instrument": it.instrument_id, "regulation": it.regulation,
                                         "method": it.method, "stage": it.stage} for it in prepared]},
        message=f"work order requested from {institute}")
    _notify(wo, _("Work order %(number)s for %(n)d instrument(s) was sent to %(institute)s.")
            % {"number": wo.number, "n": len(prepared), "institute": institute})
    return wo


@transaction.atomic
def accept(work_order: WorkOrder, *, actor) -> WorkOrder:
    wo = _lock(work_order)
    _require_institute_staff(actor, wo.institute)
    _expect(wo, WorkStatus.REQUESTED)
    return _transition(wo, WorkStatus.ACCEPTED, actor=actor, accepted_at=timezone.now(),
                       message=_("%(institute)s accepted work order %(number)s.")
                       % {"institute": wo.institute, "number": wo.number})


@transaction.atomic
def decline(work_order: WorkOrder, *, actor, reason: str) -> WorkOrder:
    wo = _lock(work_order)
    _require_institute_staff(actor, wo.institute)
    _expect(wo, WorkStatus.REQUESTED)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the work order is declined.")]})
    return _transition(wo, WorkStatus.DECLINED, actor=actor, status_reason=reason.strip()[:300],
                       closed_at=timezone.now(),
                       message=_("%(institute)s declined work order %(number)s: %(reason)s")
                       % {"institute": wo.institute, "number": wo.number, "reason": reason.strip()})


@transaction.atomic
def schedule(work_order: WorkOrder, *, actor, date: dt.date, technician: Person) -> WorkOrder:
    wo = _lock(work_order)
    _require_institute_staff(actor, wo.institute)
    _expect(wo, WorkStatus.ACCEPTED, WorkStatus.SCHEDULED)
    if date is None:
        raise ValidationError({"date": [_("Give the date of the work.")]})
    _signer_check(technician, wo, _("technician"), date, "technician")
    return _transition(wo, WorkStatus.SCHEDULED, actor=actor, scheduled_date=date, technician=technician,
                       message=_("Work order %(number)s is scheduled for %(date)s (%(where)s).")
                       % {"number": wo.number, "date": date, "where": wo.get_location_display()})


@transaction.atomic
def cancel(work_order: WorkOrder, *, actor, reason: str) -> WorkOrder:
    wo = _lock(work_order)
    _visible(actor, wo)
    try:
        _require_institute_staff(actor, wo.institute)
    except PermissionDenied:
        _require_owner_side(actor, wo.owner)
    _expect(wo, *OPEN_STATUSES)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the work order is cancelled.")]})
    return _transition(wo, WorkStatus.CANCELLED, actor=actor, status_reason=reason.strip()[:300],
                       closed_at=timezone.now(),
                       message=_("Work order %(number)s was cancelled: %(reason)s")
                       % {"number": wo.number, "reason": reason.strip()})


# -- results --------------------------------------------------------------------------------------


def _budget(raw, field: str) -> dict | None:
    """An uncertainty budget of jiliang.uncertainty (``Budget.to_dict()``), checked by ``Budget.from_dict``."""
    if raw in (None, {}):
        return None
    from jiliang.uncertainty import Budget, UncertaintyError

    if not isinstance(raw, dict):
        raise ValidationError({field: [_("A budget is an object (the 'budgets' entry of the uncertainty API).")]})
    try:
        budget = Budget.from_dict(raw)
    except UncertaintyError as exc:
        raise ValidationError({field: [str(exc)]}) from exc
    return budget.to_dict()


def _points(item: WorkOrderItem, raw_points: list[dict], calibration: bool) -> list[dict]:
    if not isinstance(raw_points, list) or not raw_points:
        raise ValidationError({"points": [_("Record at least one test point.")]})
    reg = None
    if item.regulation:
        from .rules import load_regulation

        reg = load_regulation(item.regulation)
    out = []
    for i, p in enumerate(raw_points):
        f = f"points[{i}]"
        if not isinstance(p, dict):
            raise ValidationError({f: [_("Expected an object.")]})
        label = str(p.get("label") or "").strip()
        if not label:
            raise ValidationError({f"{f}.label": [_("Name the test point.")]})
        try:
            unit = unit_symbols.to_dsi(str(p.get("unit") or ""))
        except UnitError as exc:
            raise ValidationError({f"{f}.unit": [_("Test point %(label)s: %(reason)s")
                                                 % {"label": label, "reason": exc.message}]}) from exc
        ref = decisions.decimal(p.get("reference_value"), f"{f}.reference_value")
        ind = decisions.decimal(p.get("indication"), f"{f}.indication")
        try:
            error_unit = unit_symbols.to_dsi(str(p.get("error_unit") or (reg.error.unit if reg and reg.error.unit
                                                                          else unit)))
        except UnitError as exc:
            raise ValidationError({f"{f}.error_unit": [exc.message]}) from exc
        error = decisions.decimal(p.get("error"), f"{f}.error", required=False)
        if error is None:
            if same_unit(error_unit, "\\percent"):
                if ref == 0:
                    raise ValidationError({f"{f}.reference_value": [_("A relative error needs a non-zero reference.")]})
                error = ((ind - ref) / ref * 100).quantize(Decimal("0.0001"))
            elif same_unit(error_unit, unit):
                error = ind - ref
            else:
                raise ValidationError({f"{f}.error_unit": [
                    _("Test point %(label)s: the error is in %(eu)s but the values in %(u)s; give the error.")
                    % {"label": label, "eu": error_unit, "u": unit}]})
        budget = _budget(p.get("budget"), f"{f}.budget")
        U = decisions.decimal(p.get("U"), f"{f}.U", required=False)
        k = decisions.decimal(p.get("k"), f"{f}.k", required=False)
        if budget is not None:
            bU, bk = Decimal(repr(budget["U"])), Decimal(repr(budget["k"]))
            if U is None:
                U, k = bU, bk
            elif abs(U - bU) > abs(bU) * Decimal("0.005") + Decimal("1e-12"):
                raise ValidationError({f"{f}.U": [_("Test point %(label)s: U = %(U)s differs from the attached "
                                                    "budget's U = %(bU)s.") % {"label": label, "U": U, "bU": bU}]})
        if U is not None and U < 0:
            raise ValidationError({f"{f}.U": [_("An uncertainty cannot be negative.")]})
        if U is not None and k is None:
            k = Decimal(2)
        if U is None and item.decision_rule == "guarded":
            raise ValidationError({f"{f}.U": [_("Test point %(label)s: guarded acceptance (w = U) needs the expanded "
                                                "uncertainty U of every point.") % {"label": label}]})
        if calibration and U is None:
            raise ValidationError({f"{f}.U": [_("Test point %(label)s: a calibration result needs its expanded "
                                                "uncertainty U (and k), or an uncertainty budget.") % {"label": label}]})
        quantities = p.get("quantities")
        if not quantities and reg is not None:
            # The test quantity is the reference value when the regulation has one quantity in its unit.
            names = [n for n, q in reg.quantities.items() if q.required]
            quantities = {names[0]: {"value": format(ref, "f"), "unit": unit}} if len(names) == 1 else {}
        out.append({
            "label": label, "unit": unit, "reference_value": ref, "indication": ind, "error": error,
            "error_unit": error_unit, "U": U, "k": k, "budget": budget, "quantities": quantities or {},
            "attributes": p.get("attributes") or {},
            "temperature": decisions.decimal(p.get("temperature"), f"{f}.temperature", required=False),
            "humidity": decisions.decimal(p.get("humidity"), f"{f}.humidity", required=False),
        })
    return out


def _check_calibration_range(item: WorkOrderItem, points: list[dict]) -> None:
    inst = item.instrument
    unit = decisions.registry_dsi(inst.range_unit)
    for i, p in enumerate(points):
        if not unit:
            continue
        try:
            comparable = same_unit(p["unit"], unit)
        except UnitError:
            comparable = False
        if not comparable:
            raise ValidationError({f"points[{i}].unit": [
                _("Test point %(label)s is in %(unit)s; the instrument measures in %(iu)s (no conversion is done).")
                % {"label": p["label"], "unit": p["unit"], "iu": inst.range_unit}]})
        lo, hi = inst.range_min, inst.range_max
        if (lo is not None and p["reference_value"] < lo) or (hi is not None and p["reference_value"] > hi):
            raise ValidationError({f"points[{i}].reference_value": [
                _("Test point %(label)s: %(v)s %(u)s is outside the instrument's range %(lo)s–%(hi)s %(u)s.")
                % {"label": p["label"], "v": p["reference_value"], "u": inst.range_unit,
                   "lo": lo.normalize() if lo is not None else "", "hi": hi.normalize() if hi is not None else ""}]})


def _edition_in_force(item: WorkOrderItem, measured_on: dt.date) -> None:
    """Decide under the edition of the regulation in force on the day of measurement (rules/editions.py):
    the item is moved to that edition, so its certificate cites the edition used."""
    from .rules import RuleError, edition_on

    try:
        edition = edition_on(item.regulation, measured_on)
    except RuleError as exc:
        raise ValidationError({"measured_on": [
            _("%(instrument)s: no edition of %(regulation)s applies on %(day)s: %(reason)s")
            % {"instrument": item.instrument, "regulation": item.regulation, "day": measured_on,
               "reason": exc.message}]}) from exc
    if edition.id != item.regulation:
        decisions.check_item_spec(edition.id, item.attributes, item.parameters, item.instrument, "item.")
        item.regulation = edition.id
        item.save(update_fields=["regulation"])


def standard_unfit(standard: MeasurementStandard, item: WorkOrderItem, day: dt.date) -> str:
    """Why a standard cannot serve an item measured on ``day`` ("" when it can).

    It must be in use, hold an assessment certificate valid that day (计量标准考核办法) and a calibration valid
    that day (JJF 1033-2023), and fit the item: the measurement domain of the instrument's category, a unit of
    the same kind as the instrument's (SI prefixes converted), and a range that reaches the instrument's upper
    end. Where the registry lacks a range or unit on either side, the range is not compared.
    """
    if standard.status != "in_use":
        return _("Standard “%(s)s” is %(status)s.") % {"s": standard.name, "status": standard.get_status_display()}
    if not standard.is_valid_on(day):
        return (_("Standard “%(s)s”: its assessment certificate %(no)s is not valid on %(day)s (valid %(from)s to "
                  "%(until)s).")
                % {"s": standard.name, "no": standard.certificate_no or "—", "day": day,
                   "from": standard.valid_from or "—", "until": standard.valid_until or "—"})
    if certs.calibration_on(standard, day) is None:
        return _("Standard “%(s)s” has no calibration valid on %(day)s.") % {"s": standard.name, "day": day}
    inst = item.instrument
    domain = inst.category.domain if inst.category_id else ""
    if domain and standard.domain and standard.domain != domain:
        return (_("Standard “%(s)s” serves %(sd)s; %(i)s is an instrument of %(id)s.")
                % {"s": standard.name, "sd": standard.get_domain_display(), "i": inst,
                   "id": inst.category.get_domain_display()})
    s_unit, i_unit = decisions.registry_dsi(standard.range_unit), decisions.registry_dsi(inst.range_unit)
    if s_unit and i_unit and standard.range_max is not None and inst.range_max is not None:
        factor = unit_symbols.conversion(i_unit, s_unit)
        if factor is None:
            return (_("Standard “%(s)s” measures in %(su)s; %(i)s measures in %(iu)s.")
                    % {"s": standard.name, "su": standard.range_unit, "i": inst, "iu": inst.range_unit})
        if inst.range_max * factor > standard.range_max:
            return (_("Standard “%(s)s” reaches %(sr)s; %(i)s measures up to %(imax)s.")
                    % {"s": standard.name, "i": inst,
                       "sr": unit_symbols.range_text(standard.range_min, standard.range_max, standard.range_unit),
                       "imax": unit_symbols.quantity(inst.range_max, inst.range_unit)})
    return ""


def standards_for(item: WorkOrderItem, day: dt.date) -> list[MeasurementStandard]:
    """The institute's standards that can serve ``item`` on ``day`` (the choice offered on the results form)."""
    qs = (MeasurementStandard.objects.filter(institute_id=item.work_order.institute_id, status="in_use")
          .order_by("name"))
    return [s for s in qs if not standard_unfit(s, item, day)]


@transaction.atomic
def record_results(item: WorkOrderItem, *, actor, measured_on: dt.date, standards: list, points: list[dict],
                   temperature=None, humidity=None, notes: str = "") -> MeasurementResult:
    """The technician's record of one item; decided at once against the regulation (rules/)."""
    wo = _lock(item.work_order)
    item = WorkOrderItem.objects.select_related("instrument__category").get(pk=item.pk)
    item.work_order = wo
    _require_institute_staff(actor, wo.institute)
    _expect(wo, WorkStatus.SCHEDULED, WorkStatus.MEASURED)
    if measured_on is None:
        raise ValidationError({"measured_on": [_("Give the date of measurement.")]})
    if measured_on > timezone.localdate():
        raise ValidationError({"measured_on": [_("The date of measurement %(d)s is in the future.") % {"d": measured_on}]})
    regulation_before = item.regulation
    if item.regulation:
        _edition_in_force(item, measured_on)
    technician = _signer(actor, wo, _("technician"), [measured_on, timezone.localdate()], "technician")
    std_objs = []
    for i, s in enumerate(standards or []):
        pk = s.pk if isinstance(s, MeasurementStandard) else s
        obj = MeasurementStandard.objects.filter(pk=pk).first() if str(pk).isdigit() else None  # as stored now
        if obj is None or obj.institute_id != wo.institute_id:
            raise ValidationError({f"standards[{i}]": [_("Standard %(s)s is not one of %(institute)s's.")
                                                       % {"s": s, "institute": wo.institute}]})
        problem = standard_unfit(obj, item, measured_on)
        if problem:
            raise ValidationError({f"standards[{i}]": [problem]})
        std_objs.append(obj)
    if not std_objs:
        raise ValidationError({"standards": [_("Name the measurement standards used.")]})
    calibration = wo.kind == WorkKind.CALIBRATION
    clean = _points(item, points, calibration)
    decision: dict = {}
    outcome = ""
    if item.regulation:
        decision = decisions.decide(item, clean)
        outcome = decision["outcome"]
    else:
        _check_calibration_range(item, clean)
    temperature = decisions.decimal(temperature, "temperature", required=False)
    humidity = decisions.decimal(humidity, "humidity", required=False)
    if humidity is not None and not 0 <= humidity <= 100:
        raise ValidationError({"humidity": [_("Relative humidity lies between 0 and 100 %.")]})
    existing = MeasurementResult.objects.filter(item=item).first()
    before = None
    if existing is not None:
        before = {"measured_on": existing.measured_on.isoformat(), "outcome": existing.outcome}
        existing.delete()
    result = MeasurementResult.objects.create(item=item, measured_on=measured_on, temperature=temperature,
                                              humidity=humidity, technician=technician, outcome=outcome,
                                              decision=decision, notes=notes)
    result.standards.set(std_objs)
    rows = []
    for pos, p in enumerate(clean):
        d = decision["points"][pos] if decision else {}
        rows.append(TestPointResult(
            result=result, position=pos, label=p["label"], quantities=p["quantities"], attributes=p["attributes"],
            reference_value=p["reference_value"], indication=p["indication"], unit=p["unit"], error=p["error"],
            error_unit=p["error_unit"], temperature=p["temperature"], humidity=p["humidity"],
            expanded_uncertainty=p["U"], coverage_factor=p["k"], budget=p["budget"], mpe=d.get("mpe", "")[:200],
            outcome=d.get("outcome", "")))
    TestPointResult.objects.bulk_create(rows)
    if item.regulation != regulation_before:
        before = {**(before or {}), "regulation": regulation_before}
    audit.record(wo, "action", actor=actor, before=before, after={
        "item": item.pk, "measured_on": measured_on.isoformat(), "outcome": outcome, "regulation": item.regulation,
        "standards": [s.pk for s in std_objs], "points": len(rows)},
        message=f"results recorded for {item.instrument}")
    if not wo.items.filter(result__isnull=True).exists() and wo.status == WorkStatus.SCHEDULED:
        _transition(wo, WorkStatus.MEASURED, actor=actor, measured_at=timezone.now(), status_reason="",
                    message=_("The instruments of work order %(number)s were measured.") % {"number": wo.number})
    return result


def _technicians(wo: WorkOrder) -> set[int]:
    return set(MeasurementResult.objects.filter(item__work_order=wo).values_list("technician_id", flat=True))


@transaction.atomic
def check(work_order: WorkOrder, *, actor, checker: Person | None = None) -> WorkOrder:
    """核验: a second metrologist checks the records; nobody checks their own work."""
    wo = _lock(work_order)
    _require_institute_staff(actor, wo.institute)
    _expect(wo, WorkStatus.MEASURED)
    today = timezone.localdate()
    checker = _signer(actor, wo, _("checker"), [today], "checker", named=checker)
    if checker.pk in _technicians(wo):
        raise ValidationError({"checker": [_("%(person)s measured these instruments and may not check their own work.")
                                           % {"person": checker}]})
    return _transition(wo, WorkStatus.CHECKED, actor=actor, checker=checker, checked_at=timezone.now(),
                       message=_("The results of work order %(number)s were checked.") % {"number": wo.number})


@transaction.atomic
def return_to_measurement(work_order: WorkOrder, *, actor, reason: str) -> WorkOrder:
    """The checker (or the approver) sends the order back to measurement with a reason; the results stay for
    the technician to correct, and the check starts again once they are recorded anew."""
    wo = _lock(work_order)
    _require_institute_staff(actor, wo.institute)
    _expect(wo, WorkStatus.MEASURED, WorkStatus.CHECKED)
    role = _("checker") if wo.status == WorkStatus.MEASURED else _("approver")
    person = _signer(actor, wo, role, [timezone.localdate()], "reason")
    if person.pk in _technicians(wo):
        raise ValidationError({"reason": [_("%(person)s measured these instruments; the checker sends them back.")
                                          % {"person": person}]})
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the order goes back to measurement.")]})
    return _transition(wo, WorkStatus.SCHEDULED, actor=actor, status_reason=reason.strip()[:300], measured_at=None,
                       checker_id=None, checked_at=None,
                       message=_("%(person)s sent work order %(number)s back to measurement: %(reason)s")
                       % {"person": person, "number": wo.number, "reason": reason.strip()})


def standard_problems(result: MeasurementResult) -> list[str]:
    """Why the standards of a result do not support it on its measurement date (empty when they do)."""
    day = result.measured_on
    problems = []
    for s in result.standards.order_by("name"):
        if s.status != "in_use":
            problems.append(_("Standard “%(s)s” is %(status)s.") % {"s": s.name, "status": s.get_status_display()})
        if not s.is_valid_on(day):
            if s.valid_until and s.valid_until < day:
                problems.append(_("Standard “%(s)s”: its assessment certificate %(no)s lapsed on %(date)s "
                                  "(measured on %(day)s).")
                                % {"s": s.name, "no": s.certificate_no, "date": s.valid_until, "day": day})
            elif s.valid_from and s.valid_from > day:
                problems.append(_("Standard “%(s)s”: its assessment certificate %(no)s is valid only from %(date)s "
                                  "(measured on %(day)s).")
                                % {"s": s.name, "no": s.certificate_no, "date": s.valid_from, "day": day})
            else:
                problems.append(_("Standard “%(s)s” has no valid assessment certificate.") % {"s": s.name})
        if certs.calibration_on(s, day) is None:
            last = StandardCalibration.objects.filter(standard=s, calibrated_on__lte=day).order_by("-valid_until").first()
            if last is not None:
                problems.append(_("Standard “%(s)s”: its calibration %(no)s lapsed on %(date)s (measured on %(day)s).")
                                % {"s": s.name, "no": last.certificate_no, "date": last.valid_until, "day": day})
            else:
                problems.append(_("Standard “%(s)s” has no calibration valid on %(day)s.") % {"s": s.name, "day": day})
    return problems


@transaction.atomic
def approve(work_order: WorkOrder, *, actor, approver: Person | None = None) -> WorkOrder:
    """批准: a third metrologist approves; refused while any standard used had lapsed on the day of measurement,
    or while a verification point's U exceeds the regulation's limit or a third of its MPE (JJF 1094-2002 5.3.1)."""
    wo = _lock(work_order)
    _require_institute_staff(actor, wo.institute)
    _expect(wo, WorkStatus.CHECKED)
    today = timezone.localdate()
    approver = _signer(actor, wo, _("approver"), [today], "approver", named=approver)
    if approver.pk in _technicians(wo):
        raise ValidationError({"approver": [_("%(person)s measured these instruments and may not approve them.")
                                            % {"person": approver}]})
    if approver.pk == wo.checker_id:
        raise ValidationError({"approver": [_("%(person)s checked this work order; a third person approves it.")
                                            % {"person": approver}]})
    problems, capability = [], []
    for item in wo.items.select_related("result", "instrument"):
        item.work_order = wo
        problems += standard_problems(item.result)
        capability += decisions.capability_problems(item, item.result)
    if problems:
        raise ValidationError({"standards": list(dict.fromkeys(problems))})
    if capability:
        raise ValidationError({"uncertainty": capability})
    return _transition(wo, WorkStatus.APPROVED, actor=actor, approver=approver, approved_at=timezone.now(),
                       message=_("Work order %(number)s was approved.") % {"number": wo.number})


# -- certificates ---------------------------------------------------------------------------------


def _kind_for(item: WorkOrderItem) -> str:
    if item.work_order.kind == WorkKind.CALIBRATION:
        return CertificateKind.CALIBRATION
    return CertificateKind.VERIFICATION if item.result.outcome == "pass" else CertificateKind.NONCONFORMITY


def _prepare_certificate(item: WorkOrderItem, *, key: SigningKey, kind: str, number: str, issued_on: dt.date,
                         valid_until: dt.date | None, supersedes: str | None = None) -> Certificate:
    """Content, signature and PDF of a certificate, not yet saved. Drawing the PDF is the slow part, so it
    happens here, before the caller writes any audit entry: the audit chain's head row lock serialises
    every audited write (MQTT ingest included) until the transaction ends."""
    check_code = certs.new_check_code()
    content = certs.build_content(item, kind, number, issued_on, valid_until, key.key_id, supersedes,
                                  check_code=check_code)
    private = signing.unwrap(key.key_id, key.institute_id, key.private_key_wrapped)
    signature = signing.sign(private, content)
    pdf = render_pdf(content, verify_url=certs.public_url(content["verify_path"]))
    return Certificate(
        number=number, kind=kind, item=item, institute=item.work_order.institute, owner=item.work_order.owner,
        instrument=item.instrument, issued_on=issued_on, valid_until=valid_until, content=content,
        signature=signature, signing_key=key, pdf=pdf, pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        check_code=check_code)


def _signing_key_for(institute: Organisation) -> tuple[SigningKey, bool]:
    """The active key, or a new one (True: the caller audits its creation once the PDFs are drawn)."""
    key = certs.active_key(institute)
    if key is not None:
        return key, False
    return certs.new_key(institute), True


def _audit_key_created(key: SigningKey, *, actor, retired: list[str] = (), reason: str = "") -> None:
    audit.record(key, "create", actor=actor, after={
        "key_id": key.key_id, "fingerprint": signing.fingerprint(key.public_key), "public_key": key.public_key,
        "retired": list(retired), "reason": reason},
        message=f"signing key {key.key_id} of {key.institute} created" + (f" ({reason})" if reason else ""))


def _check_number(number: str, institute, year: int, field: str, kind: str) -> None:
    used = Certificate.objects.filter(number=number).first()
    if used is not None:
        raise ValidationError({field: [_("Certificate number %(n)s was already used (issued %(d)s); numbers are "
                                         "never reused.") % {"n": number, "d": used.issued_on}]})
    if not certs.number_pattern_ok(number, institute, year, kind):
        raise ValidationError({field: [_("Certificate number %(n)s does not follow %(pattern)s.")
                                       % {"n": number, "pattern": certs.NUMBER_FORMAT.format(
                                           org=certs.institute_code(institute), year=year,
                                           letter=KIND_LETTER[kind], seq=1)}]})


@transaction.atomic
def issue_certificate(work_order: WorkOrder, *, actor, numbers: dict | None = None) -> list[Certificate]:
    """Issue one signed certificate per item of an approved work order: 检定证书 for a pass, 检定结果通知书
    for a fail, 校准证书 for a calibration. ``numbers`` ({item id: number}) takes pre-assigned numbers,
    which must follow the institute's pattern and never have been used."""
    wo = _lock(work_order)
    _require_institute_staff(actor, wo.institute)
    _expect(wo, WorkStatus.APPROVED)
    today = timezone.localdate()
    key, key_created = _signing_key_for(wo.institute)
    prepared = []
    numbers = {int(k): v for k, v in (numbers or {}).items()}
    for item in wo.items.select_related("instrument__category", "result__technician").order_by("pk"):
        item.work_order = wo
        kind = _kind_for(item)
        if item.pk in numbers:
            number = str(numbers[item.pk]).strip()
            _check_number(number, wo.institute, today.year, f"numbers.{item.pk}", kind)
            certs.next_number(wo.institute, kind, today.year)  # the sequence moves past it all the same
        else:
            number = certs.next_number(wo.institute, kind, today.year)
        prepared.append(_prepare_certificate(item, key=key, kind=kind, number=number, issued_on=today,
                                             valid_until=certs.valid_until_for(item, kind, item.result.measured_on)))
    # Every PDF is drawn: only now the audit chain is locked, for the inserts and their entries.
    if key_created:
        _audit_key_created(key, actor=actor, reason=FIRST_KEY_REASON)
    issued = []
    for cert in prepared:
        cert.save(force_insert=True)
        audit.record(cert, "create", actor=actor, after={"number": cert.number, "kind": cert.kind,
                                                         "item": cert.item_id,
                                                         "valid_until": audit.json_value(cert.valid_until),
                                                         "key_id": key.key_id, "pdf_sha256": cert.pdf_sha256},
                     message=f"certificate {cert.number} issued")
        issued.append(cert)
    _transition(wo, WorkStatus.ISSUED, actor=actor, issued_at=timezone.now(),
                message=_("Certificates %(numbers)s were issued for work order %(number)s.")
                % {"numbers": ", ".join(c.number for c in issued), "number": wo.number})
    return issued


def _lock_certificate(cert: Certificate) -> Certificate:
    return Certificate.objects.select_for_update().select_related("institute", "owner", "item__work_order").get(
        pk=cert.pk)


@transaction.atomic
def revoke_certificate(certificate: Certificate, *, actor, reason: str) -> Certificate:
    cert = _lock_certificate(certificate)
    _require_institute_staff(actor, cert.institute)
    if cert.status != CertificateStatus.VALID:
        raise ValidationError({"status": [_("Certificate %(n)s is already %(s)s.")
                                          % {"n": cert.number, "s": cert.get_status_display()}]})
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the certificate is revoked.")]})
    cert.status, cert.status_reason, cert.status_changed_at = CertificateStatus.REVOKED, reason.strip()[:300], \
        timezone.now()
    cert.save(update_fields=["status", "status_reason", "status_changed_at", "last_updated"])
    audit.record(cert, "action", actor=actor, before={"status": "valid"},
                 after={"status": "revoked", "reason": cert.status_reason}, message=f"certificate {cert.number} revoked")
    _notify(cert.item.work_order, _("Certificate %(n)s was revoked: %(reason)s")
            % {"n": cert.number, "reason": cert.status_reason})
    return cert


@transaction.atomic
def reissue_certificate(certificate: Certificate, *, actor, reason: str) -> Certificate:
    """Issue a corrected certificate under a new number; the old one is kept, marked superseded by the new."""
    cert = _lock_certificate(certificate)
    _require_institute_staff(actor, cert.institute)
    if cert.status != CertificateStatus.VALID:
        raise ValidationError({"status": [_("Only a valid certificate can be re-issued; %(n)s is %(s)s.")
                                          % {"n": cert.number, "s": cert.get_status_display()}]})
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the certificate is re-issued.")]})
    item = WorkOrderItem.objects.select_related("work_order__institute", "work_order__owner", "instrument__category",
                                                "result__technician").get(pk=cert.item_id)
    today = timezone.localdate()
    number = certs.next_number(cert.institute, cert.kind, today.year)
    key, key_created = _signing_key_for(cert.institute)
    new = _prepare_certificate(item, key=key, kind=cert.kind, number=number, issued_on=today,
                               valid_until=cert.valid_until, supersedes=cert.number)
    if key_created:
        _audit_key_created(key, actor=actor, reason=FIRST_KEY_REASON)
    new.save(force_insert=True)
    cert.status, cert.status_reason, cert.status_changed_at = CertificateStatus.SUPERSEDED, reason.strip()[:300], \
        timezone.now()
    cert.superseded_by = new
    cert.save(update_fields=["status", "status_reason", "status_changed_at", "superseded_by", "last_updated"])
    audit.record(cert, "action", actor=actor, before={"status": "valid"},
                 after={"status": "superseded", "superseded_by": new.number, "reason": cert.status_reason},
                 message=f"certificate {cert.number} superseded by {new.number}")
    audit.record(new, "create", actor=actor, after={"number": new.number, "supersedes": cert.number,
                                                    "pdf_sha256": new.pdf_sha256},
                 message=f"certificate {new.number} re-issued")
    _notify(item.work_order, _("Certificate %(old)s was replaced by %(new)s: %(reason)s")
            % {"old": cert.number, "new": new.number, "reason": cert.status_reason})
    return new


# -- keys and our own standards -------------------------------------------------------------------


@transaction.atomic
def create_signing_key(institute: Organisation, *, actor, reason: str = "") -> SigningKey:
    """A new Ed25519 key for the institute (rotation); earlier keys retire but keep verifying what they signed.
    Creation and each retirement are audited."""
    _require_institute_staff(actor, institute)
    now = timezone.now()
    retiring = list(SigningKey.objects.select_for_update().filter(institute=institute, active=True))
    key = certs.new_key(institute)
    for old in retiring:
        old.active, old.retired_at = False, now
        old.save(update_fields=["active", "retired_at", "last_updated"])
        audit.record(old, "action", actor=actor, before={"active": True, "retired_at": None},
                     after={"active": False, "retired_at": audit.json_value(now), "replaced_by": key.key_id},
                     message=f"signing key {old.key_id} retired, replaced by {key.key_id}")
    _audit_key_created(key, actor=actor, retired=[k.key_id for k in retiring], reason=reason.strip()[:300])
    return key


@transaction.atomic
def rewrap_signing_keys(*, old_secret: str, new_secret: str) -> int:
    """Re-wrap every institute's private key under ``new_secret`` (rotation of the wrapping secret).

    All or nothing: a key that does not open under ``old_secret`` aborts the rotation before any row
    changes. Each key's new wrapping is audited (the key id, never key material).
    """
    from cryptography.exceptions import InvalidTag

    if not new_secret or new_secret == old_secret:
        raise ValueError(_("The new signing secret must be non-empty and differ from the old one."))
    keys = list(SigningKey.objects.select_for_update().order_by("pk"))
    rewrapped, failed = {}, []
    for key in keys:
        try:
            rewrapped[key.pk] = signing.rewrap(key.key_id, key.institute_id, key.private_key_wrapped,
                                               old_secret=old_secret, new_secret=new_secret)
        except InvalidTag:
            failed.append(key.key_id)
    if failed:
        raise ValueError(_("These signing keys are not wrapped under the old secret: %(ids)s")
                         % {"ids": ", ".join(failed)})
    for key in keys:
        key.private_key_wrapped = rewrapped[key.pk]
        key.save(update_fields=["private_key_wrapped", "last_updated"])
        audit.record(key, "action", message=f"signing key {key.key_id} re-wrapped under a new secret")
    return len(keys)


def _require_standard_keeper(actor, standard: MeasurementStandard) -> None:
    if not MeasurementStandard.objects.restrict(actor, "change").filter(pk=standard.pk).exists():
        raise PermissionDenied(_("You may not record calibrations of %(s)s.") % {"s": standard})


@transaction.atomic
def record_standard_calibration(standard: MeasurementStandard, *, actor, certificate_no: str, laboratory: str,
                                calibrated_on: dt.date, valid_until: dt.date, traceability: str = "",
                                results: list | None = None, source: str = CalibrationSource.MANUAL,
                                dcc_xml: str = "", certificate: Certificate | None = None) -> StandardCalibration:
    _require_standard_keeper(actor, standard)
    if StandardCalibration.objects.filter(standard=standard, certificate_no=certificate_no).exists():
        raise ValidationError({"certificate_no": [_("Calibration %(no)s of %(s)s is already recorded.")
                                                  % {"no": certificate_no, "s": standard}]})
    cal = StandardCalibration(standard=standard, certificate_no=certificate_no, laboratory=laboratory,
                              calibrated_on=calibrated_on, valid_until=valid_until, traceability=traceability,
                              results=results or [], source=source, dcc_xml=dcc_xml, certificate=certificate)
    cal.full_clean()
    cal.save()
    audit.record(cal, "create", actor=actor, after={**audit.snapshot(cal), "dcc_xml": len(dcc_xml)},
                 message=f"calibration {certificate_no} of standard {standard} recorded")
    return cal


@transaction.atomic
def import_dcc(standard: MeasurementStandard, xml: bytes | str, *, actor, valid_until: dt.date | None = None,
               traceability: str = "") -> StandardCalibration:
    """Record a calibration of one of our standards from another laboratory's DCC (validated against the XSD)."""
    from . import dcc_bridge

    _require_standard_keeper(actor, standard)
    data = dcc_bridge.read_validated(xml)
    cert = data["certificate"]
    return record_standard_calibration(
        standard, actor=actor, certificate_no=cert.unique_identifier, laboratory=data["laboratory"],
        calibrated_on=cert.end_performance_date,
        valid_until=valid_until or (certs.add_months(cert.end_performance_date, 12) - dt.timedelta(days=1)),
        traceability=traceability or data["laboratory"], results=data["results"], source=CalibrationSource.DCC,
        dcc_xml=data["xml"])
