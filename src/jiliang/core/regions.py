"""Region tree look-ups and loading of the GB/T 2260 data shipped in ``core/data``."""

from __future__ import annotations

import csv
import time
from pathlib import Path

from django.apps import apps

DATA_DIR = Path(__file__).resolve().parent / "data"
CURRENT_FILE = DATA_DIR / "regions-jiangsu-2024.csv"
HISTORICAL_FILE = DATA_DIR / "regions-jiangsu-historical.csv"
ENGLISH_FILE = DATA_DIR / "regions-jiangsu-names-en.csv"
PROVINCE_CODE = "320000"

_CACHE_SECONDS = 300
_children: dict[str, list[str]] | None = None
_loaded_at = 0.0


def _tree() -> dict[str, list[str]]:
    # The region table is small (~140 rows) and changes only when the code list is reloaded,
    # so every process keeps the parent→children map and refreshes it every few minutes.
    global _children, _loaded_at
    if _children is None or time.monotonic() - _loaded_at > _CACHE_SECONDS:
        tree: dict[str, list[str]] = {}
        for code, parent in _region_model().objects.values_list("code", "parent_id"):
            tree.setdefault(code, [])
            if parent:
                tree.setdefault(parent, []).append(code)
        _children, _loaded_at = tree, time.monotonic()
    return _children


def _region_model():
    # Through the app registry, not an import of .models: models → scoping → regions stays one way.
    return apps.get_model("core", "Region")


def invalidate_cache(**_kwargs) -> None:
    global _children
    _children = None


def subtree_codes(code: str) -> list[str]:
    """``code`` and every region below it, e.g. a city and its districts, counties and old codes."""
    tree = _tree()
    out, stack = [], [code]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(tree.get(current, ()))
    return sorted(out)


def group_under(root: str) -> dict[str, str]:
    """Every code of ``root``'s subtree mapped to the child of ``root`` it lies in (``root`` maps to itself): how a
    bureau's figures are broken down by the regions directly below it."""
    out = {root: root}
    for child in _tree().get(root, ()):
        out.update(dict.fromkeys(subtree_codes(child), child))
    return out


def is_within(code: str, ancestor: str) -> bool:
    return code in subtree_codes(ancestor)


def load_regions(Region=None) -> int:
    """Create or update the regions from the shipped CSV files; returns how many rows were written.

    ``Region`` may be a migration's historical model; by default the current one.
    """
    if Region is None:
        Region = _region_model()
    count = 0
    # Parents come before children in both files (province, city, then its counties).
    with CURRENT_FILE.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            Region.objects.update_or_create(code=row["code"], defaults={
                "name": row["name"], "level": row["level"], "parent_id": row["parent_code"] or None,
                "is_current": True, "source": row["source"][:300]})
            count += 1
    with HISTORICAL_FILE.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            Region.objects.update_or_create(code=row["code"], defaults={
                "name": row["name"], "level": row["level"], "parent_id": row["parent_code"],
                "is_current": False, "retired_year": int(row["retired_year"]),
                "successor_id": row["successor_code"] or None, "source": row["source"][:300]})
            count += 1
    load_english_names(Region)
    invalidate_cache()
    return count


def load_english_names(Region=None) -> int:
    """Set the English names (core/data/regions-jiangsu-names-en.csv) where the model has the column."""
    if Region is None:
        Region = _region_model()
    if "name_en" not in {f.name for f in Region._meta.get_fields()}:
        return 0  # an older migration state
    count = 0
    with ENGLISH_FILE.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            count += Region.objects.filter(code=row["code"]).update(name_en=row["name_en"])
    return count


def totals_by_region(counts: dict[str, int], regions) -> dict[str, int]:
    """``counts`` by region code summed over each region's subtree (the province: everything), so a count grouped
    once by region answers the province and every city (kpi's live page)."""
    out = {}
    for region in regions:
        if region == PROVINCE_CODE:
            out[region] = sum(counts.values())
        else:
            codes = set(subtree_codes(region))
            out[region] = sum(n for code, n in counts.items() if code in codes)
    return out
