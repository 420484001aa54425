"""Reference data shipped with the registry: designations and the catalogue rows (data/catalogue.csv).

The functions take the model classes, so the data migration (with historical models) and the test
fixtures (which reload it after a transactional test flushed the tables) share one loader.
"""

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

DESIGNATIONS = [
    ("national-industrial-test-centre", "国家产业计量测试中心", "National industrial metrology test centre"),
    ("provincial-metrology-centre", "省级计量测试中心", "Provincial metrology test centre"),
    ("public-service-platform", "计量公共服务平台", "Metrology public service platform"),
    ("key-energy-consumer", "重点用能单位", "Key energy-consuming unit"),
    ("international-mutual-recognition", "国际互认实验室", "Laboratory with international mutual recognition"),
    ("brand-laboratory", "品牌实验室", "Brand laboratory of international standing"),
    # 专栏9: new national type-evaluation laboratories (the plan's text counts them, ≥ 8).
    ("national-type-evaluation-lab", "国家级计量器具型式评价实验室", "National type-evaluation laboratory"),
]
BOOLS = ("mandatory_trade", "mandatory_safety", "mandatory_medical", "mandatory_environment")


def load_designations(Designation) -> None:
    for code, name, name_en in DESIGNATIONS:
        Designation.objects.update_or_create(code=code, defaults={"name": name, "name_en": name_en})


def load_catalogue(Category, only_new: bool = False) -> None:
    """Load data/catalogue.csv; ``only_new``: add the rows whose code is not there yet and leave the rest as the
    bureau edited them (a migration that ships new rows)."""
    existing = set(Category.objects.values_list("code", flat=True)) if only_new else set()
    with (DATA / "catalogue.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["code"] in existing:
                continue
            values = {k: v for k, v in row.items() if k != "code"}
            for k in BOOLS:
                values[k] = values[k] == "1"
            for k in ("period_months", "service_life_years"):
                values[k] = int(values[k]) if values[k] else None
            Category.objects.update_or_create(code=row["code"], defaults=values)
