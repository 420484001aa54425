"""`jiliang scheduler`, `jiliang worker` and `jiliang run-all` as real processes on a database of their own
(a migrated SQLite file): two schedulers enqueue each slot once, the worker runs the queue and stops cleanly
on SIGTERM, run-all serves HTTP, stops everything on Ctrl-C and stops the rest when one process dies."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request

import pytest

pytestmark = pytest.mark.xdist_group("processes")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    var = tmp_path_factory.mktemp("var")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "JILIANG_DEMO_LIVE")}
    env.update(JILIANG_VAR_DIR=str(var), PYTHONUNBUFFERED="1")
    subprocess.run([sys.executable, "-m", "jiliang.cli", "migrate", "-v0"], env=env, check=True, timeout=300)
    return env, var / "jiliang.sqlite3"


def jiliang(env, *args, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "jiliang.cli", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, **kwargs)


def rows(db, sql):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def wait_for(check, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.3)
    return False


def test_two_schedulers_enqueue_each_slot_once_and_the_worker_runs_them_and_stops_on_sigterm(site):
    env, db = site
    first, second = jiliang(env, "scheduler", "--once"), jiliang(env, "scheduler", "--once")
    outs = [p.communicate(timeout=120)[0] for p in (first, second)]
    assert first.returncode == second.returncode == 0, outs
    slots = rows(db, "select schedule from core_scheduleslot")
    # ten schedules are on without deferred rollups and the live demo
    assert sorted(s for (s,) in slots) == ["audit-anchor", "job-results-cleanup", "kpi-monthly-snapshots",
                                           "livelihood-area-estimates", "supervision-daily", "telemetry-checks",
                                           "telemetry-partitions", "telemetry-snapshot",
                                           "traceability-coverage-recount", "traceability-warnings"]
    assert rows(db, "select count(*) from django_tasks_database_dbtaskresult") == [(10,)]
    assert sum(o.count("enqueued") for o in outs) == 10
    worker = jiliang(env, "worker", "--interval", "0.2")
    try:
        assert wait_for(lambda: rows(db, "select count(*) from django_tasks_database_dbtaskresult where status = "
                                         "'SUCCESSFUL'") == [(10,)]), rows(db, "select status, exception_class_path "
                                                                              "from django_tasks_database_dbtaskresult")
    finally:
        worker.send_signal(signal.SIGTERM)
        out = worker.communicate(timeout=30)[0]
    assert worker.returncode == 0, out
    assert "jiliang.core.tasks.audit_anchor state=SUCCESSFUL" in out and "shutting down" in out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serving(url) -> bool:
    try:
        return urllib.request.urlopen(url, timeout=2).status == 200
    except OSError:
        return False


def children(pid: int) -> dict[str, int]:
    out = subprocess.run(["ps", "-o", "pid=,args=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    found = {}
    for line in out.splitlines():
        child, args = line.strip().split(" ", 1)
        for name in ("runserver", "worker", "scheduler"):
            if f"jiliang.cli {name}" in args:
                found[name] = int(child)
    return found


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # a zombie until its parent reaps it counts as stopped
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split()[2] == "Z"


def catches_sigterm(pid: int) -> bool:
    """Whether ``pid`` has installed its own SIGTERM handler (the scheduler does so once it has started)."""
    with open(f"/proc/{pid}/status") as f:
        caught = next(line for line in f if line.startswith("SigCgt:")).split()[1]
    return bool(int(caught, 16) & (1 << (signal.SIGTERM - 1)))


def test_run_all_serves_and_one_ctrl_c_stops_web_worker_and_scheduler(site):
    env, _ = site
    port = free_port()
    runner = jiliang(env, "run-all", f"127.0.0.1:{port}")
    try:
        assert wait_for(lambda: serving(f"http://127.0.0.1:{port}/login/"), timeout=90)
        procs = children(runner.pid)
        assert set(procs) == {"runserver", "worker", "scheduler"}
        # on a loaded machine the web may serve before the scheduler is up; Ctrl-C it once it runs
        assert wait_for(lambda: catches_sigterm(procs["scheduler"]), timeout=90)
    finally:
        runner.send_signal(signal.SIGINT)
        out = runner.communicate(timeout=60)[0]
    assert runner.returncode == 0, out
    assert "stopping web, worker and scheduler" in out and "scheduler stopped" in out
    assert all(gone(pid) for pid in procs.values())
    assert not serving(f"http://127.0.0.1:{port}/login/")


def test_run_all_reports_a_child_that_dies_and_stops_the_others(site):
    env, _ = site
    port = free_port()
    runner = jiliang(env, "run-all", f"127.0.0.1:{port}")
    try:
        assert wait_for(lambda: serving(f"http://127.0.0.1:{port}/login/"), timeout=90)
        procs = children(runner.pid)
        os.kill(procs["worker"], signal.SIGKILL)
        out = runner.communicate(timeout=60)[0]
    finally:
        if runner.poll() is None:
            runner.kill()
    assert runner.returncode == 1
    assert "worker exited with code -9; stopping the others" in out
    assert gone(procs["runserver"]) and gone(procs["scheduler"])
