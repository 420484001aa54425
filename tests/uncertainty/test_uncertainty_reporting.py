"""Rounding (JJF 1059.1 5.3.8), the budget as data, templates, and the Excel and PDF exports."""

import copy
import io
import json
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from jiliang.uncertainty import (
    Budget,
    BudgetTemplate,
    UncertaintyError,
    evaluate_request,
    export_excel,
    export_pdf,
)
from jiliang.uncertainty.rounding import display, round_to, round_uncertainty

# --------------------------------------------------------------------------- rounding


@pytest.mark.parametrize(("value", "digits", "mode", "expected"), [
    (0.05385, 2, "half_even", "0.054"),
    (0.0000934, 2, "half_even", "0.000093"),
    (92.48, 2, "half_even", "92"),
    (92.48, 2, "up", "93"),          # 5.3.8.2: carry every following digit up
    (0.0525, 2, "half_even", "0.052"),  # GB/T 8170: round half to even
    (0.0535, 2, "half_even", "0.054"),
    (0.0525, 2, "up", "0.053"),
    (0.0996, 2, "half_even", "0.10"),
    (0.296, 1, "half_even", "0.30"),  # 5.3.8.1 note: first digit 1 or 2 → two digits
    (0.34, 1, "half_even", "0.3"),
    (0.34, 1, "up", "0.4"),
    (1234.0, 2, "half_even", "1.2E+3"),
])
def test_round_uncertainty(value, digits, mode, expected):
    assert str(round_uncertainty(value, digits, mode)) == expected


@pytest.mark.parametrize(("value", "digits", "expected"), [
    (0.1 * 3, 1, "0.3"),            # 0.30000000000000004
    (0.1 * 3, 2, "0.30"),
    (1.1 * 3, 2, "3.3"),            # 3.3000000000000003
    (0.07 * 100, 1, "7"),           # 7.000000000000001
    (0.07 * 100, 2, "7.0"),
    (0.30000001, 1, "0.4"),         # a real digit after the kept one is still carried up
    (3.3000000000001, 2, "3.4"),
])
def test_round_up_ignores_binary_noise(value, digits, expected):
    """JJF 1059.1-2012 5.3.8.2 carries every digit after the last kept one up; the noise of a binary
    float beyond 15 significant digits is not such a digit (issue #9 item 3)."""
    assert str(round_uncertainty(value, digits, "up")) == expected
    assert display(1.0, value / 2, value, 2.0, digits=digits, mode="up")["U"] == expected


def test_estimate_rounded_to_the_place_of_U():
    """5.3.8.3: the last digit of y aligned with the last digit of U."""
    assert str(round_to(1.2339712, Decimal("0.075"))) == "1.234"
    assert str(round_to(50_000_838.4, Decimal("93"))) == "50000838"
    d = display(1234.5678, 1.2, 2.46, 2.05)
    assert d == {"y": "1234.6", "u": "1.2", "U": "2.5", "k": "2.05", "interval": ["1232.1", "1237.1"]}
    big = display(1234567.0, 650.0, 1234.0, 2.0)
    assert (big["y"], big["U"]) == ("1234600", "1200")


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf")])
def test_bad_values_cannot_be_rounded(bad):
    with pytest.raises(UncertaintyError):
        round_uncertainty(bad)


# --------------------------------------------------------------------------- budget


@pytest.fixture(scope="module")
def mass_result():
    return evaluate_request({
        "model": "(m_rc + dm_rc) * (1 + (rho_a - 1.2) * (1/rho_w - 1/rho_r)) - 100000",
        "inputs": {
            "m_rc": {"value": 100000.0, "u": 0.05, "description": "参考砝码折算质量 reference mass", "unit": "mg"},
            "dm_rc": {"value": 1.234, "u": 0.02, "description": "质量差 mass difference", "unit": "mg"},
            "rho_a": {"distribution": "rectangular", "low": 1.1, "high": 1.3, "unit": "kg/m³"},
            "rho_w": {"distribution": "rectangular", "low": 7000, "high": 9000, "unit": "kg/m³"},
            "rho_r": {"distribution": "rectangular", "low": 7950, "high": 8050, "unit": "kg/m³"},
        },
        "monte_carlo": {"trials": 50_000, "seed": 1},
        "unit": "mg",
    })


def test_budget_rows(mass_result):
    rows = {r["source"]: r for r in mass_result["budget"]}
    assert rows["m_rc"]["contribution"] == pytest.approx(0.05)
    assert rows["m_rc"]["share"] == pytest.approx(0.05**2 / 0.05385164807**2, rel=1e-9)
    assert rows["rho_w"]["sensitivity"] == pytest.approx(0.0, abs=1e-12)
    assert rows["rho_a"]["distribution_label"] == "均匀 rectangular"
    assert rows["m_rc"]["description"].startswith("参考砝码")
    assert rows["m_rc"]["dof"] is None
    assert sum(r["share"] for r in rows.values()) == pytest.approx(1.0)


def test_budget_round_trips_through_json(mass_result):
    data = json.loads(json.dumps(mass_result["budgets"][0], ensure_ascii=False))
    budget = Budget.from_dict(data)
    assert budget.to_dict() == data
    assert budget.rows[0].source == "m_rc"
    with pytest.raises(UncertaintyError):
        Budget.from_dict({"rows": []})


def test_excel_export(mass_result, tmp_path):
    budget = Budget.from_dict(mass_result["budgets"][0])
    path = tmp_path / "budget.xlsx"
    data = export_excel(budget, path)
    assert path.read_bytes() == data
    ws = load_workbook(io.BytesIO(data)).active
    headers = [c.value for c in ws[4]]
    assert headers[1] == "输入量/来源\nInput quantity / source"
    assert headers[6].startswith("不确定度分量")
    assert ws.cell(5, 2).value.startswith("m_rc")
    assert ws.cell(5, 3).value == 100000.0  # unrounded numbers in the cells
    assert ws.cell(5, 8).value == "∞"
    values = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(v.startswith("扩展不确定度") for v in values)


def test_pdf_export(mass_result):
    budgets = [Budget.from_dict(b) for b in mass_result["budgets"]]
    buf = io.BytesIO()
    data = export_pdf(budgets, buf)
    assert data.startswith(b"%PDF") and buf.getvalue() == data
    assert b"STSong-Light" in data
    assert len(data) > 2000


# --------------------------------------------------------------------------- templates

TEMPLATE = {
    "name": "JJG 99 砝码 E2 比较法",
    "description": "mass comparison with air buoyancy correction",
    "model": "(m_rc + dm_rc) * (1 + (rho_a - 1.2) * (1/rho_w - 1/rho_r)) - 100000",
    "inputs": {
        "m_rc": {"value": 100000.0, "u": 0.05},
        "dm_rc": {"observations": None},
        "rho_a": {"distribution": "rectangular", "value": None, "half_width": 0.1},
        "rho_w": {"distribution": "rectangular", "low": 7000, "high": 9000},
        "rho_r": {"distribution": "rectangular", "low": 7950, "high": 8050},
    },
    "options": {"coverage_probability": 0.95, "k": 2, "monte_carlo": None},
}


def test_template_round_trip_fill_and_evaluate():
    t = BudgetTemplate.from_dict(copy.deepcopy(TEMPLATE))
    assert t.missing() == ["inputs.dm_rc.observations", "inputs.rho_a.value"]
    assert BudgetTemplate.from_dict(json.loads(json.dumps(t.to_dict()))).to_dict() == t.to_dict()
    payload = t.fill({"dm_rc": {"observations": [1.22, 1.25, 1.23, 1.24]}, "rho_a": {"value": 1.18}})
    out = evaluate_request(payload)
    assert out["gum"]["k"] == 2.0
    assert {r["source"]: r["dof"] for r in out["budget"]}["dm_rc"] == 3.0
    assert t.missing()  # the template itself is unchanged


@pytest.mark.parametrize(("fill", "field"), [
    ({"dm_rc": {"observations": [1.2, 1.3]}}, "inputs.rho_a.value"),
    ({"zz": {"value": 1}}, "inputs.zz"),
    ({"rho_a": {"low": 1.0}}, "inputs.rho_a.low"),
])
def test_template_fill_errors(fill, field):
    t = BudgetTemplate.from_dict(copy.deepcopy(TEMPLATE))
    with pytest.raises(UncertaintyError) as err:
        t.fill(fill)
    assert err.value.field == field


@pytest.mark.parametrize(("change", "field"), [
    ({"model": "m_rc + "}, "model"),
    ({"inputs": {"m_rc": {"value": 1, "u": 1}}}, "inputs"),
    ({"options": {"colour": 1}}, "options.colour"),
    ({"extra": 1}, "extra"),
])
def test_template_checks(change, field):
    data = copy.deepcopy(TEMPLATE)
    data.update(change)
    with pytest.raises(UncertaintyError) as err:
        BudgetTemplate.from_dict(data)
    assert err.value.field == field


def test_excel_export_never_writes_a_formula_from_a_users_text(mass_result):
    planted = '=HYPERLINK("http://evil.example/x","点此")'
    d = dict(mass_result["budgets"][0])
    d["rows"] = [dict(r) for r in d["rows"]]
    d["rows"][0]["source"] = planted
    data = export_excel(Budget.from_dict(d), title=planted)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["A1"].value == planted and ws["A1"].data_type == "s"
    assert ws.cell(5, 2).value.startswith(planted)
