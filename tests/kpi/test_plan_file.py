"""Plans as files: the shipped Jiangsu plan, a second plan loaded without code, and every kind of bad file."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jiliang.core.models import AuditEntry
from jiliang.kpi import plan_file, services
from jiliang.kpi.models import Indicator, Plan, Target

SHIPPED = Path(services.DATA) / "jiangsu-2014-2020.toml"

NATIONAL = """
[plan]
code = "national-2021-2035"
name = "计量发展规划（2021－2035年）"
name_en = "Metrology Development Plan (2021-2035)"
issuer = "国务院"
region = "320000"
starts_on = 2021-01-01
ends_on = 2035-12-31

[[indicator]]
code = "A1"
name = "重点监管计量器具受检率"
name_en = "Verification rate of key supervised instruments"
definition = "示例"
unit = "%"
source = "supervision.verification_rate"
params = { key = true }
targets = [ { region = "320000", year = 2025, value = 98 }, { region = "cities", year = 2025, value = 97 } ]

[[indicator]]
code = "A2"
name = "诚信计量示范单位"
name_en = "Integrity demonstration units"
definition = "示例"
unit = "家"
source = "entered"
entered_note = "no integrity module yet"
targets = [ { region = "320500", year = 2030, value = 400, baseline = 100, baseline_on = 2021-01-01 } ]
"""


@pytest.fixture(autouse=True)
def _english():
    """These tests read the messages in English (the pages' tests read both languages)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def parse(text: str, **kw):
    return services.read_plan_file(text.encode(), **kw)


def problems(text: str) -> list[str]:
    with pytest.raises(plan_file.PlanFileError) as exc:
        parse(text)
    return exc.value.problems


def test_the_shipped_plan_is_all_there(plan):
    """专栏1's nine indicators (1 and 3, 4, 5, 8 in parts) and the other targets of the text, each with a source
    that is registered, and 2020 targets as the plan states them."""
    spec = services.read_plan_file(SHIPPED.read_bytes())  # every source and parameter checked
    assert len(spec.indicators) == 26
    codes = [i.code for i in plan.indicators.all()]
    for n in ("1.1", "1.4", "2", "3.1", "3.2", "4.1", "4.2", "5.1", "5.5", "6", "7", "8.1", "8.2", "9"):
        assert n in codes
    target = {i.code: i.targets.get(region_id="320000", year=2020).value for i in plan.indicators.all()}
    assert (target["2"], target["7"], target["3.1"], target["8.1"], target["8.2"], target["1.4"]) == (98, 98, 50, 5000,
                                                                                                     50000, 50)
    assert plan.indicators.get(code="7").targets.count() == 14  # the province and its 13 cities
    assert plan.mid_term_on == dt.date(2017, 12, 31) and plan.ends_on == dt.date(2020, 12, 31)
    entered = plan.indicators.filter(source_kind="entered")
    assert {i.code for i in entered} == {"3.2", "8.1", "S12.1", "S12.3", "C9.2"}
    assert all(i.entered_note for i in entered)
    assert set(plan.indicators.filter(city_assessment=True).values_list("code", flat=True)) == {"2", "7", "8.2"}


def test_a_second_plan_loads_from_a_file(world, plan):
    loaded = services.load_plan(NATIONAL.encode(), actor=world.users["province"])
    assert loaded.indicators.count() == 2
    a1 = Indicator.objects.get(plan=loaded, code="A1")
    assert a1.source_key == "supervision.verification_rate" and a1.params == {"key": True}
    assert Target.objects.filter(indicator=a1, year=2025, value=97).count() == 13
    a2 = Indicator.objects.get(plan=loaded, code="A2")
    t = a2.targets.get()
    assert (t.region_id, t.baseline, t.baseline_on) == ("320500", 100, dt.date(2021, 1, 1))
    assert AuditEntry.objects.filter(object_type="kpi.plan", object_id=str(loaded.pk)).exists()
    with pytest.raises(ValidationError, match="loaded already"):
        services.load_plan(NATIONAL.encode(), actor=world.users["province"])


@pytest.mark.parametrize("who", ["suzhou", "kunshan", "institute", "enterprise"])
def test_only_the_province_loads_plans(world, plan, who):
    with pytest.raises(PermissionDenied):
        services.load_plan(NATIONAL.encode(), actor=world.users[who])
    assert not Plan.objects.filter(code="national-2021-2035").exists()


def test_duplicate_codes_and_unknown_regions_are_all_named(db, reference_data):
    bad = NATIONAL.replace('code = "A2"', 'code = "A1"').replace('region = "320500"', 'region = "329999"')
    found = problems(bad)
    assert any("indicator 2 (code A1): the code A1 is used again (first by indicator 1)" in p for p in found)
    assert any("indicator 2 (code A1), target 1: region '329999' is not a current GB/T 2260 region code" in p
               for p in found)
    assert not Plan.objects.filter(code="national-2021-2035").exists()


@pytest.mark.parametrize(("change", "expected"), [
    (('source = "entered"', 'source = "integrity.demonstration_units"'), "is not a registered computed source"),
    (("params = { key = true }", "params = { key = true, colour = 1 }"), "takes no parameter colour"),
    (('entered_note = "no integrity module yet"', ""), "entered_note must say why"),
    (('value = 98 }', 'value = 120 }'), "between 0 and 100"),
    (('year = 2025, value = 98', 'year = 1800, value = 98'), "year must be a year between 1990 and 2100"),
    (('value = 400,', 'value = "many",'), "must be a number"),
    (('direction = "at_least"', ""), None),
    (('unit = "%"', 'unit = "%"\ndirection = "upward"'), "direction must be at_least or at_most"),
    (("ends_on = 2035-12-31", "ends_on = 2020-12-31"), "ends_on 2020-12-31 comes before starts_on 2021-01-01"),
    (("baseline = 100, baseline_on = 2021-01-01", "baseline = 100"), "give baseline and baseline_on together"),
    (('region = "320000"\nstarts_on', 'region = "999999"\nstarts_on'), "plan: region '999999'"),
])
def test_bad_plan_files(db, reference_data, change, expected):
    text = NATIONAL.replace(*change)
    if expected is None:
        parse(text)
        return
    assert any(expected in p for p in problems(text)), problems(text)


def test_files_that_are_not_plans(db, reference_data):
    assert "not valid TOML" in problems("[plan\ncode = 1")[0]
    assert "line 2" in problems("[plan]\ncode = = 1")[0]
    with pytest.raises(plan_file.PlanFileError, match="not UTF-8"):
        services.read_plan_file(b"[plan]\nname = '\xff'")
    assert problems("x = 1") == ["the file has no [plan] table"]
    assert "no [[indicator]] tables" in " ".join(problems(NATIONAL.split("[[indicator]]")[0]))
    with pytest.raises(plan_file.PlanFileError, match="at most 1,000,000"):
        services.read_plan_file(b"#" * 1_000_001)
