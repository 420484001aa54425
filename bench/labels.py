"""Label sheets (issue 14): labels/s of the label job against reportlab drawing the same QR codes alone (aim ratio
≥ 0.5), and the job's memory at 1,000 and at 10,000 labels (aim: the same).

Ours: the whole job as a user starts it (``registry.labels.start_labels`` with the list's filter ``owner_id``, run
inline): the restricted query in chunks, owner and category joined, and per label segno's QR code, the code, name,
serial and owner fitted in the CJK font, written sheet by sheet (registry.label_pdf). Baseline, in the same run on
the same URLs: a plain reportlab canvas drawing only the QR codes (segno → the same ``draw_qr`` calls at the same
places), one page per sheet, saved to a file; no text, no database. Memory: each size runs in its own process,
which reports its RSS before the job and its peak RSS during the job (VmHWM, reset before the job).

    .venv/bin/python bench/labels.py            # PostgreSQL jiliang_bench_labels (BENCH_DATABASE_URL to change)
    BENCH_N=2000 .venv/bin/python bench/labels.py
"""

import gc
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _setup

N = int(os.environ.get("BENCH_N", 1000))  # labels for the speed ratio
MEMORY_SIZES = (1_000, 10_000)
LAYOUT = "L7160"
OWNERS = {"speed": (f"91320583T{N:08d}", N), 1_000: ("91320583LB0000002", 1_000),
          10_000: ("91320583LB0000003", 10_000)}


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as f:
        line = next(line for line in f if line.startswith(field + ":"))
    return int(line.split()[1]) / 1024  # kB


def reset_peak_rss() -> float:
    """Reset the process's peak RSS (Linux ≥ 4.0: writing 5 to /proc/self/clear_refs resets VmHWM) and return the
    RSS now, so that the peak read afterwards is the job's own, not that of Django's start-up."""
    gc.collect()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    return _status_mb("VmRSS")


def peak_rss_mb() -> float:
    return _status_mb("VmHWM")


def prepare():
    """Django on the bench database, jobs inline, and the owners with their instruments (made once)."""
    _setup.setup(default_db="postgres://root@127.0.0.1:5432/jiliang_bench_labels")
    from django.conf import settings

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.JILIANG_JOBS_DIR = Path(tempfile.mkdtemp(prefix="jiliang-bench-labels-"))
    from django.contrib.auth import get_user_model

    from jiliang.core import services
    from jiliang.core.audit import audit_context
    from jiliang.core.bulk import fast_insert
    from jiliang.core.roles import Role
    from jiliang.registry import models as m
    from jiliang.registry.identity import make_uscc

    users = get_user_model().objects
    admin = users.filter(username="bench-admin").first() or users.create(username="bench-admin", is_superuser=True)
    bureau = users.filter(username="bench-province").first() or users.create(
        username="bench-province", role=Role.PROVINCIAL_BUREAU, region_id="320000")
    scale = m.InstrumentCategory.objects.get(code="nawi-price-scale")
    owners = {}
    with audit_context(actor=admin, channel="command"):
        for key, (prefix, count) in OWNERS.items():
            uscc = make_uscc(prefix)
            owner = m.Organisation.objects.filter(uscc=uscc).first() or services.create_record(m.Organisation, {
                "name": f"昆山市人民路农贸市场经营管理有限公司（{prefix[-1]}号）", "uscc": uscc, "kind": "market",
                "region_id": "320583"}, actor=admin)
            have = m.Instrument.objects.filter(owner=owner).count()
            if have < count:
                fast_insert(m.Instrument, [m.Instrument(
                    owner=owner, category=scale, manufacturer="凯丰衡器", model="ACS-15",
                    serial_number=f"{prefix[-3:]}-{i:06d}", accuracy_class="III", usage="trade",
                    region_id="320583", status="in_service") for i in range(have, count)])
            owners[key] = owner
    return bureau, owners


def _django_only(default_db: str) -> None:
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", default_db)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiliang.settings")
    import django

    django.setup()


def run_job(user, owner):
    from jiliang.registry import labels

    job = labels.start_labels(user, layout=LAYOUT, query=f"owner_id={owner.pk}&sort=serial_number")
    job.refresh_from_db()
    assert job.state == "done", job.error
    return job


def memory_child(size: int) -> None:
    """In its own process: the job for ``size`` labels; prints the peak RSS before and after. The parent has
    migrated and made the data, so this process skips ``migrate`` (whose peak would hide the job's)."""
    import _setup

    _setup.setup = lambda default_db, fresh=False: _django_only(default_db)
    user, owners = prepare()
    before = reset_peak_rss()
    t0 = time.perf_counter()
    job = run_job(user, owners[size])
    seconds = time.perf_counter() - t0
    print(f"{size} {before:.1f} {peak_rss_mb():.1f} {seconds:.2f} {job.done}")


def baseline(urls, path: Path) -> None:
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    from jiliang.registry.label_layouts import LAYOUTS
    from jiliang.registry.label_pdf import INSET, LabelPainter, draw_qr, qr_matrix

    sheet = LAYOUTS[LAYOUT]
    painter = LabelPainter(sheet)  # for the same positions and QR size as the labels
    canvas = Canvas(str(path), pagesize=(sheet.page_width * mm, sheet.page_height * mm))
    for i, url in enumerate(urls):
        if i and i % sheet.per_sheet == 0:
            canvas.showPage()
        x, y = painter.origin(i)
        draw_qr(canvas, qr_matrix(url), x + INSET, y + (painter.height - painter.qr_side) / 2, painter.qr_side)
    canvas.showPage()
    canvas.save()


def main() -> None:
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    console = Console()
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("preparing the bench database", total=None)
        user, owners = prepare()
        from django.db import connection

        from jiliang.registry.models import Instrument

        owner = owners["speed"]
        urls = [i.public_url for i in Instrument.objects.filter(owner=owner).order_by("serial_number")]
        assert len(urls) == N
        tmp = Path(tempfile.mkdtemp(prefix="jiliang-bench-labels-"))
        run_job(user, owner)  # warm up: fonts, queries, code paths
        baseline(urls[:50], tmp / "warm.pdf")
        rounds = 2
        t_ours = t_base = 0.0
        progress.update(task, description=f"{N:,} labels, job and reportlab alone, alternating", total=2 * rounds)
        for _ in range(rounds):  # alternating, so load from elsewhere on the machine falls on both alike
            t0 = time.perf_counter()
            run_job(user, owner)
            t_ours += time.perf_counter() - t0
            progress.advance(task)
            t0 = time.perf_counter()
            baseline(urls, tmp / "baseline.pdf")
            t_base += time.perf_counter() - t0
            progress.advance(task)
        memory = {}
        for size in MEMORY_SIZES:
            progress.update(task, description=f"the job for {size:,} labels in its own process")
            out = subprocess.run([sys.executable, __file__, "--memory", str(size)], capture_output=True, text=True,
                                 check=True, env=os.environ.copy())
            fields = out.stdout.split()[-5:]
            memory[size] = tuple(float(v) for v in fields[1:4]) + (int(fields[4]),)
    ours, base = rounds * N / t_ours, rounds * N / t_base
    table = Table(title=f"Label sheets ({LAYOUT}, {N:,} labels, {connection.vendor}) vs reportlab drawing the same QR "
                        "codes alone")
    for col in ("", "seconds", "labels/s", "ratio to reportlab (aim ≥ 0.5)"):
        table.add_column(col, justify="right")
    table.add_row("label job (query, QR, text, bar-less L7160, file)", f"{t_ours / rounds:.2f}", f"{ours:,.0f}",
                  f"{ours / base:.2f}")
    table.add_row("reportlab alone: the same QR codes", f"{t_base / rounds:.2f}", f"{base:,.0f}", "1.00")
    console.print(table)
    mem = Table(title="Memory of the label job, each size in its own process (aim: no growth with the count)")
    for col in ("labels", "RSS before the job (MB)", "peak RSS during the job (MB)", "added by the job (MB)", "seconds",
                "labels/s"):
        mem.add_column(col, justify="right")
    for before, after, seconds, done in memory.values():
        mem.add_row(f"{done:,}", f"{before:.1f}", f"{after:.1f}", f"{after - before:.1f}", f"{seconds:.1f}",
                    f"{done / seconds:,.0f}")
    console.print(mem)
    small, large = memory[MEMORY_SIZES[0]], memory[MEMORY_SIZES[1]]
    console.print(f"labels/s ratio {ours / base:.2f}; memory added at {MEMORY_SIZES[1]:,} labels: "
                  f"{large[1] - large[0]:.1f} MB, at {MEMORY_SIZES[0]:,}: {small[1] - small[0]:.1f} MB")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--memory":
        memory_child(int(sys.argv[2]))
    else:
        main()
