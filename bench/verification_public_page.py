"""Load on the public certificate check page ``/verify/<number>`` (status, signature check, template) against a
minimal Django view served by the same server process (issue 4): requests per second, p50/p99 latency, ratio.

A throw-away SQLite database gets the demo province (small scale) with its issued certificates; one server
process (Django's threaded WSGI server, ``runserver --noreload``, on 127.0.0.1 only) serves both URLs; a
bounded load generator (a thread pool of keep-alive HTTP/1.1 connections, a fixed time per phase, 2 × 12 s)
drives each URL in turn. No external host is contacted.

    .venv/bin/python bench/verification_public_page.py
"""

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
PHASE_S = float(os.environ.get("BENCH_PHASE_S", 12))
WORKERS = int(os.environ.get("BENCH_WORKERS", 8))


def serve(port: int) -> None:
    """Child process: the jiliang URLs plus /bench/minimal/, on 127.0.0.1:port."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiliang.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.http import HttpResponse
    from django.urls import path

    from jiliang import urls

    def minimal(request):
        return HttpResponse(b'{"ok":true}', content_type="application/json")

    urls.urlpatterns.insert(0, path("bench/minimal/", minimal))
    call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, use_threading=True, skip_checks=True,
                 verbosity=0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))] if values else float("nan")


def load(port: int, path: str, seconds: float, workers: int) -> dict:
    stop = time.perf_counter() + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine = []
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            try:
                conn.request("GET", path)
                r = conn.getresponse()
                r.read()
                if r.status != 200:
                    raise RuntimeError(r.status)
                if r.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            except Exception:
                with lock:
                    errors[0] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                continue
            mine.append(time.perf_counter() - t0)
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    return {"n": len(latencies), "rps": len(latencies) / elapsed, "p50": percentile(latencies, 50) * 1000,
            "p99": percentile(latencies, 99) * 1000, "errors": errors[0]}


def main() -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    tmp = tempfile.mkdtemp(prefix="jiliang-bench-")
    env = {**os.environ, "JILIANG_SQLITE_PATH": str(Path(tmp) / "bench.sqlite3"), "DJANGO_SETTINGS_MODULE":
           "jiliang.settings", "PYTHONPATH": str(ROOT / "src")}
    env.pop("DATABASE_URL", None)
    jiliang = [sys.executable, "-m", "jiliang.cli"]
    subprocess.run([*jiliang, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*jiliang, "demo", "--scale", "300"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    number = subprocess.run([sys.executable, "-c", (
        "import django;django.setup();from jiliang.verification.models import Certificate;"
        "print(Certificate.objects.filter(status='valid', kind='verification').order_by('pk').first().number)")],
        env=env, check=True, capture_output=True, text=True, cwd=ROOT).stdout.strip()
    port = free_port()
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(port)], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/bench/minimal/")
                break
            except OSError:
                time.sleep(0.2)
        page = f"/verify/{number}"
        for p in (page, "/bench/minimal/"):  # warm up
            load(port, p, 1, 2)
        results = {p: load(port, p, PHASE_S, WORKERS) for p in (page, "/bench/minimal/")}
    finally:
        server.terminate()
        server.wait(timeout=10)
    table = Table(title=f"{WORKERS} keep-alive connections, {PHASE_S:.0f} s each, one server process on 127.0.0.1")
    for col in ("URL", "requests", "req/s", "p50 ms", "p99 ms", "errors"):
        table.add_column(col, justify="right")
    for p, r in results.items():
        table.add_row(p, f"{r['n']:,}", f"{r['rps']:,.0f}", f"{r['p50']:.1f}", f"{r['p99']:.1f}", str(r["errors"]))
    console.print(table)
    a, b = results[page], results["/bench/minimal/"]
    console.print(f"ratio of the check page to the minimal view: {a['rps'] / b['rps']:.2f} (req/s); "
                  f"p99 {a['p99']:.1f} ms vs {b['p99']:.1f} ms")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        serve(int(sys.argv[2]))
    else:
        main()
