"""The plan's target for indicator 2, shipped as data: Jiangsu, 2020, 98 %.

《江苏省计量发展规划（2014－2020年）》 (江苏省人民政府办公厅, issued 2015-03-30), 专栏1 item 2:
"社会公用计量标准和量值传递体系覆盖率达到98%以上" (shared/reference/supervision-integrity-licensing.md §8.1, H).
The plan gives one target per indicator, for 2020; no 2017 figure (ibid.)."""

from decimal import Decimal

from django.db import migrations

SOURCE = "《江苏省计量发展规划（2014－2020年）》专栏1 第2项：社会公用计量标准和量值传递体系覆盖率达到98%以上（江苏省人民政府办公厅，2015-03-30）"


def ship(apps, schema_editor):
    Region = apps.get_model("core", "Region")
    CoverageTarget = apps.get_model("traceability", "CoverageTarget")
    if Region.objects.filter(code="320000").exists():
        CoverageTarget.objects.get_or_create(region_id="320000", year=2020,
                                             defaults={"target_percent": Decimal("98.00"), "source": SOURCE})


def unship(apps, schema_editor):
    apps.get_model("traceability", "CoverageTarget").objects.filter(region_id="320000", year=2020,
                                                                    source=SOURCE).delete()


class Migration(migrations.Migration):

    dependencies = [("traceability", "0004_chains_link_item_mpe")]

    operations = [migrations.RunPython(ship, unship)]
