"""Excel import of 100,000 instruments: rows per second, and the ratio to a bare bulk_create of the
same rows (issue 2, aim ≥ 0.3). Both run in the same process against the same database.

    .venv/bin/python bench/registry_import.py [--rows 100000]

The workbook is read with python-calamine after the zip-bomb checks of core/tabular.py (issue 12
item 5). Measured back to back on PostgreSQL on a shared 2-core machine (load average ~18), the
hand-written lxml reader before and calamine after: read 17.3 s -> 7.8 s, ratio 0.24 -> 0.34.

Profiled with pyinstrument (20,000 rows): the authority-field scan of every new row (a fifth of the check,
though nothing is locked for instruments), AuditEntry instances and bulk_create on SQLite, and the audit
key derived again for each entry were removed. 100,000 rows on a quieter machine (load 1-2), before -> after:
PostgreSQL 0.25 -> 0.32, 0.26, 0.29; SQLite 0.27 -> 0.38, 0.30, 0.42. Earlier, under load 5-15, before:
PostgreSQL 0.29 0.40 0.18, SQLite 0.08 0.23 0.15; the wall-clock ratio moves by ±0.1 from run to run there.
"""

import argparse
import io
import time

from _setup import setup

parser = argparse.ArgumentParser()
parser.add_argument("--rows", type=int, default=100_000)
args = parser.parse_args()
setup(default_db="postgres://root@127.0.0.1:5432/jiliang_bench_import", fresh=True)

from decimal import Decimal  # noqa: E402

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import transaction  # noqa: E402
from openpyxl import Workbook  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table as RichTable  # noqa: E402

from jiliang.core.audit import audit_context  # noqa: E402
from jiliang.core.models import Region  # noqa: E402
from jiliang.core.tabular import read_table  # noqa: E402
from jiliang.registry import models as m  # noqa: E402
from jiliang.registry.identity import make_uscc  # noqa: E402
from jiliang.registry.importing import InstrumentImporter  # noqa: E402

console = Console()
User = get_user_model()
user = User.objects.create(username="bench-province", role="provincial_bureau", region_id="320000")
counties = list(Region.objects.filter(is_current=True, level__in=["district", "county", "county-level-city"]))
owners = m.Organisation.objects.bulk_create([
    m.Organisation(name=f"企业{i}", uscc=make_uscc(f"91{c.code}{i:08d}X"[:17]), kind="enterprise", region=c)
    for i, c in enumerate(counties * 5)])
category = m.InstrumentCategory.objects.get(code="nawi-price-scale")

console.print(f"building a workbook of {args.rows:,} rows …")
wb = Workbook(write_only=True)
ws = wb.create_sheet("instruments")
ws.append([c.header() for c in InstrumentImporter.columns])
rows = []
for i in range(args.rows):
    owner = owners[i % len(owners)]
    rows.append((owner, f"SN{i:09d}"))
    ws.append([owner.uscc, "nawi-price-scale", "上海友声衡器", "TCS-30", f"SN{i:09d}", "2020F123-32", "III", 0, 30, "kg",
               "trade", owner.region_id, "人民路1号", "2024-05-01", "in_service", None, None])
buf = io.BytesIO()
wb.save(buf)
data = buf.getvalue()
console.print(f"workbook: {len(data) / 1e6:.1f} MB")

# Baseline: bare bulk_create of the same rows, in one transaction, then rolled back.
objs = [m.Instrument(owner=o, category=category, manufacturer="上海友声衡器", model="TCS-30", serial_number=s,
                     pattern_approval_no="2020F123-32", accuracy_class="III", range_min=Decimal(0),
                     range_max=Decimal(30), range_unit="kg", usage="trade", region_id=o.region_id,
                     address="人民路1号", status="in_service", mandatory=True) for o, s in rows]
t0 = time.perf_counter()
with transaction.atomic():
    m.Instrument.objects.bulk_create(objs, batch_size=2000)
    baseline = time.perf_counter() - t0
    transaction.set_rollback(True)

t0 = time.perf_counter()
with audit_context(actor=user, channel="command"):
    importer = InstrumentImporter(user)
    table = read_table("bench.xlsx", data)
    t_read = time.perf_counter() - t0
    report = importer.plan(table)
    t_plan = time.perf_counter() - t0 - t_read
    result = importer.apply(report, valid_only=False)
elapsed = time.perf_counter() - t0
assert result["created"] == args.rows, result

t = RichTable(title=f"Excel import of {args.rows:,} instruments ({m.Instrument.objects.db})")
t.add_column("what")
t.add_column("seconds", justify="right")
t.add_column("rows/s", justify="right")
t.add_row("bare bulk_create (baseline)", f"{baseline:.2f}", f"{args.rows / baseline:,.0f}")
t.add_row("import: read workbook", f"{t_read:.2f}", "")
t.add_row("import: check rows", f"{t_plan:.2f}", "")
t.add_row("import: write + audit", f"{elapsed - t_read - t_plan:.2f}", "")
t.add_row("import end to end", f"{elapsed:.2f}", f"{args.rows / elapsed:,.0f}")
console.print(t)
console.print(f"ratio import ÷ bulk_create (rows/s) = [bold]{baseline / elapsed:.2f}[/bold]  (aim ≥ 0.3)")
