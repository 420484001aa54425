"""The institute's own measurement standards: fitness for an item on a day, their calibrations and DCC imports."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiliang.core import audit, units
from jiliang.registry.models import MeasurementStandard

from .. import certificates as certs
from .. import decisions
from ..models import CalibrationSource, Certificate, MeasurementResult, StandardCalibration, WorkOrderItem


def standard_unfit(standard: MeasurementStandard, item: WorkOrderItem, day: dt.date) -> str:
    """Why a standard cannot serve an item measured on ``day`` ("" when it can).

    It must be in use, hold an assessment certificate valid that day (计量标准考核办法) and a calibration valid
    that day (JJF 1033-2023), and fit the item: the measurement domain of the instrument's category, a unit of
    the same kind as the instrument's (compared as normalised SI values, core.units.si), and a range that
    reaches the instrument's upper end. Where the registry lacks a range or unit on either side, the range is not compared.
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
        # normalised SI values: a standard in t covers an instrument in kg (SI brochure Table 8)
        above = units.compare(inst.range_max, i_unit, standard.range_max, s_unit)
        if above is None:
            return (_("Standard “%(s)s” measures in %(su)s; %(i)s measures in %(iu)s.")
                    % {"s": standard.name, "su": standard.range_unit, "i": inst, "iu": inst.range_unit})
        if above > 0:
            return (_("Standard “%(s)s” reaches %(sr)s; %(i)s measures up to %(imax)s.")
                    % {"s": standard.name, "i": inst,
                       "sr": units.range_text(standard.range_min, standard.range_max, standard.range_unit),
                       "imax": units.quantity(inst.range_max, inst.range_unit)})
    return ""


def standards_for(item: WorkOrderItem, day: dt.date) -> list[MeasurementStandard]:
    """The institute's standards that can serve ``item`` on ``day`` (the choice offered on the results form)."""
    qs = (MeasurementStandard.objects.filter(institute_id=item.work_order.institute_id, status="in_use")
          .order_by("name"))
    return [s for s in qs if not standard_unfit(s, item, day)]


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
    from .. import dcc_bridge

    _require_standard_keeper(actor, standard)
    data = dcc_bridge.read_validated(xml)
    cert = data["certificate"]
    return record_standard_calibration(
        standard, actor=actor, certificate_no=cert.unique_identifier, laboratory=data["laboratory"],
        calibrated_on=cert.end_performance_date,
        valid_until=valid_until or certs.last_day_of_validity(cert.end_performance_date, 12),
        traceability=traceability or data["laboratory"], results=data["results"], source=CalibrationSource.DCC,
        dcc_xml=data["xml"])
