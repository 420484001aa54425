"""`jiliang demo` with its supervision step (issue 13 item 9): seconds of each demo step on a fresh database, and
the supervision step's time as a ratio to the rest of the demo (registry, verification, telemetry: the baseline,
measured in the same run). Keep `make run` fast: the ratio should stay small.

    .venv/bin/python bench/supervision_demo.py [--scale 3000] [--profile]

BENCH_DATABASE_URL picks the database (default: a fresh SQLite file in a temporary directory, as `make run` uses).

Measured on the shared 2-core machine (SQLite, scale 3000, 11,600 reported events): ratio 0.34 (load ~5) and 0.36
(load ~8), after the filings were written with executemany instead of bulk_update (the profile's largest part
before). `time jiliang demo` on a fresh SQLite without -> with the step: 8.3 s -> 11.6 s (quiet), 22.2 s -> 29.8 s
(load ~9).
"""

import argparse
import cProfile
import os
import pstats
import random
import tempfile
import time

parser = argparse.ArgumentParser()
parser.add_argument("--scale", type=int, default=3000)
parser.add_argument("--seed", type=int, default=2014)
parser.add_argument("--profile", action="store_true", help="print the supervision step's top functions")
args = parser.parse_args()
os.environ.setdefault("BENCH_DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3")

from _setup import setup  # noqa: E402

setup()

from django.db import transaction  # noqa: E402

from jiliang.core.audit import audit_context  # noqa: E402
from jiliang.core.extending import DemoStep, contributed  # noqa: E402

rng = random.Random(args.seed)
ctx: dict = {}
seconds = {}
with audit_context(channel="command", actor=None):
    for step in contributed(DemoStep):
        profiler = cProfile.Profile() if args.profile and step.name == "supervision" else None
        t0 = time.perf_counter()
        with transaction.atomic():
            if profiler:
                profiler.enable()
            step.run(ctx, rng, args.scale, lambda *a, **k: None)
            if profiler:
                profiler.disable()
        seconds[step.name] = time.perf_counter() - t0
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)

for name, s in seconds.items():
    print(f"{name:>14}: {s:6.2f} s")
rest = sum(s for name, s in seconds.items() if name != "supervision")
print(f"supervision step / rest of the demo: {seconds['supervision']:.2f} s / {rest:.2f} s = "
      f"{seconds['supervision'] / rest:.2f}")
