"""Instrument list API with a region filter and a category filter over a million instruments:
p50 latency, and the ratio to the same query in raw SQL (issue 2, aim ≤ 3).

Needs a database holding the demo province at scale:
    DATABASE_URL=postgres://root@127.0.0.1:5432/jiliang_bench_list jiliang migrate
    DATABASE_URL=postgres://root@127.0.0.1:5432/jiliang_bench_list jiliang demo --scale 1000000
    BENCH_DATABASE_URL=postgres://root@127.0.0.1:5432/jiliang_bench_list .venv/bin/python bench/registry_list_api.py
"""

import statistics
import time

from _setup import percentile, setup

setup(default_db="postgres://root@127.0.0.1:5432/jiliang_bench_list")

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from jiliang.core.regions import subtree_codes  # noqa: E402
from jiliang.registry.models import Instrument, InstrumentCategory  # noqa: E402

console = Console()
total = Instrument.objects.count()
console.print(f"{total:,} instruments in {connection.vendor}")
user = get_user_model().objects.get(username="demo-province")
client = APIClient()
client.force_authenticate(user)
category = InstrumentCategory.objects.get(code="nawi-price-scale")
CASES = [("county 昆山市 320583", "320583"), ("city 苏州市 320500", "320500")]
RAW = """
SELECT i.id, i.manufacturer, i.model, i.serial_number, i.pattern_approval_no, i.accuracy_class, i.range_min,
       i.range_max, i.range_unit, i.usage, i.region_id, i.address, i.installation_date, i.status,
       i.status_reason, i.status_date, i.mandatory, i.description, i.comments, i.created, i.last_updated,
       c.name, o.name, r.name, p.name
FROM registry_instrument i
JOIN registry_instrumentcategory c ON c.id = i.category_id
JOIN registry_organisation o ON o.id = i.owner_id
JOIN core_region r ON r.code = i.region_id
LEFT JOIN core_region p ON p.code = r.parent_id
WHERE i.region_id = ANY(%s) AND i.category_id = %s
ORDER BY i.id DESC LIMIT 50
"""
COUNT = "SELECT count(*) FROM registry_instrument WHERE region_id = ANY(%s) AND category_id = %s"
N = 100

table = Table(title=f"GET /api/instruments/?region=…&category=nawi-price-scale over {total:,} instruments")
for col in ("filter", "matches", "API p50 ms", "API p95 ms", "raw SQL p50 ms", "ratio p50"):
    table.add_column(col, justify="right")
for label, region in CASES:
    codes = subtree_codes(region)
    url = f"/api/instruments/?region={region}&category=nawi-price-scale"
    for _ in range(5):  # warm caches
        assert client.get(url).status_code == 200
    # API and raw SQL alternate, so a busy machine slows both alike.
    api, raw = [], []
    with connection.cursor() as cur:
        for _ in range(5):
            cur.execute(COUNT, [codes, category.pk])
            cur.execute(RAW, [codes, category.pk])
        for _ in range(N):
            t = time.perf_counter()
            response = client.get(url)
            api.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200
            t = time.perf_counter()
            cur.execute(COUNT, [codes, category.pk])
            cur.fetchall()
            cur.execute(RAW, [codes, category.pk])
            cur.fetchall()
            raw.append((time.perf_counter() - t) * 1000)
    matches = response.json()["count"]
    p50_api, p50_raw = statistics.median(api), statistics.median(raw)
    table.add_row(label, f"{matches:,}", f"{p50_api:.1f}", f"{percentile(api, 95):.1f}", f"{p50_raw:.1f}",
                  f"{p50_api / p50_raw:.2f}")
console.print(table)
console.print("ratio = API p50 ÷ raw SQL p50 (same count + page query, same process); aim ≤ 3")
