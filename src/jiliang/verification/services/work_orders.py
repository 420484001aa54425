"""The acts of a work order, one function per act (Zulip's actions, Saleor's order actions).

Request, accept, decline, schedule, cancel; results, check, send back, approve (JJF 1069-2012 6.3).
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiliang.core import audit, units
from jiliang.core.scoping import VIEW
from jiliang.core.units import UnitError, same_unit
from jiliang.registry.models import Instrument, InstrumentStatus, MeasurementStandard, Organisation, Person

from .. import certificates as certs
from .. import decisions
from ..models import (
    MeasurementResult,
    TestPointResult,
    WorkKind,
    WorkLocation,
    WorkOrder,
    WorkOrderItem,
    WorkStatus,
)
from .base import (
    _lock,
    _may,
    _notify,
    _require_owner_side,
    _signer,
    _signer_check,
    _technicians,
    _transition,
    _visible,
)
from .standards import standard_problems, standard_unfit


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
    act = _may(actor, wo, "accept")
    return _transition(wo, act.target, actor=actor, accepted_at=timezone.now(),
                       message=_("%(institute)s accepted work order %(number)s.")
                       % {"institute": wo.institute, "number": wo.number})


@transaction.atomic
def decline(work_order: WorkOrder, *, actor, reason: str) -> WorkOrder:
    wo = _lock(work_order)
    act = _may(actor, wo, "decline")
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the work order is declined.")]})
    return _transition(wo, act.target, actor=actor, status_reason=reason.strip()[:300],
                       closed_at=timezone.now(),
                       message=_("%(institute)s declined work order %(number)s: %(reason)s")
                       % {"institute": wo.institute, "number": wo.number, "reason": reason.strip()})


@transaction.atomic
def schedule(work_order: WorkOrder, *, actor, date: dt.date, technician: Person) -> WorkOrder:
    wo = _lock(work_order)
    act = _may(actor, wo, "schedule")
    if date is None:
        raise ValidationError({"date": [_("Give the date of the work.")]})
    _signer_check(technician, wo, _("technician"), date, "technician")
    return _transition(wo, act.target, actor=actor, scheduled_date=date, technician=technician,
                       message=_("Work order %(number)s is scheduled for %(date)s (%(where)s).")
                       % {"number": wo.number, "date": date, "where": wo.get_location_display()})


@transaction.atomic
def cancel(work_order: WorkOrder, *, actor, reason: str) -> WorkOrder:
    wo = _lock(work_order)
    _visible(actor, wo)
    act = _may(actor, wo, "cancel")
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the work order is cancelled.")]})
    return _transition(wo, act.target, actor=actor, status_reason=reason.strip()[:300],
                       closed_at=timezone.now(),
                       message=_("Work order %(number)s was cancelled: %(reason)s")
                       % {"number": wo.number, "reason": reason.strip()})


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
        from ..rules import load_regulation

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
            unit = units.to_dsi(str(p.get("unit") or ""))
        except UnitError as exc:
            raise ValidationError({f"{f}.unit": [_("Test point %(label)s: %(reason)s")
                                                 % {"label": label, "reason": exc.message}]}) from exc
        ref = decisions.decimal(p.get("reference_value"), f"{f}.reference_value")
        ind = decisions.decimal(p.get("indication"), f"{f}.indication")
        try:
            error_unit = units.to_dsi(str(p.get("error_unit") or (reg.error.unit if reg and reg.error.unit
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
    from ..rules import RuleError, edition_on

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


@transaction.atomic
def record_results(item: WorkOrderItem, *, actor, measured_on: dt.date, standards: list, points: list[dict],
                   temperature=None, humidity=None, notes: str = "") -> MeasurementResult:
    """The technician's record of one item; decided at once against the regulation (rules/)."""
    wo = _lock(item.work_order)
    item = WorkOrderItem.objects.select_related("instrument__category").get(pk=item.pk)
    item.work_order = wo
    act = _may(actor, wo, "measure")
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
        _transition(wo, act.target, actor=actor, measured_at=timezone.now(), status_reason="",
                    message=_("The instruments of work order %(number)s were measured.") % {"number": wo.number})
    return result


@transaction.atomic
def check(work_order: WorkOrder, *, actor, checker: Person | None = None) -> WorkOrder:
    """核验: a second metrologist checks the records; nobody checks their own work."""
    wo = _lock(work_order)
    act = _may(actor, wo, "check")
    today = timezone.localdate()
    checker = _signer(actor, wo, _("checker"), [today], "checker", named=checker)
    if checker.pk in _technicians(wo):
        raise ValidationError({"checker": [_("%(person)s measured these instruments and may not check their own work.")
                                           % {"person": checker}]})
    return _transition(wo, act.target, actor=actor, checker=checker, checked_at=timezone.now(),
                       message=_("The results of work order %(number)s were checked.") % {"number": wo.number})


@transaction.atomic
def return_to_measurement(work_order: WorkOrder, *, actor, reason: str) -> WorkOrder:
    """The checker (or the approver) sends the order back to measurement with a reason; the results stay for
    the technician to correct, and the check starts again once they are recorded anew."""
    wo = _lock(work_order)
    act = _may(actor, wo, "send_back")
    role = _("checker") if wo.status == WorkStatus.MEASURED else _("approver")
    person = _signer(actor, wo, role, [timezone.localdate()], "reason")
    if person.pk in _technicians(wo):
        raise ValidationError({"reason": [_("%(person)s measured these instruments; the checker sends them back.")
                                          % {"person": person}]})
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the order goes back to measurement.")]})
    return _transition(wo, act.target, actor=actor, status_reason=reason.strip()[:300], measured_at=None,
                       checker_id=None, checked_at=None,
                       message=_("%(person)s sent work order %(number)s back to measurement: %(reason)s")
                       % {"person": person, "number": wo.number, "reason": reason.strip()})


@transaction.atomic
def approve(work_order: WorkOrder, *, actor, approver: Person | None = None) -> WorkOrder:
    """批准: a third metrologist approves; refused while any standard used had lapsed on the day of measurement,
    or while a verification point's U exceeds the regulation's limit or a third of its MPE (JJF 1094-2002 5.3.1)."""
    wo = _lock(work_order)
    act = _may(actor, wo, "approve")
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
    return _transition(wo, act.target, actor=actor, approver=approver, approved_at=timezone.now(),
                       message=_("Work order %(number)s was approved.") % {"number": wo.number})
