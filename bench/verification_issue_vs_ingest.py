"""Benchmark (issue #9 item 8): does issuing certificates delay meter-data ingest?

Every audited write appends to one hash chain whose head row is locked (``SELECT … FOR UPDATE``) until the
writer's transaction ends; ingest writes one audit entry per batch. When certificates were drawn after the
first audit entry of their transaction (every item but the first of a work order), each PDF held that lock,
and ingest batches waited for it. ``issue_certificate`` now draws every PDF before it writes any audit entry.

On PostgreSQL (row locks; SQLite locks the whole database for any write, so it cannot show this), in one run:

1. **alone** -- ingest batches of ``--readings`` readings (one enterprise's metering points, quarter hour after
   quarter hour), one after another, no other work: the baseline;
2. **while issuing** -- the same batches while another process issues ``--certificates`` certificates
   (``--per-order`` items per work order) through ``services.issue_certificate``;
3. **while issuing, PDFs under the lock** -- the same again, with the issuing process taking the audit-chain
   lock before it draws each PDF after the first of a work order, which is what the earlier order of work did.

Reported: the latency of each ingest batch (median, 95th percentile, max) in each phase, and the ratio of
the phases to the baseline.

    .venv/bin/python bench/verification_issue_vs_ingest.py [--certificates 100] [--per-order 10] [--readings 200]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT, percentile, setup  # noqa: E402

DEFAULT_DB = "postgres://root@127.0.0.1:5432/jiliang_cert_bench"
KG = "\\kilogram"
POINTS = [("Min", "0.1"), ("500e", "2.5"), ("2000e", "10"), ("Max", "15")]


def issue(ids_file: str, under_lock: bool) -> None:
    """The issuing process: every approved work order of ``ids_file``, one after another; writes
    ``<ids_file>.ready`` when set up and ``<ids_file>.done`` with the seconds the issuing took."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiliang.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from jiliang.core.audit import audit_context
    from jiliang.core.models import AuditHead
    from jiliang.verification import services
    from jiliang.verification.models import WorkOrder

    if under_lock:  # the earlier order of work: items after the first were drawn after an audit entry
        real = services._prepare_certificate
        state = {"order": None}

        def prepare(item, **kwargs):
            if state["order"] == item.work_order_id:
                AuditHead.objects.select_for_update().get(pk=1)
            state["order"] = item.work_order_id
            return real(item, **kwargs)

        services._prepare_certificate = prepare
    admin = get_user_model().objects.get(username="bench-cert")
    ids = json.loads(Path(ids_file).read_text())
    orders = list(WorkOrder.objects.filter(pk__in=ids).order_by("pk"))
    Path(ids_file + ".ready").write_text("")
    t0 = time.perf_counter()
    with audit_context(actor=admin, channel="command"):
        for wo in orders:
            services.issue_certificate(wo, actor=admin)
    Path(ids_file + ".done").write_text(str(time.perf_counter() - t0))


def build(n_orders: int, per_order: int, n_points: int):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from jiliang.core import services as core
    from jiliang.core.audit import audit_context
    from jiliang.registry import models as rm
    from jiliang.registry.identity import make_uscc
    from jiliang.telemetry.models import MeteringPoint
    from jiliang.verification import services

    admin = get_user_model().objects.create(username="bench-cert", is_superuser=True, is_staff=True)
    today = timezone.localdate()
    with audit_context(actor=admin, channel="command"):
        inst = core.create_record(rm.Organisation, {"name": "江苏省计量科学研究院", "uscc": make_uscc("12320000MB0123456"),
                                                    "kind": "institute", "region_id": "320000"}, actor=admin)
        owner = core.create_record(rm.Organisation, {"name": "昆山农贸市场", "uscc": make_uscc("91320583000000070"),
                                                     "kind": "market", "region_id": "320583"}, actor=admin)
        plant = core.create_record(rm.Organisation, {"name": "昆山能耗企业", "uscc": make_uscc("91320583000000071"),
                                                     "kind": "enterprise", "region_id": "320583"}, actor=admin)
        std = core.create_record(rm.MeasurementStandard, {
            "institute": inst, "name": "E2级砝码标准装置", "domain": "mechanics", "parameter": "质量",
            "uncertainty": Decimal("0.5"), "uncertainty_unit": "mg", "coverage_factor": Decimal(2),
            "level": "social_public", "certificate_no": "[2024]001", "valid_from": today - dt.timedelta(days=300),
            "valid_until": today + dt.timedelta(days=900)}, actor=admin)
        services.record_standard_calibration(std, actor=admin, certificate_no="NIM-1", laboratory="NIM",
                                             calibrated_on=today - dt.timedelta(days=10),
                                             valid_until=today + dt.timedelta(days=300))
        services.create_signing_key(inst, actor=admin, reason="benchmark")
        people = [core.create_record(rm.Person, {
            "name": n, "organisation": inst, "metrologist_certificate": f"JL{i}", "metrologist_level": "1",
            "qualified_items": "JJG 539", "certificate_valid_from": today - dt.timedelta(days=900),
            "certificate_valid_until": today + dt.timedelta(days=900)}, actor=admin)
            for i, n in enumerate(["张", "李", "王"])]
        scale = rm.InstrumentCategory.objects.get(code="nawi-price-scale")
        orders = []
        for i in range(n_orders):
            instruments = [core.create_record(rm.Instrument, {
                "owner": owner, "category": scale, "manufacturer": "凯丰衡器", "model": "ACS-15",
                "serial_number": f"B{i:04d}-{j:03d}", "accuracy_class": "III", "range_min": Decimal(0),
                "range_max": Decimal(15), "range_unit": "kg", "usage": "trade", "region_id": "320583",
                "status": "in_service"}, actor=admin) for j in range(per_order)]
            wo = services.request_work(actor=admin, owner=owner, institute=inst, kind="verification",
                                       items=[{"instrument": x, "regulation": "JJG539-2016"} for x in instruments])
            services.accept(wo, actor=admin)
            services.schedule(wo, actor=admin, date=today, technician=people[0])
            pts = [{"label": label, "reference_value": load, "indication": load, "unit": KG, "U": "0.0005"}
                   for label, load in POINTS]
            for item in wo.items.all():
                services.record_results(item, actor=admin, measured_on=today, standards=[std], points=pts)
            services.check(wo, actor=admin, checker=people[1])
            services.approve(wo, actor=admin, approver=people[2])
            orders.append(wo.pk)
    MeteringPoint.objects.bulk_create([MeteringPoint(
        enterprise=plant, code=f"P{j}", name=f"point {j}", energy_type="electricity", unit="kWh",
        role="enterprise_in" if j == 0 else "secondary_unit", accuracy_class="1") for j in range(n_points)])
    return orders, plant


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--certificates", type=int, default=100)
    ap.add_argument("--per-order", type=int, default=10)
    ap.add_argument("--readings", type=int, default=200, help="readings per ingest batch")
    ap.add_argument("--baseline-batches", type=int, default=60)
    ap.add_argument("--gap-ms", type=float, default=20, help="pause between ingest batches")
    ap.add_argument("--issue", help=argparse.SUPPRESS)
    ap.add_argument("--under-lock", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.issue:
        issue(a.issue, a.under_lock)
        return
    url = setup(os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB), fresh=True)
    from django.db import connection

    assert connection.vendor == "postgresql", "run on PostgreSQL (BENCH_DATABASE_URL=postgres://…)"
    from jiliang.telemetry.ingest import Group, ingest
    from jiliang.telemetry.parsing import RawReading

    n_orders = a.certificates // a.per_order
    t = time.perf_counter()
    orders, plant = build(2 * n_orders, a.per_order, a.readings)
    print(f"set-up: {2 * n_orders} approved work orders of {a.per_order} items, {a.readings} metering points "
          f"in {time.perf_counter() - t:.1f} s")
    start = (dt.datetime.now(dt.UTC) - dt.timedelta(days=30)).replace(minute=0, second=0, microsecond=0)
    step = {"n": 0}

    def batch() -> float:
        n = step["n"]
        step["n"] += 1
        ts = start + dt.timedelta(minutes=15 * n)
        group = Group(enterprise=plant, readings=[RawReading(str(j), f"P{j}", ts, Decimal(1000 + n))
                                                 for j in range(a.readings)])
        t0 = time.perf_counter()
        ingest([group], channel="command")
        return time.perf_counter() - t0

    for _ in range(5):  # warm up: point directory, partitions
        batch()

    def alone() -> list[float]:
        out = []
        for _ in range(a.baseline_batches):
            out.append(batch())
            time.sleep(a.gap_ms / 1000)
        return out

    def during(ids: list[int], under_lock: bool) -> tuple[list[float], float]:
        path = Path(tempfile.mkstemp(prefix="jiliang-bench-orders-", suffix=".json")[1])
        path.write_text(json.dumps(ids))
        env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT / "src")}
        args = [sys.executable, __file__, "--issue", str(path)] + (["--under-lock"] if under_lock else [])
        proc = subprocess.Popen(args, env=env)
        ready, done = Path(f"{path}.ready"), Path(f"{path}.done")
        while not ready.exists():
            assert proc.poll() is None, f"the issuing process failed ({proc.returncode})"
            time.sleep(0.05)
        out = []
        while proc.poll() is None:
            out.append(batch())
            time.sleep(a.gap_ms / 1000)
        assert proc.returncode == 0, f"the issuing process failed ({proc.returncode})"
        elapsed = float(done.read_text())
        for f in (path, ready, done):
            f.unlink()
        return out, elapsed

    base = alone()
    now, t_now = during(orders[:n_orders], under_lock=False)
    old, t_old = during(orders[n_orders:], under_lock=True)
    from jiliang.verification.models import Certificate

    assert Certificate.objects.count() == 2 * n_orders * a.per_order

    def row(name, values, extra=""):
        med = statistics.median(values)
        print(f"{name:<44} {len(values):>7} {med * 1000:>9.1f} {percentile(values, 95) * 1000:>9.1f} "
              f"{max(values) * 1000:>9.1f} {statistics.median(values) / statistics.median(base):>8.2f} "
              f"{percentile(values, 95) / percentile(base, 95):>8.2f}  {extra}")

    print(f"\ningest batches of {a.readings} readings (ms); ratios to the batches alone")
    print(f"{'':<44} {'batches':>7} {'median':>9} {'p95':>9} {'max':>9} {'med/base':>8} {'p95/base':>8}")
    row("alone", base)
    row(f"while issuing {n_orders * a.per_order} certificates", now,
        f"issued in {t_now:.1f} s = {n_orders * a.per_order / t_now:.1f}/s")
    row("while issuing, PDFs drawn under the lock", old,
        f"issued in {t_old:.1f} s = {n_orders * a.per_order / t_old:.1f}/s")


if __name__ == "__main__":
    main()
