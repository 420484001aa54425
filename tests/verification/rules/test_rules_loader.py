"""The regulation data files: well-formed, cross-checked against the reference, malformed files refused.

The reference is ``shared/reference/legal-metrology.md`` (the folder ``../shared/reference`` next to the
repository root, or ``$JILIANG_REFERENCE_DIR``). The cross-check renders each MPE band of the data files
in the reference's own table notation and looks for that row in the reference text, so a typo in a JSON
number cannot pass unnoticed.
"""

import copy
import json
import os
from decimal import Decimal as D
from pathlib import Path

import pytest

from jiliang.verification.rules import RuleError, available_regulations, load_regulation, load_regulation_file
from jiliang.verification.rules.loader import DATA_DIR

EXPECTED = {"JJG162-2019", "JJG443-2015", "JJG443-2023", "JJG539-2016", "JJG577-2012", "JJG596-2012"}
REFERENCE_DIR = Path(os.environ.get("JILIANG_REFERENCE_DIR",
                                    Path(__file__).resolve().parents[3] / ".." / "shared" / "reference")).resolve()


@pytest.fixture(scope="module")
def reference_text() -> str:
    path = REFERENCE_DIR / "legal-metrology.md"
    if not path.is_file():
        pytest.skip(f"reference file {path} not available (set JILIANG_REFERENCE_DIR)")
    return path.read_text(encoding="utf-8")


def test_all_files_load_and_are_listed():
    assert set(available_regulations()) == EXPECTED
    for reg_id in EXPECTED:
        reg = load_regulation(reg_id)
        assert reg.id == reg_id == reg.path.stem
        assert reg.title["zh"] and reg.title["en"]
        for band in reg.mpe:
            assert band.confidence in ("V1", "V2", "M") and band.clause.sources is not None


def test_unverified_facts_are_marked_m():
    """Everything the reference marks M (or does not state) is M in the data."""
    scale = load_regulation("JJG539-2016")
    assert scale.stages["subsequent"].confidence == "M" and scale.stages["in_service"].confidence == "M"
    assert scale.stages["in_service"].factor == D(2)
    assert scale.required_points.confidence == "M"
    assert {b.regulation_confidence for b in scale.mpe} == {"M"}  # Appendix B 5: 2016 table open
    water = load_regulation("JJG162-2019")
    assert set(water.stages) == {"initial"}  # in-service "not verified"
    assert {b.regulation_confidence for b in water.mpe} == {"M"}  # R 49 alignment M
    gas = load_regulation("JJG577-2012")
    assert gas.stages["in_service"].confidence == "M" and "subsequent" not in gas.stages
    fuel = load_regulation("JJG443-2015")
    assert [p.confidence for p in fuel.verification_periods] == ["M"]
    assert fuel.multi_point_rules[0].formula_confidence == "M"
    meter = load_regulation("JJG596-2012")
    assert meter.stages["initial"].confidence == "M"
    assert [(p.months, p.confidence) for p in meter.verification_periods] == [(96, "M")]


def _num(value: D) -> str:
    """A number as the reference prints it: thousands separated by a space, no trailing zeros lost."""
    if value == value.to_integral_value():
        return f"{int(value):,}".replace(",", " ")
    return str(value)


def _range(rng, name: str) -> str:
    def side(b):
        if b.param is None:
            return f"{b.value}"
        if b.factor == 1:
            return b.param
        return f"{_num(b.factor)} {b.param}"

    parts = []
    if rng.lower is not None:
        parts.append(f"{side(rng.lower)} {'≤' if rng.lower.inclusive else '<'} ")
    parts.append(name)
    if rng.upper is not None:
        parts.append(f" {'≤' if rng.upper.inclusive else '<'} {side(rng.upper)}")
    return "".join(parts)


def _lines(text: str) -> set[str]:
    return {line.replace("**", "").replace(" (includes Ib)", "").strip() for line in text.splitlines()}


def test_scale_bands_match_reference_table(reference_text):
    """legal-metrology.md §2.1 (OIML R 76-1:2006 Table 6): each MPE row lists the class III and IIII loads."""
    reg = load_regulation("JJG539-2016")
    by_value: dict[str, dict[str, str]] = {}
    for band in reg.mpe:
        (rng,) = band.ranges
        lo = _num(rng.lower.factor)
        text = (f"{lo} {'≤' if rng.lower.inclusive else '<'} m "
                f"{'≤' if rng.upper.inclusive else '<'} {_num(rng.upper.factor)}")
        by_value.setdefault(str(band.limit.upper), {})[band.when["class"][0]] = text
    lines = _lines(reference_text)
    for value, cols in by_value.items():
        assert f"| ±{value} e | {cols['III']} | {cols['IIII']} |" in lines


def test_gas_bands_match_reference_table(reference_text):
    """legal-metrology.md §3.2: class, ±MPE for Qmin ≤ Q < Qt, ±MPE for Qt ≤ Q ≤ Qmax."""
    reg = load_regulation("JJG577-2012")
    for cls in ("1.5", "1.0"):
        low, high = (b.limit.upper for b in reg.mpe if b.when["class"] == (cls,))
        assert any(line.startswith(f"| {cls} | ±{_num(low)} % | ±{_num(high)} %") for line in _lines(reference_text))
    rule = reg.multi_point_rules[0]
    assert f"none may exceed {rule.limit.upper} %" in reference_text


def test_electricity_bands_match_reference_table(reference_text):
    """legal-metrology.md §3.4: every row of both IEC 62053-21:2003 tables is rendered from the data."""
    reg = load_regulation("JJG596-2012")
    bands = {b.id: b for b in reg.mpe}
    lines = _lines(reference_text)
    pairs = [("direct-pf1-0.05Ib", "tr-pf1-0.02In"), ("direct-pf1-0.1Ib", "tr-pf1-0.05In"),
             ("direct-pfind-0.1Ib", "tr-pfind-0.05In"), ("direct-pfind-0.2Ib", "tr-pfind-0.1In")]
    for d_id, t_id in pairs:
        d1, d2, t1 = bands[f"c1-{d_id}"], bands[f"c2-{d_id}"], bands[f"c1-{t_id}"]
        pf = ", ".join(p.replace("L", " L").replace("C", " C") for p in d1.when["pf"])
        row = (f"| {_range(d1.ranges[0], 'I')} | {_range(t1.ranges[0], 'I')} | {pf} | "
               f"±{d1.limit.upper} % | ±{d2.limit.upper} % |")
        assert row in lines, row
        assert bands[f"c1-{t_id}"].limit.upper == d1.limit.upper and bands[f"c2-{t_id}"].limit.upper == d2.limit.upper
    for sid in ("direct-single-phase-pf1", "direct-single-phase-pf0.5L"):
        b1, b2 = bands[f"c1-{sid}"], bands[f"c2-{sid}"]
        pf = b1.when["pf"][0].replace("L", " L")
        row = f"| {_range(b1.ranges[0], 'I')} | {pf} | ±{b1.limit.upper} % | ±{b2.limit.upper} % |"
        assert row in lines, row


def test_water_and_fuel_values_in_reference(reference_text):
    """legal-metrology.md §3.1 and §3.3: the MPE values of the data appear in the reference's rows."""
    water = load_regulation("JJG162-2019")
    rows = {cls: next(line for line in reference_text.splitlines() if line.startswith(f"| Class {cls} |"))
            for cls in ("1", "2")}
    for band in water.mpe:
        assert f"±{band.limit.upper} %" in rows[band.when["class"][0]]
    assert "Q2 = 1.6·Q1; Q4 = 1.25·Q3" in reference_text
    fuel = load_regulation("JJG443-2015")
    assert "Dispenser MPE **±0.3 %**, repeatability ≤ **0.15 %**" in reference_text
    assert "At minimum measured quantity: MPE **±0.5 %**, repeatability ≤ 0.25 %" in reference_text
    assert sorted(str(b.limit.upper) for b in fuel.mpe) == ["0.3", "0.5"]
    assert sorted(str(lim.value) for lim in fuel.multi_point_rules[0].limits) == ["0.15", "0.25"]


# -- malformed files -----------------------------------------------------------------------------------


def _write(tmp_path: Path, raw: dict, name: str = "JJG539-2016") -> Path:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def scale_raw() -> dict:
    return json.loads((DATA_DIR / "JJG539-2016.json").read_text(encoding="utf-8"))


def test_unmodified_copy_loads(tmp_path, scale_raw):
    assert load_regulation_file(_write(tmp_path, scale_raw)).id == "JJG539-2016"


@pytest.mark.parametrize(
    ("mutate", "field", "words"),
    [
        (lambda r: r.pop("stages"), "(top)", "missing required key 'stages'"),
        (lambda r: r["mpe"][2].update(limt={}), "mpe[2].limt", "unknown key 'limt'"),
        (lambda r: r["mpe"][0].update(confidence="V3"), "mpe[0].confidence", "'V3' is not one of V1, V2, M"),
        (lambda r: r["mpe"][1]["limit"].update(value="1,0"), "mpe[1].limit.value", "not a decimal number"),
        (lambda r: r["mpe"][1]["limit"].update(value=True), "mpe[1].limit.value", "not a boolean"),
        (lambda r: r["parameters"]["e"].update(units=["\\gramm"]), "parameters.e.units[0]", "unknown D-SI unit"),
        (lambda r: r["mpe"][0].update(clause="R76-T9"), "mpe[0].clause", "unknown clause 'R76-T9'"),
        (lambda r: r["mpe"][0].update(when={"class": "II"}), "mpe[0].when.class", "'II' is not a value"),
        (lambda r: r["mpe"][0]["ranges"][0].update(quantity="load"), "mpe[0].ranges[0].quantity", "unknown quantity"),
        (lambda r: r["mpe"][0]["ranges"][0]["upper"].pop("inclusive"), "mpe[0].ranges[0].upper",
         "missing required key 'inclusive'"),
        (lambda r: r["mpe"][0]["ranges"][0]["upper"].update(value="5"), "mpe[0].ranges[0].upper",
         "either {'param', 'factor'} or {'value', 'unit'}"),
        (lambda r: r["mpe"][0].update(limit={"value": "0.5", "unit": "\\percent"}), "mpe[0].limit.unit",
         "not the unit of the error"),
        (lambda r: r["stages"].update(annual={"factor": "1", "clauses": [], "confidence": "M"}), "stages.annual",
         "unknown stage"),
        (lambda r: r["clauses"][0].update(sources=["nowhere"]), "clauses[0].sources[0]", "unknown source 'nowhere'"),
        (lambda r: r.update(id="JJG539-2017"), "id", "does not match the file name"),
        (lambda r: r["verification_periods"][0].update(months="12"), "verification_periods[0].months",
         "must be an integer"),
        (lambda r: r["mpe"].append(copy.deepcopy(r["mpe"][0])), "mpe[6].id", "duplicate band id"),
    ],
)
def test_malformed_file_refused_with_path_and_field(tmp_path, scale_raw, mutate, field, words):
    """A malformed data file is refused; the error names the file path and the JSON path of the field."""
    mutate(scale_raw)
    path = _write(tmp_path, scale_raw)
    with pytest.raises(RuleError) as err:
        load_regulation_file(path)
    assert err.value.field == f"{path}: {field}", err.value.field
    assert words in err.value.message, err.value.message
    assert str(path) in str(err.value)


def test_invalid_json_refused(tmp_path):
    path = tmp_path / "JJG539-2016.json"
    path.write_text('{"format": "jiliang.verification.rules/1",', encoding="utf-8")
    with pytest.raises(RuleError) as err:
        load_regulation_file(path)
    assert err.value.field == str(path) and "not valid JSON" in err.value.message


def test_unknown_regulation():
    with pytest.raises(RuleError) as err:
        load_regulation("JJG999-2099")
    assert err.value.field == "regulation" and "JJG539-2016" in err.value.message
    with pytest.raises(RuleError):
        load_regulation("../etc/passwd")


def test_numbers_are_decimal_not_float(scale_raw, tmp_path):
    """JSON numbers are read as Decimal: a limit written 0.1 (a number, not a string) stays exactly 0.1."""
    scale_raw["mpe"][0]["limit"]["value"] = 0.1
    path = tmp_path / "JJG539-2016.json"
    path.write_text(json.dumps(scale_raw, ensure_ascii=False), encoding="utf-8")
    assert load_regulation_file(path).mpe[0].limit.upper == D("0.1")
