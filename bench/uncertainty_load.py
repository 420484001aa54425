"""Ten uncertainty evaluations at the caps against a page, under gunicorn with several workers (issue 11 item 7).

A throw-away SQLite database with one API user; gunicorn (sync workers, ``BENCH_WORKERS``, default 12) serves
jiliang on 127.0.0.1 only. Phase 1 measures the page (``/login/``: template, session, CSRF) alone, as the
baseline; phase 2 sends ten ``POST /api/uncertainty/evaluate`` requests at once, each at the caps of
``jiliang.uncertainty.limits`` (20 outputs over 100 inputs, outputs × M = 10⁷ values kept, the 30 s wall clock)
and keeps asking for the page every 0.2 s until all ten have answered. Printed: the page's latency alone and
under load (p50, p99, max, how many answers took over 1 s), each evaluator answer (status, seconds, the
limit that stopped it), and the largest resident memory of a worker. Everything stops by itself: the
evaluator requests end at the server's time limit, the bench after ``BENCH_MAX_S`` (default 180 s) at the latest.
No external host is contacted. The server runs with the project's defaults, so at most one evaluation per CPU
less one runs at a time (JILIANG_UNCERTAINTY_MAX_CONCURRENT) and the others are refused (503) after
JILIANG_UNCERTAINTY_SLOT_WAIT_S; set JILIANG_UNCERTAINTY_MAX_CONCURRENT=10 in the environment to see all ten run
at once.

    .venv/bin/python bench/uncertainty_load.py
"""

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKERS = int(os.environ.get("BENCH_WORKERS", 12))
EVALUATORS = int(os.environ.get("BENCH_EVALUATORS", 10))
BASELINE_S = float(os.environ.get("BENCH_BASELINE_S", 10))
MAX_S = float(os.environ.get("BENCH_MAX_S", 180))
PAGE = "/login/"
PROBE_EVERY_S = 0.2


def capped_request() -> dict:
    """A request at the default caps: 20 outputs (max_outputs) over 100 inputs (max_inputs), each output a sum of
    50 products (< 1000 parts, < 5000 characters), M = 5 × 10⁵ so that outputs × M = 10⁷ (max_sample_values)."""
    names = [f"x{i}" for i in range(100)]
    inputs = {n: {"value": 1.0 + i / 100, "u": 0.01} for i, n in enumerate(names)}
    model = {f"y{k}": " + ".join(f"{names[(k + 2 * j) % 100]}*{names[(k + 2 * j + 1) % 100]}" for j in range(50))
             for k in range(20)}
    return {"model": model, "inputs": inputs, "monte_carlo": {"trials": 500_000, "seed": 1}}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))] if values else float("nan")


def get_page(port: int) -> float:
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", PAGE)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{PAGE} answered {response.status}")
    finally:
        conn.close()
    return time.perf_counter() - t0


def evaluate(port: int, token: str, body: bytes, out: list, lock: threading.Lock) -> None:
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=MAX_S)
    try:
        conn.request("POST", "/api/uncertainty/evaluate", body,
                     {"Content-Type": "application/json", "Authorization": f"Token {token}"})
        response = conn.getresponse()
        data = response.read()
        status = response.status
    except OSError as exc:
        status, data = 0, str(exc).encode()
    finally:
        conn.close()
    try:
        detail = json.loads(data).get("detail", "") if status != 200 else "evaluated"
    except ValueError:
        detail = data[:120].decode(errors="replace")
    with lock:
        out.append((status, time.perf_counter() - t0, detail))
    print(f"  evaluator answered {status} after {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)


def worker_rss_mb(master_pid: int) -> float:
    """Largest VmHWM (peak resident memory) among the gunicorn master's children, in MB."""
    peak = 0.0
    for child in Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split():
        try:
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
        except OSError:
            continue
    return peak


def main() -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    tmp = tempfile.mkdtemp(prefix="jiliang-bench-")
    env = {**os.environ, "JILIANG_SQLITE_PATH": str(Path(tmp) / "bench.sqlite3"), "DJANGO_SETTINGS_MODULE":
           "jiliang.settings", "PYTHONPATH": str(ROOT / "src")}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "jiliang.cli", "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    token = subprocess.run([sys.executable, "-c", (
        "import django;django.setup();from django.contrib.auth import get_user_model;"
        "from rest_framework.authtoken.models import Token;"
        "u=get_user_model().objects.create_user('bench', password='bench-password-1');"
        "print(Token.objects.create(user=u).key)")], env=env, check=True, capture_output=True, text=True,
        cwd=ROOT).stdout.strip()
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen([str(gunicorn), "jiliang.wsgi:application", "--bind", f"127.0.0.1:{port}",
                               "--workers", str(WORKERS), "--timeout", "120", "--log-level", "warning"],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + MAX_S
    try:
        for _ in range(150):
            try:
                get_page(port)
                break
            except (OSError, RuntimeError):
                time.sleep(0.2)
        for _ in range(2 * WORKERS):  # every worker has served the page once
            get_page(port)
        baseline = []
        stop = time.monotonic() + BASELINE_S
        while time.monotonic() < stop:
            baseline.append(get_page(port))
            time.sleep(PROBE_EVERY_S)

        body = json.dumps(capped_request()).encode()
        answers: list = []
        lock = threading.Lock()
        threads = [threading.Thread(target=evaluate, args=(port, token, body, answers, lock), daemon=True)
                   for _ in range(EVALUATORS)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        time.sleep(1.0)  # the ten are running
        loaded, slow = [], []
        while any(t.is_alive() for t in threads) and time.monotonic() < deadline:
            loaded.append(get_page(port))
            if loaded[-1] > 0.5:
                slow.append((time.perf_counter() - t0, loaded[-1]))
            time.sleep(PROBE_EVERY_S)
        load_s = time.perf_counter() - t0
        peak = worker_rss_mb(server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)

    table = Table(title=f"GET {PAGE} under gunicorn, {WORKERS} sync workers, 127.0.0.1 ({os.cpu_count()} CPUs)")
    for col in ("phase", "answers", "p50 ms", "p99 ms", "max ms", "> 1 s"):
        table.add_column(col, justify="right")
    for name, values in (("alone (baseline)", baseline), (f"while {EVALUATORS} evaluations at the caps run", loaded)):
        table.add_row(name, str(len(values)), f"{percentile(values, 50) * 1000:.0f}",
                      f"{percentile(values, 99) * 1000:.0f}", f"{max(values) * 1000:.0f}",
                      str(sum(v > 1.0 for v in values)))
    console.print(table)
    evals = Table(title=f"{EVALUATORS} × POST /api/uncertainty/evaluate ({len(body):,} bytes each), "
                        f"all answered within {load_s:.1f} s")
    for col in ("status", "seconds", "answer"):
        evals.add_column(col)
    for status, seconds, detail in sorted(answers):
        evals.add_row(str(status), f"{seconds:.1f}", detail[:110])
    console.print(evals)
    if slow:
        console.print("page answers over 0.5 s (seconds after the evaluations started: latency): "
                      + ", ".join(f"{at:.1f}: {s * 1000:.0f} ms" for at, s in slow))
    ratio = percentile(loaded, 99) / percentile(baseline, 99)
    console.print(f"page p99 under load / alone: {ratio:.1f}; slowest page answer under load "
                  f"{max(loaded) * 1000:.0f} ms; peak resident memory of a worker {peak:.0f} MB")


if __name__ == "__main__":
    main()
