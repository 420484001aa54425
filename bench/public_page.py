"""The public status page of an instrument, ``/i/<code>``, under load (issue 14, figures): requests per second and
p99 latency at 50 concurrent clients, against a minimal Django view served the same way; the ratio (aim ≥ 0.5).

* Server: gunicorn, 4 sync workers (``BENCH_WORKERS``), on 127.0.0.1 only, serving the project with the settings
  ``bench/public_page_settings.py``: the project's, plus the bench-only URL ``/bench/minimal/`` (a view answering
  "ok" through the same middleware; ``bench/public_page_urls.py``, not in the production URL map), and the public
  page's **rate limits off** (``JILIANG_RATE_PUBLIC_PAGE``, ``..._NOT_FOUND``, ``JILIANG_RATE_COMPLAINT`` empty):
  every request comes from one address. The server's page cache (``JILIANG_PUBLIC_PAGE_CACHE_S``) is at its
  default, 60 s; a second server started with 0 (running beside, idle while the first is measured) measures the
  page rendered on every request, printed beside.
* Data: a throw-away **SQLite** database (WAL, the embedded default) with the demo province (``jiliang demo --scale
  BENCH_SCALE``, default 300): its instruments, verification events and states. Every page request asks for a
  random existing instrument code (a seeded draw per client).
* Load: the same generator for both URLs: ``BENCH_PROCESSES`` (2) processes × threads = ``BENCH_CLIENTS`` (50)
  clients, each sending one request after the other for ``BENCH_PHASE_S`` (15) seconds per URL, in
  ``BENCH_ROUNDS`` (3) interleaved rounds (page, minimal view, page without cache, again), over http.client
  (gunicorn's sync workers close the connection after each answer, so each request opens a new one, for both
  URLs alike). Warm-up: ``BENCH_WARM_S`` (20) s of page requests on the cached server, so that its workers hold
  most codes (each worker its own cache, entries kept 60 s, so some are rendered again during the run), 2 s on the
  other. The cached figure is what a visitor gets when the codes were asked for within the last minute; the
  uncached one the page's own cost. The generator shares the machine's CPUs with the server, equally in
  both phases. No external host is contacted.

    .venv/bin/python bench/public_page.py
"""

import http.client
import multiprocessing as mp
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKERS = int(os.environ.get("BENCH_WORKERS", 4))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", 50))
PROCESSES = int(os.environ.get("BENCH_PROCESSES", 2))
PHASE_S = float(os.environ.get("BENCH_PHASE_S", 15))
SCALE = os.environ.get("BENCH_SCALE", "300")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 3))
WARM_S = float(os.environ.get("BENCH_WARM_S", 20))
MINIMAL = "/bench/minimal/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))] if values else float("nan")


def _clients(port: int, paths: list[str], seconds: float, threads: int, seed: int, out) -> None:
    """One generator process: ``threads`` clients, each a loop of GETs of a random path of ``paths``."""
    stop = time.perf_counter() + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client(n: int) -> None:
        rnd = random.Random(seed * 1000 + n)
        mine, bad = [], 0
        while time.perf_counter() < stop:
            target = rnd.choice(paths)
            t0 = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                conn.request("GET", target)
                r = conn.getresponse()
                r.read()
                if r.status != 200:
                    raise RuntimeError(r.status)
            except Exception:
                bad += 1
                continue
            finally:
                conn.close()
            mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    pool = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    out.put((latencies, errors[0]))


def load(port: int, paths: list[str], seconds: float) -> dict:
    out = mp.Queue()
    shares = [CLIENTS // PROCESSES + (i < CLIENTS % PROCESSES) for i in range(PROCESSES)]
    procs = [mp.Process(target=_clients, args=(port, paths, seconds, n, i + 1, out)) for i, n in enumerate(shares)]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    return {"latencies": [x for lat, _ in results for x in lat], "seconds": time.perf_counter() - t0,
            "errors": sum(e for _, e in results)}


def start_server(env: dict, cache_s: str) -> tuple[subprocess.Popen, int]:
    """gunicorn with ``JILIANG_PUBLIC_PAGE_CACHE_S=cache_s`` on a free loopback port, once it answers."""
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen([str(gunicorn), "jiliang.wsgi:application", "--bind", f"127.0.0.1:{port}",
                               "--workers", str(WORKERS), "--worker-class", "sync", "--backlog", "2048",
                               "--log-level", "warning"], env={**env, "JILIANG_PUBLIC_PAGE_CACHE_S": cache_s},
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(150):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", MINIMAL)
            if conn.getresponse().status == 200:
                break
        except OSError:
            time.sleep(0.2)
    return server, port


def merged(parts: list[dict]) -> dict:
    latencies = [x for p in parts for x in p["latencies"]]
    seconds = sum(p["seconds"] for p in parts)
    return {"n": len(latencies), "rps": len(latencies) / seconds, "p50": percentile(latencies, 50) * 1000,
            "p99": percentile(latencies, 99) * 1000, "errors": sum(p["errors"] for p in parts)}


def main() -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    tmp = tempfile.mkdtemp(prefix="jiliang-bench-")
    env = {**os.environ, "JILIANG_SQLITE_PATH": str(Path(tmp) / "bench.sqlite3"),
           "DJANGO_SETTINGS_MODULE": "public_page_settings",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), str(ROOT / "src")])}
    env.pop("DATABASE_URL", None)
    jiliang = [sys.executable, "-m", "jiliang.cli"]
    subprocess.run([*jiliang, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*jiliang, "demo", "--scale", SCALE], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    codes = subprocess.run([sys.executable, "-c", (
        "import django;django.setup();from jiliang.registry.models import Instrument;"
        "print('\\n'.join(Instrument.objects.values_list('instrument_code', flat=True)))")],
        env=env, check=True, capture_output=True, text=True, cwd=ROOT).stdout.split()
    pages = [f"/i/{c}" for c in codes]
    cached, cached_port = start_server(env, "60")
    plain, plain_port = start_server(env, "0")
    runs = {"page": [], "uncached": [], "minimal": []}
    try:
        load(cached_port, pages, WARM_S)  # each worker renders the codes it is asked for and keeps them 60 s
        load(plain_port, pages, 2)
        load(cached_port, [MINIMAL], 1)
        for _ in range(ROUNDS):  # interleaved, so that the machine's other load weighs on each alike
            runs["page"].append(load(cached_port, pages, PHASE_S / ROUNDS))
            runs["minimal"].append(load(cached_port, [MINIMAL], PHASE_S / ROUNDS))
            runs["uncached"].append(load(plain_port, pages, PHASE_S / ROUNDS))
    finally:
        for server in (cached, plain):
            server.terminate()
            server.wait(timeout=15)
    page, uncached, minimal = merged(runs["page"]), merged(runs["uncached"]), merged(runs["minimal"])
    shutil.rmtree(tmp, ignore_errors=True)
    table = Table(title=f"{CLIENTS} concurrent clients, {PHASE_S:.0f} s each; gunicorn, {WORKERS} sync workers, "
                        f"127.0.0.1, SQLite demo database ({len(codes):,} instruments), {os.cpu_count()} CPUs")
    for col in ("URL", "requests", "req/s", "p50 ms", "p99 ms", "errors"):
        table.add_column(col, justify="right")
    for name, r in (("/i/<random code>, server cache warm", page), ("/i/<random code>, rendered each time", uncached),
                    (MINIMAL, minimal)):
        table.add_row(name, f"{r['n']:,}", f"{r['rps']:,.0f}", f"{r['p50']:.1f}", f"{r['p99']:.1f}", str(r["errors"]))
    console.print(table)
    console.print(f"load average of the machine when done: {os.getloadavg()[0]:.1f} (other processes share the CPUs)")
    console.print(f"ratio of the public status page to the minimal view: {page['rps'] / minimal['rps']:.2f} (req/s, "
                  f"aim ≥ 0.5); p99 {page['p99']:.1f} ms vs {minimal['p99']:.1f} ms")
    console.print(f"without the server's page cache (JILIANG_PUBLIC_PAGE_CACHE_S=0): "
                  f"{uncached['rps'] / minimal['rps']:.2f}; p99 {uncached['p99']:.1f} ms")


if __name__ == "__main__":
    main()
