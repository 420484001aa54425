"""The regulation rows of household meters (shared/reference/legal-metrology.md §5) and their rotation dates."""

import datetime as dt

import pytest

from jiliang.livelihood import service_life as sl


@pytest.mark.parametrize(("kind", "kw", "category", "years"), [
    ("water", {"size": "DN15"}, "water-meter-dn15-25", 6),
    ("water", {"size": "dn 25", "q3": 4}, "water-meter-dn15-25", 6),
    ("water", {"size": 32}, "water-meter-dn32-50", 4),
    ("water", {"size": "50"}, "water-meter-dn32-50", 4),
    ("gas", {"gas_kind": "natural", "size": "G4"}, "gas-meter-natural", 10),
    ("gas", {"gas_kind": "lpg", "size": "2.5"}, "gas-meter-manufactured", 6),
    ("gas", {"gas_kind": "manufactured"}, "gas-meter-manufactured", 6),
    ("electricity", {"accuracy_class": "2"}, "electricity-meter-household", 8),
    ("electricity", {"accuracy_class": "B"}, "electricity-meter-household", 8),
    ("electricity", {"accuracy_class": "0.5s"}, "electricity-meter-household-precise", 6),
])
def test_rows(kind, kw, category, years):
    rule = sl.rule_for(kind, **kw)
    assert (rule.category, rule.years) == (category, years)
    assert rule is sl.BY_CATEGORY[category]


@pytest.mark.parametrize(("kind", "kw", "field", "words"), [
    ("water", {"size": "DN80"}, "size", "periodically"),
    ("water", {"size": "DN22"}, "size", "not a water meter size"),
    ("water", {"size": "twenty"}, "size", "not a nominal size"),
    ("water", {}, "size", "needs its nominal size"),
    ("water", {"size": "DN20", "q3": 25}, "q3", "above 16"),
    ("gas", {"gas_kind": "natural", "size": "G25"}, "size", "G1.6–G16"),
    ("gas", {"gas_kind": "biogas"}, "gas_kind", "not a gas kind"),
    ("electricity", {"accuracy_class": "3"}, "accuracy_class", "not an electricity meter class"),
    ("heat", {}, "kind", "not a household meter kind"),
])
def test_refusals_name_the_field(kind, kw, field, words):
    with pytest.raises(sl.NoRule) as exc:
        sl.rule_for(kind, **kw)
    assert exc.value.field == field and words in exc.value.message


@pytest.mark.parametrize(("kind", "kw", "words"), [
    ("water", {"size": "DN80"}, "DN80 大于 DN50"), ("water", {"size": "DN22"}, "DN22 不是水表口径"),
    ("water", {"size": "twenty"}, "'twenty' 不是公称口径"), ("water", {}, "水表须填写公称口径"),
    ("water", {"size": "DN20", "q3": 25}, "Q3 = 25 m³/h 大于 16"), ("gas", {"gas_kind": "natural", "size": "G25"},
                                                                   "'G25' 不是 G1.6–G16"),
    ("gas", {"gas_kind": "biogas"}, "'biogas' 不是气种"), ("electricity", {"accuracy_class": "3"}, "不是电能表准确度等级"),
    ("heat", {}, "'heat' 不是民用表的表类"),
])
def test_refusals_read_in_chinese(kind, kw, words):
    """The pure module's messages are marked for translation and read in the user's language (an import in
    Chinese once listed "DN999 is above DN50 …" in English in its file of errors)."""
    from django.utils import translation

    with pytest.raises(sl.NoRule) as exc:
        sl.rule_for(kind, **kw)
    with translation.override("zh-hans"):
        assert words in exc.value.translated(translation.gettext)
    with translation.override("en"):
        assert exc.value.translated(translation.gettext) == exc.value.message


def test_rotation_due_counts_the_life_from_the_first_verification():
    # A DN20 meter first verified on 2020-03-15 may be used until 2026-03-14 (6 years, last day of validity).
    assert sl.WATER_SMALL.rotation_due(dt.date(2020, 3, 15)) == dt.date(2026, 3, 14)
    # Leap day: 10 years from 2016-02-29 ends on 2026-02-27 (2026-02-28 is the anniversary's month-end clamp).
    assert sl.GAS_NATURAL.rotation_due(dt.date(2016, 2, 29)) == dt.date(2026, 2, 27)


@pytest.mark.parametrize(("year", "q", "bounds"), [
    (2024, 4, (dt.date(2024, 10, 1), dt.date(2024, 12, 31))),
    (2025, 1, (dt.date(2025, 1, 1), dt.date(2025, 3, 31))),
    (2024, 2, (dt.date(2024, 4, 1), dt.date(2024, 6, 30))),
])
def test_quarters(year, q, bounds):
    assert sl.quarter_bounds(year, q) == bounds


def test_quarter_out_of_range():
    with pytest.raises(ValueError):
        sl.quarter_bounds(2024, 5)
