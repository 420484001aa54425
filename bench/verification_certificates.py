"""Issue 1,000 certificates in a batch -- decision (JJG 539-2016 rules), canonical content, Ed25519 signature,
QR code and PDF -- and compare with reportlab drawing the same 1,000 pages alone (issue 4, aim ratio ≥ 0.5).

Baseline: ``render_pdf`` of the already decided, signed content with the QR modules precomputed, i.e. the
drawing that reportlab does for the same pages without our logic. Both run in this process, same order.
Pure: no database (the database part of ``services.issue_certificate`` is measured separately below on a
throw-away SQLite file with N_DB certificates through the services).

    .venv/bin/python bench/verification_certificates.py
"""

import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

N = int(os.environ.get("BENCH_N", 1000))
N_DB = int(os.environ.get("BENCH_N_DB", 100))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from jiliang.verification import signing  # noqa: E402
from jiliang.verification.pdf import qr_matrix, render_pdf  # noqa: E402
from jiliang.verification.rules import (  # noqa: E402
    DecisionRule,
    Instrument,
    Measurement,
    QuantityValue,
    TestPoint,
    Uncertainty,
    decide_instrument,
)

KG = "\\kilogram"
SCALE = Instrument("JJG539-2016", {"class": "III"}, {"e": QuantityValue.of("0.005", KG),
                                                    "Max": QuantityValue.of("15", KG)})
POINTS = [("Min", "0.1"), ("500e", "2.5"), ("2000e", "10"), ("Max", "15")]
PRIVATE = signing.Ed25519PrivateKey.generate()
KEY_ID = signing.key_id_of(PRIVATE.public_key())
BASE = "https://jiliang.example.cn"


def content_for(i: int) -> tuple[dict, list]:
    errs = [Decimal(((i * 7 + j * 3) % 9) - 4) / 2000 for j in range(4)]
    ms = [Measurement(TestPoint(label, {"m": QuantityValue.of(load, KG)}), QuantityValue(err, KG),
                      Uncertainty.of("0.0005")) for (label, load), err in zip(POINTS, errs)]
    decision = decide_instrument(SCALE, ms, "subsequent", DecisionRule.simple())
    number = f"MB0123456-2026-V{i + 1:06d}"
    kind = "verification" if decision.outcome == "pass" else "nonconformity"
    content = {
        "format": "jiliang.certificate.content/1", "number": number, "kind": kind,
        "title": {"zh": "检定证书", "en": "Verification certificate"} if kind == "verification"
        else {"zh": "检定结果通知书", "en": "Notice of non-conformity"},
        "institute": {"name": "江苏省计量科学研究院", "uscc": "12320000MB0123456X", "address": "南京市光华路1号"},
        "owner": {"name": f"昆山市人民路农贸市场{i % 50}", "uscc": "91320583000000070X", "address": "昆山市人民路1号"},
        "work_order": f"WO20261129-{i:06X}", "location": "on_site",
        "instrument": {"id": i, "category": "电子计价秤", "category_en": "Price scale", "manufacturer": "凯丰衡器", "model": "ACS-15",
                       "serial_number": f"{10_000_000 + i:09d}", "accuracy_class": "III", "range": "0–15 kg"},
        "regulation": {"id": "JJG539-2016", "number": "JJG 539", "edition": "2016",
                       "title": {"zh": "数字指示秤", "en": "Digital indicating scales"}},
        "method": None, "stage": "subsequent",
        "decision_rule": {"code": "simple", "text": decision.rule.name}, "outcome": str(decision.outcome),
        "conditions": {"temperature": "20.5", "humidity": "55"},
        "measured_on": "2026-11-28", "issued_on": "2026-11-29", "valid_until": "2027-11-27",
        "points": [{"label": d.label, "quantities": {"m": {"value": str(d.measurement.point.quantities["m"].value),
                                                            "unit": KG}},
                    "attributes": {}, "reference_value": str(d.measurement.point.quantities["m"].value),
                    "indication": str(d.measurement.point.quantities["m"].value + d.measurement.error.value),
                    "unit": KG, "unit_text": "kg", "error": str(d.measurement.error.value), "error_unit": KG,
                    "error_unit_text": "kg", "U": "0.0005", "k": "2", "mpe_text": d.mpe.describe(),
                    "outcome": str(d.outcome),
                    "risk": {"kind": str(d.decision.risk_kind), "value": d.decision.specific_risk}}
                   for d in decision.points],
        "standards": [{"name": "E2级砝码标准装置", "certificate_no": "[2024]苏量标证字001号", "valid_until": "2028-01-01",
                       "uncertainty": "U = 0.5 mg, k = 2",
                       "calibration": {"certificate_no": "NIM-2025-0001", "laboratory": "中国计量科学研究院",
                                       "valid_until": "2027-06-30", "traceability": "国家千克基准"}}],
        "signatures": {"technician": {"name": "张检定", "certificate": "JL2020001"},
                       "checker": {"name": "李核验", "certificate": "JL2021002"},
                       "approver": {"name": "王批准", "certificate": "JL2019003"}},
        "notes": [], "verify_path": f"/verify/{number}", "key_id": KEY_ID, "supersedes": None,
    }
    return content, []


def ours(i: int) -> bytes:
    content, _ = content_for(i)
    signing.sign(PRIVATE, content)
    url = BASE + content["verify_path"]
    return render_pdf(content, verify_url=url, matrix=qr_matrix(url))


def run(fn, items) -> tuple[float, list]:
    t0 = time.perf_counter()
    out = [fn(x) for x in items]
    return time.perf_counter() - t0, out


def service_figure() -> tuple[float, int] | None:
    """issue_certificate through the services on SQLite (DB, audit, PDF, signature), N_DB work orders."""
    tmp = tempfile.mkdtemp(prefix="jiliang-bench-")
    os.environ["JILIANG_SQLITE_PATH"] = str(Path(tmp) / "bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiliang.settings")
    os.environ.pop("DATABASE_URL", None)
    import datetime as dt

    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from jiliang.core import services as core
    from jiliang.core.audit import audit_context
    from jiliang.core.models import User
    from jiliang.registry import models as rm
    from jiliang.registry.identity import make_uscc
    from jiliang.verification import services

    admin = User.objects.create(username="bench", is_superuser=True, is_staff=True)
    today = timezone.localdate()
    with audit_context(actor=admin, channel="command"):
        inst = core.create_record(rm.Organisation, {"name": "江苏省计量科学研究院", "uscc": make_uscc("12320000MB0123456"),
                                                    "kind": "institute", "region_id": "320000"}, actor=admin)
        owner = core.create_record(rm.Organisation, {"name": "昆山农贸市场", "uscc": make_uscc("91320583000000070"),
                                                     "kind": "market", "region_id": "320583"}, actor=admin)
        std = core.create_record(rm.MeasurementStandard, {
            "institute": inst, "name": "E2级砝码标准装置", "domain": "mechanics", "parameter": "质量",
            "uncertainty": Decimal("0.5"), "uncertainty_unit": "mg", "coverage_factor": Decimal(2),
            "level": "social_public", "certificate_no": "[2024]001", "valid_from": today - dt.timedelta(days=300),
            "valid_until": today + dt.timedelta(days=900)}, actor=admin)
        services.record_standard_calibration(std, actor=admin, certificate_no="NIM-1", laboratory="NIM",
                                             calibrated_on=today - dt.timedelta(days=10),
                                             valid_until=today + dt.timedelta(days=300))
        people = [core.create_record(rm.Person, {
            "name": n, "organisation": inst, "metrologist_certificate": f"JL{i}", "metrologist_level": "1",
            "qualified_items": "JJG 539", "certificate_valid_from": today - dt.timedelta(days=900),
            "certificate_valid_until": today + dt.timedelta(days=900)}, actor=admin)
            for i, n in enumerate(["张", "李", "王"])]
        # each signature from the signer's own account
        signers = []
        for i, p in enumerate(people):
            u = User.objects.create(username=f"bench-{i}", role="institute", organisation=inst, region_id="320000")
            rm.Person.objects.filter(pk=p.pk).update(user=u)
            signers.append(u)
        scale = rm.InstrumentCategory.objects.get(code="nawi-price-scale")
        orders = []
        for i in range(N_DB):
            instrument = core.create_record(rm.Instrument, {
                "owner": owner, "category": scale, "manufacturer": "凯丰衡器", "model": "ACS-15",
                "serial_number": f"B{i:06d}", "accuracy_class": "III", "range_min": Decimal(0),
                "range_max": Decimal(15), "range_unit": "kg", "usage": "trade", "region_id": "320583",
                "status": "in_service"}, actor=admin)
            wo = services.request_work(actor=admin, owner=owner, institute=inst, kind="verification",
                                       items=[{"instrument": instrument, "regulation": "JJG539-2016"}])
            services.accept(wo, actor=admin)
            services.schedule(wo, actor=admin, date=today, technician=people[0])
            pts = [{"label": label, "reference_value": load, "indication": load, "unit": KG, "U": "0.0005"}
                   for label, load in POINTS]
            services.record_results(wo.items.get(), actor=signers[0], measured_on=today, standards=[std], points=pts)
            services.check(wo, actor=signers[1])
            services.approve(wo, actor=signers[2])
            orders.append(wo)
        t0 = time.perf_counter()
        for wo in orders:
            services.issue_certificate(wo, actor=admin)
        return time.perf_counter() - t0, N_DB


def main() -> None:
    console = Console()
    ours(0)  # warm up: fonts, rules file, key
    # Interleaved blocks of 50, so that load from elsewhere on the machine falls on both sides alike.
    t_ours = t_base = 0.0
    pdfs: list[bytes] = []
    for start in range(0, N, 50):
        block = list(range(start, min(N, start + 50)))
        t, out = run(ours, block)
        t_ours += t
        pdfs += out
        prepared = []
        for i in block:
            content, _ = content_for(i)
            signing.sign(PRIVATE, content)
            url = BASE + content["verify_path"]
            prepared.append((content, url, qr_matrix(url)))
        t, _ = run(lambda p: render_pdf(p[0], verify_url=p[1], matrix=p[2]), prepared)
        t_base += t
    sizes = [len(p) for p in pdfs]
    table = Table(title=f"Issuing {N:,} certificates (decision, content, Ed25519, QR, PDF) vs reportlab alone")
    for col in ("", "seconds", "certificates/s", "ratio to reportlab"):
        table.add_column(col, justify="right")
    table.add_row("jiliang pipeline", f"{t_ours:.2f}", f"{N / t_ours:,.0f}", f"{t_base / t_ours:.2f}")
    table.add_row("reportlab drawing the same pages", f"{t_base:.2f}", f"{N / t_base:,.0f}", "1.00")
    console.print(table)
    console.print(f"PDF size: median {statistics.median(sizes) / 1024:.1f} KiB; aim: ratio ≥ 0.5")
    if N_DB:
        t_db, n = service_figure()
        console.print(f"services.issue_certificate on SQLite (locks, number, content from the ORM, signature, PDF, "
                      f"audit, notification): {n} work orders in {t_db:.2f} s = {n / t_db:,.1f} certificates/s")


if __name__ == "__main__":
    main()
