"""Monte Carlo benchmark on the JCGM 101 9.3 mass calibration model.

Prints, measured in the same run:
* wall time of run_monte_carlo with M = 10⁶ (best of 5, after one warm-up run);
* the same for numpy alone generating the same random inputs (2 Gaussian and 3 rectangular
  arrays of 10⁶ with PCG64, scaled and shifted) — the floor any implementation pays — and the ratio;
* peak memory of a run with M = 10⁷, in a fresh process: tracemalloc's peak of traced
  allocations and the growth of the resident set (ru_maxrss).

Run: .venv/bin/python bench/uncertainty_montecarlo.py
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
import tracemalloc

import numpy as np

from jiliang.uncertainty import Model, Normal, Rectangular, run_monte_carlo

MODEL = "(m_rc + dm_rc) * (1 + (rho_a - 1.2) * (1/rho_w - 1/rho_r)) - 100000"
INPUTS = {
    "m_rc": Normal(100_000.0, 0.050),
    "dm_rc": Normal(1.234, 0.020),
    "rho_a": Rectangular(1.10, 1.30),
    "rho_w": Rectangular(7_000.0, 9_000.0),
    "rho_r": Rectangular(7_950.0, 8_050.0),
}


def best_of(fn, repeat: int = 5) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def numpy_inputs_only(m: int) -> None:
    rng = np.random.Generator(np.random.PCG64(1))
    a = rng.standard_normal(m)
    a *= 0.05
    a += 100_000.0
    b = rng.standard_normal(m)
    b *= 0.02
    b += 1.234
    for low, high in ((1.1, 1.3), (7000.0, 9000.0), (7950.0, 8050.0)):
        c = rng.random(m)
        c *= high - low
        c += low


def child_peak(m: int) -> None:
    model = Model.from_expression(MODEL)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    t = time.perf_counter()
    r = run_monte_carlo(model, INPUTS, trials=m, seed=1)
    wall = time.perf_counter() - t
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = r.output()
    print(json.dumps({"trials": m, "wall_s": wall, "tracemalloc_peak_mb": peak / 2**20,
                      "rss_growth_mb": (rss1 - rss0) / 1024, "rss_peak_mb": rss1 / 1024,
                      "u": out.u, "interval_shortest": out.interval_shortest}))


def main() -> None:
    m = 1_000_000
    model = Model.from_expression(MODEL)
    ours = best_of(lambda: run_monte_carlo(model, INPUTS, trials=m, seed=1))
    floor = best_of(lambda: numpy_inputs_only(m))
    big = subprocess.run([sys.executable, __file__, "--child-peak", "10000000"], capture_output=True, text=True,
                         check=True)
    peak = json.loads(big.stdout.strip().splitlines()[-1])
    rows = [
        ("run_monte_carlo, M = 10^6 (JCGM 101 9.3)", f"{ours * 1e3:.1f} ms"),
        ("numpy: the same inputs alone, M = 10^6", f"{floor * 1e3:.1f} ms"),
        ("ratio (aim <= 3)", f"{ours / floor:.2f}"),
        ("M = 10^7: wall time", f"{peak['wall_s']:.2f} s"),
        ("M = 10^7: tracemalloc peak", f"{peak['tracemalloc_peak_mb']:.0f} MiB"),
        ("M = 10^7: resident set growth / peak", f"{peak['rss_growth_mb']:.0f} / {peak['rss_peak_mb']:.0f} MiB"),
        ("M = 10^7: u(δm), shortest 95 % interval",
         f"{peak['u']:.5f} mg, [{peak['interval_shortest'][0]:.4f}, {peak['interval_shortest'][1]:.4f}] mg"),
    ]
    try:
        from rich.console import Console
        from rich.table import Table

        table = Table(title="Monte Carlo benchmark (same run)")
        table.add_column("measure")
        table.add_column("value", justify="right")
        for row in rows:
            table.add_row(*row)
        Console().print(table)
    except ImportError:
        for label, value in rows:
            print(f"{label:45s} {value}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child-peak":
        child_peak(int(sys.argv[2]))
    else:
        main()
