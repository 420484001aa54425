"""Benchmark: an evaluation report of the Jiangsu plan (kpi/reports.py) with all its charts (indicators against
targets, the 13 cities of each city-assessment indicator, the trends), as the provincial bureau asks for it: the
background job run in this process on the data of bench/kpi_live.py (run that first, same database).

Set-up (not timed): the month-end snapshots of the 11 months before the report's date (the trends).
Timed: the job of a report on a date without snapshots (it takes the 26 × 14 of that date first, then draws the
PDF and writes the workbook), then a second report of the same date (it reads the stored snapshots), and the
PDF alone from the gathered figures.

    BENCH_DATABASE_URL=postgres://root@127.0.0.1:5432/jl_kpireport_bench .venv/bin/python bench/kpi_report.py

Target (issue #17): a report PDF with all charts < 30 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("BENCH_DATABASE_URL", "postgres://root@127.0.0.1:5432/jl_kpireport_bench")
from _setup import setup  # noqa: E402

setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402

from jiliang.core.roles import Role  # noqa: E402
from jiliang.kpi import report_pdf, reports, services  # noqa: E402
from jiliang.kpi.models import EvaluationReport, Plan, Snapshot  # noqa: E402

DAY = dt.date(2026, 5, 31)


def month_ends(day: dt.date, n: int) -> list[dt.date]:
    out = []
    for _ in range(n):
        day = day.replace(day=1) - dt.timedelta(days=1)
        out.append(day)
    return sorted(out)


def run_report(user, plan, day: dt.date) -> tuple[float, EvaluationReport]:
    t0 = time.perf_counter()
    report = reports.start_report(user, plan, kind="other", on=day)  # queued in the task table
    reports.report_task.call(report.job_id)  # what `jiliang worker` runs, here in this process
    report.refresh_from_db()
    seconds = time.perf_counter() - t0
    if report.job.state != "done":
        raise SystemExit(f"the report's job failed: {report.job.error}")
    return seconds, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--on", default=str(DAY), help="the report's date (YYYY-MM-DD; default %(default)s)")
    day = dt.date.fromisoformat(parser.parse_args().on)
    settings.MEDIA_ROOT = Path(os.environ.get("BENCH_MEDIA_DIR", "/tmp/jl_kpireport_bench_media"))
    plan = Plan.objects.get(code="jiangsu-2014-2020")
    user, _ = get_user_model().objects.get_or_create(username="bench-province",
                                                     defaults={"role": Role.PROVINCIAL_BUREAU, "region_id": "320000"})
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM registry_instrument")
        n_instruments = cur.fetchone()[0]
    t0 = time.perf_counter()
    trend_days = month_ends(day, 11)
    written = sum(services.take_snapshots(plan, d) for d in trend_days)
    print(f"set-up: {written} trend snapshots for {trend_days[0]} to {trend_days[-1]} in "
          f"{time.perf_counter() - t0:.1f} s", flush=True)
    fresh = Snapshot.objects.filter(on=day).exists()
    first, report = run_report(user, plan, day)
    second, _again = run_report(user, plan, day)
    figures = reports.gather(report)
    t0 = time.perf_counter()
    pdf = report_pdf.render(figures)
    pdf_s = time.perf_counter() - t0
    charts = 1 + len(figures.by_region) + min(len(figures.trends), report_pdf.TREND_CHARTS)
    print(f"\n{n_instruments:,} instruments; report as of {day}: {len(figures.lines)} indicators, "
          f"{len(figures.by_region)} by-city charts, {len(figures.trends)} trends ({charts} charts drawn)")
    print(f"report job{' (snapshots of the date already there)' if fresh else ' taking the date snapshots'}: "
          f"{first:.1f} s (target < 30 s: {'met' if first < 30 else 'MISSED'})")
    print(f"second report of the same date (reads the snapshots): {second:.1f} s")
    print(f"PDF alone: {pdf_s:.2f} s, {len(pdf):,} bytes; workbook {report.xlsx.size:,} bytes")


if __name__ == "__main__":
    main()
