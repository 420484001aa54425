"""Running the transformer-area error estimate (area_errors.py) on the telemetry's daily rollups, and storing it.

Data: the daily :class:`~jiliang.telemetry.models.PointRollup` rows (period ``day``, start at local midnight) of
the household meters' metering points (role ``household``, ``meter`` the household meter's instrument) and of the
area meter's point (``meter`` the area's ``area_meter``). A day's row holds the energy of the intervals that end
in it and counts the readings that end in it; a meter whose day has no reading has not closed the day, and its
energy for that day arrives with its next reading (area_errors.merge_carried merges those days). A day without a
rollup row counts as not closed with no energy.

An estimate the data cannot support is still stored, with ``results`` empty and ``line_loss["refused"]`` saying
why (too few days, meters without data, collinear meters), so the area's page shows the reason instead of an old
figure.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from jiliang.core import audit
from jiliang.core.scoping import VIEW
from jiliang.telemetry.consumption import LOCAL, local_day_start
from jiliang.telemetry.models import MeteringPoint, Period, PointRole, PointRollup

from . import area_errors
from .models import AreaEstimate, HouseholdMeter, MeterKind, TransformerArea

DEFAULT_DAYS = 90


class NoData(Exception):
    """The data an estimate needs are not there: ``reason`` a code, ``message`` in English, ``meters`` codes."""

    def __init__(self, reason: str, message: str, meters: list[str] | None = None):
        super().__init__(message)
        self.reason, self.message, self.meters = reason, message, meters or []


def window(days: int, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The ``days`` local days that end yesterday."""
    today = today or timezone.now().astimezone(LOCAL).date()
    return today - dt.timedelta(days=days), today - dt.timedelta(days=1)


def _meters(area: TransformerArea, first_day: dt.date) -> list[HouseholdMeter]:
    return list(HouseholdMeter.objects.filter(area=area, kind=MeterKind.ELECTRICITY)
                .exclude(retired_on__lt=first_day).select_related("instrument").order_by("instrument_id"))


def _daily(point_ids: list[int], first_day: dt.date, last_day: dt.date):
    """{point id: {day: (energy, readings)}} from the day rollups."""
    out: dict[int, dict[dt.date, tuple[float, int]]] = {p: {} for p in point_ids}
    rows = PointRollup.objects.filter(point_id__in=point_ids, period=Period.DAY,
                                      start__gte=local_day_start(first_day),
                                      start__lt=local_day_start(last_day + dt.timedelta(days=1)))
    for point_id, start, consumption, readings in rows.values_list("point_id", "start", "consumption", "readings"):
        out[point_id][start.astimezone(LOCAL).date()] = (float(consumption), readings)
    return out


def area_data(area: TransformerArea, first_day: dt.date, last_day: dt.date):
    """The matrices of the estimate: (meters, x, y, closed), raising :class:`NoData` with the reason."""
    if area.area_meter_id is None:
        raise NoData("no_area_meter", "The area has no area meter.")
    area_point = MeteringPoint.objects.filter(meter_id=area.area_meter_id).order_by("pk").first()
    if area_point is None:
        raise NoData("no_area_point", "The area meter has no metering point, so there are no data for it.")
    meters = _meters(area, first_day)
    if not meters:
        raise NoData("no_household_meters", "The area has no household electricity meters.")
    points = {}
    for point_id, meter_id in (MeteringPoint.objects.filter(meter_id__in=[m.pk for m in meters],
                                                            role=PointRole.HOUSEHOLD)
                               .order_by("pk").values_list("pk", "meter_id")):
        points.setdefault(meter_id, point_id)
    missing = [m.instrument.instrument_code or str(m.pk) for m in meters if m.pk not in points]
    if missing:
        raise NoData("no_points", "Household meters without a metering point (their energy cannot be balanced): "
                     + ", ".join(missing[:20]) + (" …" if len(missing) > 20 else ""), missing)
    days = [first_day + dt.timedelta(days=k) for k in range((last_day - first_day).days + 1)]
    ids = [points[m.pk] for m in meters] + [area_point.pk]
    daily = _daily(ids, first_day, last_day)
    energy = np.zeros((len(ids), len(days)))
    closed = np.zeros((len(ids), len(days)), dtype=bool)
    for r, point_id in enumerate(ids):
        by_day = daily[point_id]
        for c, day in enumerate(days):
            value, readings = by_day.get(day, (0.0, 0))
            energy[r, c] = value
            closed[r, c] = readings > 0
    return meters, energy[:-1], energy[-1], closed


def _result(meter: HouseholdMeter, est: area_errors.MeterEstimate, confidence: float) -> dict:
    interval = est.interval(confidence)
    return {"instrument": meter.pk, "code": meter.instrument.instrument_code, "serial": meter.instrument.serial_number,
            "accuracy_class": meter.accuracy_class, "error_pct": _r(est.error_pct), "u_pct": _r(est.u_pct),
            "low_pct": _r(interval[0]) if interval else None, "high_pct": _r(interval[1]) if interval else None,
            "mpe_pct": est.mpe_pct, "decision": est.decision, "share_pct": _r(est.share_pct)}


def _r(v, digits=4):
    return None if v is None else round(float(v), digits)


@transaction.atomic
def estimate_area(area: TransformerArea, *, first_day: dt.date, last_day: dt.date, actor=None,
                  proportional_loss: float | None = None) -> AreaEstimate:
    """Estimate the household meters' errors of ``area`` over [first_day, last_day] and store the result."""
    if actor is not None and not TransformerArea.objects.restrict(actor, VIEW).filter(pk=area.pk).exists():
        raise PermissionDenied("You cannot run estimates for that transformer area.")
    if last_day < first_day:
        raise ValueError("last_day is before first_day")
    estimate = AreaEstimate(area=area, first_day=first_day, last_day=last_day, days=0, method=area_errors.METHOD)
    try:
        meters, x, y, closed = area_data(area, first_day, last_day)
        mx, my, span, carried_dropped = area_errors.merge_carried(x, y, closed)
        fit = area_errors.estimate(mx, my, span=span, classes=[m.accuracy_class for m in meters],
                                   proportional_loss=proportional_loss)
    except NoData as exc:
        estimate.line_loss = {"refused": {"reason": exc.reason, "message": exc.message, "meters": exc.meters,
                                          "params": {}}}
    except area_errors.IllConditioned as exc:
        codes = [meters[i].instrument.instrument_code for i in exc.meters]
        estimate.line_loss = {"refused": {"reason": exc.reason, "message": exc.message, "meters": codes,
                                          "params": exc.params}}
    else:
        dropped = dict(fit.periods_dropped)
        if carried_dropped:
            dropped["unclosed_days"] = carried_dropped
        estimate.days = fit.days_used
        estimate.line_loss = {
            "fixed_kwh_per_day": _r(fit.fixed_loss), "u_fixed_kwh_per_day": _r(fit.u_fixed_loss),
            "proportional_pct": _r(fit.proportional_loss_pct), "proportional_given": fit.proportional_loss_given,
            "periods": fit.periods_used, "dropped": dropped, "condition": _r(fit.condition, 1),
            "confidence": fit.confidence, "mpe_source": area_errors.MPE_SOURCE}
        estimate.results = [_result(m, est, 0.95) for m, est in zip(meters, fit.meters)]
        estimate.flagged = len(fit.flagged)
        estimate.residual_sd = _r(fit.residual_sd)
    estimate.full_clean()
    estimate.save()
    audit.record(estimate, "create", actor=actor, after=audit.snapshot(estimate),
                 message="transformer-area error estimate")
    return estimate


def estimate_all(*, days: int = DEFAULT_DAYS, today: dt.date | None = None, actor=None, areas=None,
                 progress=None) -> dict[str, int]:
    """Run :func:`estimate_area` for every area (or ``areas``) over the ``days`` days ending yesterday."""
    first_day, last_day = window(days, today)
    qs = areas if areas is not None else TransformerArea.objects.order_by("pk")
    counts = {"areas": 0, "estimated": 0, "refused": 0, "flagged meters": 0}
    items = list(qs)
    for k, area in enumerate(items):
        est = estimate_area(area, first_day=first_day, last_day=last_day, actor=actor)
        counts["areas"] += 1
        counts["refused" if "refused" in est.line_loss else "estimated"] += 1
        counts["flagged meters"] += est.flagged
        if progress:
            progress(k + 1, len(items))
    return counts
