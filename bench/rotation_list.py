"""The rotation list (到期轮换清单) of a utility with 2,000,000 household meters (issue 15, aim < 2 s), and its
ratio to a bare indexed SELECT of the same rows measured in the same run.

    .venv/bin/python bench/rotation_list.py [--meters 2000000] [--full]

The meters are written with COPY (instrument and profile rows, no audit: this measures reading). A page of the
list is what the page and the API compute for one quarter: the summary counts (due, overdue: one aggregate), the
regulation rows used, and one keyset page of PAGE rows (meter_rotation.page: code, utility and region names) —
the first page, and a page from the middle of the list (after the cursor of its middle row). The baseline is a
bare SELECT of the same page's profile columns by the same (utility, rotation_due) index, without joins, counts
or Python rows. ``--full`` also reads the whole list as the Excel export does (meter_rotation.all_rows, keyset
batches), against a bare SELECT of all its rows.
"""

import argparse
import datetime as dt
import time

from _setup import setup

parser = argparse.ArgumentParser()
parser.add_argument("--meters", type=int, default=2_000_000)
parser.add_argument("--full", action="store_true", help="also read the whole list as the Excel export does")
args = parser.parse_args()
setup(default_db="postgres://root@127.0.0.1:5432/jiliang_bench_rotation", fresh=True)

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from rich.console import Console  # noqa: E402

from jiliang.core.bulk import copy_rows  # noqa: E402
from jiliang.core.models import Region  # noqa: E402
from jiliang.livelihood import meter_rotation, service_life  # noqa: E402
from jiliang.livelihood.models import HouseholdMeter  # noqa: E402
from jiliang.registry import models as m  # noqa: E402
from jiliang.registry.identity import make_uscc  # noqa: E402

console = Console()
utility = m.Organisation.objects.create(name="苏州市自来水有限公司", uscc=make_uscc("91320500MA0000001"),
                                        kind="utility", region_id="320500")
other = m.Organisation.objects.create(name="无锡市自来水有限公司", uscc=make_uscc("91320200MA0000003"),
                                      kind="utility", region_id="320200")
category = m.InstrumentCategory.objects.get(code="water-meter-dn15-25")
counties = [r.code for r in Region.objects.filter(parent_id="320500", is_current=True)]
now = timezone.now()
console.print(f"writing {args.meters:,} meters of one utility (and 10 % more of another) with COPY …")
total = args.meters + args.meters // 10
t = time.perf_counter()
with transaction.atomic(), connection.cursor() as cur:
    cols = ["id", "created", "last_updated", "description", "comments", "owner_id", "category_id", "manufacturer",
            "model", "serial_number", "pattern_approval_no", "accuracy_class", "range_unit", "usage", "region_id",
            "address", "installation_date", "status", "status_reason", "mandatory", "instrument_code", "code_scheme"]
    base = dt.date(2019, 1, 1)

    def inst_rows():
        for i in range(1, total + 1):
            owner = utility.pk if i <= args.meters else other.pk
            yield (i, now, now, "", "", owner, category.pk, "宁波水表", "LXS-20E", f"S{i:010d}", "", "", "", "trade",
                   counties[i % len(counties)], "", base, "in_service", "", True, f"WM{i:012d}", "GB/T 36377")

    copy_rows(cur, "registry_instrument", cols, inst_rows())
    mcols = ["instrument_id", "utility_id", "region_id", "kind", "size", "gas_kind", "accuracy_class", "rule",
             "service_life_years", "account_area", "installed_on", "first_verified_on", "first_result", "first_errors",
             "rotation_due"]

    rule = service_life.WATER_SMALL

    def meter_rows():
        for i in range(1, total + 1):
            owner = utility.pk if i <= args.meters else other.pk
            verified = base + dt.timedelta(days=i % 2900)  # 2019 … 2026: due 2025 … 2032, spread evenly
            yield (i, owner, counties[i % len(counties)], "water", "DN20", "", "", "water-meter-dn15-25", 6,
                   f"片区{i % 900:03d}", verified, verified, "pass", "{}",
                   rule.rotation_due(verified))

    copy_rows(cur, "livelihood_householdmeter", mcols, meter_rows())
    cur.execute("SELECT setval(pg_get_serial_sequence('registry_instrument', 'id'), %s)", [total])
with connection.cursor() as cur:
    cur.execute("ANALYZE registry_instrument")
    cur.execute("ANALYZE livelihood_householdmeter")
console.print(f"  written in {time.perf_counter() - t:.0f} s")

quarter = meter_rotation.Quarter(2026, 4)
start, end = quarter.bounds
PAGE = 200
qs = meter_rotation.rotation_queryset(HouseholdMeter.objects.all(), quarter, utility=utility)
BARE = ("SELECT instrument_id, rotation_due, rule, account_area FROM livelihood_householdmeter "
        "WHERE utility_id = %s AND retired_on IS NULL AND rotation_due <= %s {after} "
        "ORDER BY rotation_due, instrument_id {limit}")
with connection.cursor() as cur:  # the middle row of the list: a deep page starts after it
    cur.execute("SELECT count(*) FROM livelihood_householdmeter WHERE utility_id = %s AND retired_on IS NULL "
                "AND rotation_due <= %s", [utility.pk, end])
    n_rows = cur.fetchone()[0]
    cur.execute(BARE.format(after="", limit="OFFSET %s LIMIT 1"), [utility.pk, end, n_rows // 2])
    mid_pk, mid_due = cur.fetchone()[:2]
middle = meter_rotation.cursor_of({"rotation_due": mid_due, "instrument_id": mid_pk})


def list_page(after=None):
    summary = meter_rotation.summary(qs, quarter)
    rules = meter_rotation.rules_used(qs)
    rows, following = meter_rotation.page(qs, quarter, size=PAGE, after=after)
    assert len(rows) == PAGE and following and rules
    return summary


def bare_page(after=False):
    with connection.cursor() as cur:
        if after:
            cur.execute(BARE.format(after="AND (rotation_due, instrument_id) > (%s, %s)", limit="LIMIT %s"),
                        [utility.pk, end, mid_due, mid_pk, PAGE])
        else:
            cur.execute(BARE.format(after="", limit="LIMIT %s"), [utility.pk, end, PAGE])
        return len(cur.fetchall())


def full_list():
    return sum(1 for _ in meter_rotation.all_rows(qs, quarter))


def bare_full():
    with connection.cursor() as cur:
        cur.execute(BARE.format(after="", limit=""), [utility.pk, end])
        return len(cur.fetchall())


def best(fn, *a, n=3):
    times, out = [], None
    for _ in range(n):
        t0 = time.perf_counter()
        out = fn(*a)
        times.append(time.perf_counter() - t0)
    return min(times), out


bare_page()  # warm the cache
list_page()
t_bare, _n = best(bare_page)
t_bare_mid, _n = best(bare_page, True)
t_page, summary = best(list_page)
t_mid, _s = best(list_page, middle)
assert summary["total"] == n_rows
console.print(f"rotation list {quarter.label} of a utility with {args.meters:,} meters: {n_rows:,} rows "
              f"({summary['due']:,} due, {summary['overdue']:,} overdue)")
console.print(f"a page ({PAGE} rows + counts + regulation rows): first {t_page:.2f} s, from the middle "
              f"{t_mid:.2f} s (aim < 2 s)")
console.print(f"bare indexed SELECT of the same page: first {t_bare * 1000:.1f} ms, middle {t_bare_mid * 1000:.1f} ms")
console.print(f"[bold]ratio (page time / bare SELECT time): {t_page / t_bare:.0f} (first), {t_mid / t_bare_mid:.0f} "
              f"(middle)[/bold]; of the page, the counts and regulation rows are whole-list aggregates")
if args.full:
    t_full, n_full = best(full_list, n=1)
    t_bare_full, n_bare = best(bare_full, n=1)
    assert n_full == n_bare == n_rows
    console.print(f"the whole list as the export reads it (keyset batches of {meter_rotation.EXPORT_BATCH}): "
                  f"{t_full:.2f} s; bare SELECT of all its rows {t_bare_full:.2f} s; ratio {t_full / t_bare_full:.1f}")
