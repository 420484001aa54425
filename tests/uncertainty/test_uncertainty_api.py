"""evaluate_request: the JSON contract the API layer relies on, and its errors with field paths."""

import copy
import json

import pytest

from jiliang.uncertainty import UncertaintyError, evaluate_request

PAYLOAD = {
    "model": "V / I",
    "inputs": {"V": {"value": 5.0, "u": 0.003, "dof": 9},
               "I": {"distribution": "rectangular", "low": 0.0195, "high": 0.0205}},
    "correlations": [["V", "I", 0.2]],
    "coverage_probability": 0.95,
    "k": 2,
    "monte_carlo": {"trials": 200_000, "seed": 1},
}


@pytest.fixture(scope="module")
def result():
    return evaluate_request(copy.deepcopy(PAYLOAD))


def test_result_shape_and_json_safety(result):
    text = json.dumps(result, allow_nan=False, ensure_ascii=False)
    assert json.loads(text)["gum"]["y"] == pytest.approx(250.0)
    g = result["gum"]
    for key in ("y", "u", "dof", "k", "U", "interval", "display"):
        assert key in g
    m = result["monte_carlo"]
    for key in ("y", "u", "interval_symmetric", "interval_shortest", "histogram", "display", "seed", "trials"):
        assert key in m
    v = result["validation"]
    for key in ("gum_validated", "d_low", "d_high", "delta"):
        assert key in v
    assert [row["source"] for row in result["budget"]] == ["V", "I"]


def test_gum_numbers(result):
    """u_c² = c_V²u_V² + c_I²u_I² + 2 c_V c_I r u_V u_I (JCGM 100 eq. (16)); c_V = 1/I, c_I = −V/I²."""
    g = result["gum"]
    u_v, u_i = 0.003, 0.001 / 12**0.5
    c_v, c_i = 1 / 0.02, -5.0 / 0.02**2
    expected = ((c_v * u_v) ** 2 + (c_i * u_i) ** 2 + 2 * c_v * c_i * 0.2 * u_v * u_i) ** 0.5
    assert g["u"] == pytest.approx(expected, rel=1e-12)
    assert g["sensitivity_coefficients"] == {"V": pytest.approx(c_v), "I": pytest.approx(c_i)}
    # V (ν = 9) is correlated with I: W–S does not apply (JCGM 100 G.4); k = 2 is used and the notes say so
    assert g["dof"] is None and g["dof_evaluated"] is False and g["k"] == 2.0
    assert "not evaluated" in g["dof_method"]
    assert any("V–I" in n and "not evaluated" in n for n in result["notes"])
    assert g["display"]["U"] == "7.2"  # 2 × 3.59


def test_monte_carlo_and_histogram(result):
    m = result["monte_carlo"]
    h = m["histogram"]
    assert len(h["edges"]) == 61 and len(h["counts"]) == 60
    assert sum(h["counts"]) + h["below"] + h["above"] == m["trials"] == 200_000
    assert m["interval_shortest"][0] < m["y"] < m["interval_shortest"][1]
    assert m["u"] == pytest.approx(result["gum"]["u"], rel=0.02)


def test_copula_is_stated_in_the_notes(result):
    assert any("Gaussian copula" in n for n in result["notes"])


def test_reproducible_with_a_seed():
    a = evaluate_request(copy.deepcopy(PAYLOAD))
    b = evaluate_request(copy.deepcopy(PAYLOAD))
    assert a["monte_carlo"]["interval_shortest"] == b["monte_carlo"]["interval_shortest"]
    other = copy.deepcopy(PAYLOAD)
    other["monte_carlo"]["seed"] = 2
    assert evaluate_request(other)["monte_carlo"]["y"] != a["monte_carlo"]["y"]


def test_infinite_dof_is_null_and_options():
    out = evaluate_request({"model": ["a + b", "a * b"], "inputs": {"a": {"value": 1.0, "u": 0.1},
                                                                 "b": {"value": 2.0, "u": 0.2}},
                            "second_order": True, "monte_carlo": {"adaptive": True, "seed": 3}})
    assert out["gum"]["dof"] is None
    assert [o["name"] for o in out["outputs"]] == ["y1", "y2"]
    assert out["outputs"][1]["gum"]["second_order_variance"] == pytest.approx(0.5 * 2 * 0.1**2 * 0.2**2)
    assert out["monte_carlo"]["adaptive"] is True and out["monte_carlo"]["converged"] is True
    assert len(out["output_covariance"]["gum"]["covariance"]) == 2


def test_type_a_observations_input():
    out = evaluate_request({"model": "2 * T", "inputs": {"T": {"observations": [20.1, 20.3, 20.2, 20.2]}},
                            "monte_carlo": None})
    assert out["gum"]["y"] == pytest.approx(40.4)
    assert out["gum"]["dof"] == pytest.approx(3.0)
    assert out["budget"][0]["distribution"] == "type_a"


BAD = [
    ({"inputs": {"I": {"distribution": "rectangular", "low": 0.0205, "high": 0.0195}}}, "inputs.I.high"),
    ({"inputs": {"V": {"value": 5.0, "u": -0.003}}}, "inputs.V.u"),
    ({"inputs": {"V": {"value": 5.0, "u": 0.003, "dof": 0}}}, "inputs.V.dof"),
    ({"inputs": {"V": {"value": 5.0, "u": 0.003, "extra": 1}}}, "inputs.V.extra"),
    ({"inputs": {"W": {"value": 1.0, "u": 0.1}}}, "inputs.W"),
    ({"model": "V / I / R"}, "inputs"),
    ({"model": "V / I + os.getcwd()"}, "model"),
    ({"model": "V / (I - 0.02)", "correlations": []}, "model"),
    ({"correlations": [["V", "I", 1.5]]}, "correlations.0"),
    ({"correlations": [["V", "X", 0.5]]}, "correlations.0"),
    ({"correlations": [["V", "I", "observations"]]}, "correlations.0"),
    ({"correlations": "V,I"}, "correlations"),
    ({"coverage_probability": 1.0}, "coverage_probability"),
    ({"coverage_probability": "95%"}, "coverage_probability"),
    ({"k": -2}, "k"),
    ({"monte_carlo": {"trials": 10**8}}, "monte_carlo.trials"),
    ({"monte_carlo": {"trials": 100}}, "monte_carlo.trials"),
    ({"monte_carlo": {"trials": 1.5e6}}, "monte_carlo.trials"),
    ({"monte_carlo": {"seed": -1}}, "monte_carlo.seed"),
    ({"monte_carlo": {"speed": "fast"}}, "monte_carlo.speed"),
    ({"monte_carlo": "yes"}, "monte_carlo"),
    ({"second_order": "yes"}, "second_order"),
    ({"second_order": True}, "second_order"),
    ({"rounding": {"digits": 3}}, "significant_digits"),
    ({"unexpected": 1}, "unexpected"),
]


@pytest.mark.parametrize(("change", "field"), BAD)
def test_errors_name_the_field(change, field):
    payload = copy.deepcopy(PAYLOAD)
    payload["monte_carlo"] = {"trials": 20_000, "seed": 1}
    for key, value in change.items():
        if key == "inputs":
            payload["inputs"].update(value)
            if "W" in value:
                continue
        elif key == "monte_carlo" and isinstance(value, dict):
            payload["monte_carlo"] = value
        else:
            payload[key] = value
    with pytest.raises(UncertaintyError) as err:
        evaluate_request(payload)
    assert err.value.field == field, err.value
    assert err.value.to_dict()["field"] == field


def test_model_error_carries_the_column():
    payload = copy.deepcopy(PAYLOAD)
    payload["model"] = "V / I + os.getcwd()"
    with pytest.raises(UncertaintyError) as err:
        evaluate_request(payload)
    assert err.value.column == 8


def test_trial_limit_is_a_parameter():
    payload = copy.deepcopy(PAYLOAD)
    payload["monte_carlo"] = {"trials": 100_000}
    with pytest.raises(UncertaintyError) as err:
        evaluate_request(payload, max_trials=50_000)
    assert err.value.field == "monte_carlo.trials" and "limit" in err.value.message


def test_not_an_object():
    with pytest.raises(UncertaintyError):
        evaluate_request([1, 2])  # type: ignore[arg-type]
    with pytest.raises(UncertaintyError) as err:
        evaluate_request({"inputs": {}})
    assert err.value.field == "model"
