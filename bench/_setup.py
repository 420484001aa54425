"""Shared set-up for the benchmarks: a dedicated database, migrated, with Django configured.

BENCH_DATABASE_URL picks the database (default: PostgreSQL database `jiliang_bench` on 127.0.0.1,
created if missing). Every benchmark prints its figure next to a baseline measured in the same run.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def setup(default_db: str = "postgres://root@127.0.0.1:5432/jiliang_bench", fresh: bool = False):
    url = os.environ.get("BENCH_DATABASE_URL", default_db)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiliang.settings")
    if url.startswith("postgres"):
        name = url.rsplit("/", 1)[1]
        if fresh:
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "root", "--if-exists", name], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "root", name], capture_output=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]
