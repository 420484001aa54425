"""`jiliang run-all [ADDR:PORT]`: the web server, a task worker and the scheduler together (what `make run` runs).

A small Procfile-style runner: each process's output is prefixed with its name; Ctrl-C (or SIGTERM) stops
all three; if one of them dies, that is reported with its exit code and the others are stopped.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

from django.core.management.base import BaseCommand

STOP_GRACE_S = 10


class Command(BaseCommand):
    help = "Run the web server, a worker and the scheduler together; Ctrl-C stops all."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport, **options):
        jiliang = [sys.executable, "-m", "jiliang.cli"]
        procs = {
            "web": [*jiliang, "runserver", addrport, "--noreload"],
            "worker": [*jiliang, "worker"],
            "scheduler": [*jiliang, "scheduler"],
        }
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        children: dict[str, subprocess.Popen] = {}
        lock = threading.Lock()

        def pipe(name, stream):
            for line in iter(stream.readline, ""):
                with lock:
                    self.stdout.write(f"{name:>9} | {line.rstrip()}")
            stream.close()

        stopping = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stopping.set())
        for name, cmd in procs.items():
            # Own session: the terminal's Ctrl-C reaches the runner only, which then stops each child in turn.
            p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                                 start_new_session=True)
            children[name] = p
            threading.Thread(target=pipe, args=(name, p.stdout), daemon=True).start()
        self.stdout.write(f"run-all: web on http://{addrport}/, worker and scheduler started (Ctrl-C stops all)")
        failed = None
        while not stopping.is_set():
            for name, p in children.items():
                if p.poll() is not None:
                    failed = (name, p.returncode)
                    break
            if failed:
                break
            time.sleep(0.2)
        if failed:
            self.stderr.write(f"run-all: {failed[0]} exited with code {failed[1]}; stopping the others")
        else:
            self.stdout.write("run-all: stopping web, worker and scheduler")
        self._stop(children)
        if failed:
            sys.exit(1)

    def _stop(self, children: dict[str, subprocess.Popen]) -> None:
        for p in children.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        for name, p in children.items():
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"run-all: {name} did not stop in {STOP_GRACE_S} s; killed")
                p.kill()
                p.wait()
