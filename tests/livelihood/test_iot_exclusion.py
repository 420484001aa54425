"""Household meters stay out of the key energy consumers' figures: every figure that counts points, enterprises,
the online rate (now, snapshots, backfill), enterprise rollups, KPI 9 coverage, data quality, the energy dashboard,
the home panels and the lapsed-meter check is the same whether the utilities' household meters report or not."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from tests.conftest import web_client_for
from tests.livelihood.iot_world import build, day, report
from tests.telemetry.conftest import energy  # noqa: F401  (the key consumers' fixture)

from jiliang.core.audit import audit_context
from jiliang.registry.models import Instrument
from jiliang.telemetry import home, quality
from jiliang.telemetry.consumption import LOCAL
from jiliang.telemetry.ingest import Group, directory, ingest
from jiliang.telemetry.models import Anomaly, EnterpriseRollup, MeteringPoint, OnlineSnapshot, PointRollup
from jiliang.telemetry.parsing import RawReading


def _key_readings(energy, now):  # noqa: F811
    t = now.replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=2)
    rows = [RawReading(str(i), "E-IN", t + dt.timedelta(minutes=15 * i), Decimal(1000 + i)) for i in range(9)]
    rows += [RawReading(f"w{i}", "W-IN", t + dt.timedelta(minutes=15 * i), Decimal(50 + i)) for i in range(9)]
    with audit_context(actor=None, channel="command"):
        ingest([Group(energy.world.ent_ks, rows, reference="key")], channel="file")
    return t


def _figures(users, now):
    """Every key-consumer figure, as plain values."""
    today = now.astimezone(LOCAL).date()
    day_start = now.astimezone(LOCAL).replace(hour=0, minute=0, second=0, microsecond=0)
    out = {"by_region": quality.online_counts_by_region(now),
           "rollups": list(EnterpriseRollup.objects.order_by("enterprise_id", "energy_type", "period", "start")
                           .values_list("enterprise_id", "energy_type", "period", "start", "consumption", "readings")),
           "snapshots": list(OnlineSnapshot.objects.order_by("taken_at", "region_id")
                             .values_list("taken_at", "region_id", "enterprises", "online"))}
    rf = RequestFactory()
    for name, user in users.items():
        statuses = quality.enterprise_statuses(user, now)
        request = rf.get("/")
        request.user = user
        cov = quality.coverage(user, today, now)
        dq = quality.data_quality(user, today)
        out[name] = {
            "statuses": [(s.enterprise.pk, s.online, s.required, s.reporting) for s in statuses],
            "rate": quality.online_rate(statuses), "by_city": quality.online_by_city(statuses),
            "coverage": (dataclasses.asdict(cov.total), [dataclasses.asdict(r) for r in cov.regions]),
            "quality": [(e.enterprise.pk, e.flagged) for e in dq.enterprises],
            "flagged": [(p.pk, c) for p, c in quality.flagged_completeness(user, day_start)],
            "bureau_panel": home.bureau_energy(request) if name != "enterprise" else None,
            "enterprise_panel": ({k: v for k, v in home.enterprise_energy(request).items() if k != "late"}
                                 if name == "enterprise" else None),
        }
        response = web_client_for(user).get(reverse("energy-dashboard"))
        if response.status_code == 200:
            ctx = response.context
            out[name]["dashboard"] = (ctx["open_anomalies"], ctx["online_count"], ctx["rate"],
                                      ctx["anomalies_by_kind"], ctx["top"], ctx["not_connected_count"])
    return out


def test_key_consumer_figures_are_unchanged_when_household_meters_report(lworld, energy):  # noqa: F811
    now = timezone.now()
    users = {k: lworld.users[k] for k in ("province", "suzhou", "kunshan", "xuanwu", "enterprise")}
    t = _key_readings(energy, now)
    with audit_context(actor=None, channel="command"):
        quality.record_online_snapshot(now)
        quality.backfill_online_snapshots(t, now)
    before = _figures(users, now)
    assert before["province"]["statuses"] and "dashboard" in before["province"] and "dashboard" in before["kunshan"]

    w = build(lworld)
    # even marked required for online (provisioning leaves them not required), household points never count
    MeteringPoint.objects.filter(role="household").update(required_for_online=True)
    report(w)
    # a household meter whose instrument is suspended: the key consumers' lapsed-verification anomaly is not theirs
    Instrument.objects.filter(pk=w.meters["x1"].instrument_id).update(status="suspended")
    directory.clear()
    with audit_context(actor=None, channel="command"):
        ingest([Group(lworld.water_xw, [RawReading("1", w.points["x1"].code, day(0), Decimal("6.0"))])],
               channel="file")
        quality.record_online_snapshot(now)
        quality.backfill_online_snapshots(t, now)
    assert PointRollup.objects.filter(point__role="household").exists()  # the household points did report
    assert Anomaly.objects.filter(point__role="household").count() == 4
    assert not Anomaly.objects.filter(point__role="household", kind="verification").exists()
    after = _figures(users, now)
    assert after == before
    # a utility's staff get no energy panel of the key consumers
    request = RequestFactory().get("/")
    request.user = lworld.users["water_ks"]
    assert home.enterprise_energy(request) is None
