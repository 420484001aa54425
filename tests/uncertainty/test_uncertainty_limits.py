"""Bounds on one evaluation (issue #11 item 7): every refusal is an UncertaintyError naming the field."""

import time

import pytest

from jiliang.uncertainty import UncertaintyError, evaluate_request
from jiliang.uncertainty.limits import Limits, check_time, time_limit


def refused(payload, limits=None) -> UncertaintyError:
    with pytest.raises(UncertaintyError) as err:
        evaluate_request(payload, limits=limits or Limits())
    return err.value


X = {"x": {"value": 1.0, "u": 0.1}}


def test_a_ten_thousand_input_model_is_refused_before_any_work():
    inputs = {f"x{i}": {"value": 1.0, "u": 0.1} for i in range(10_000)}
    started = time.monotonic()
    err = refused({"model": {"a": "x0 + x1"}, "inputs": inputs})
    assert time.monotonic() - started < 1.0
    assert err.field == "inputs" and "10000 input quantities" in err.message and "at most 100" in err.message
    # symbols of the model count too, whatever the inputs say
    many = {f"y{i}": "+".join(f"x{j}" for j in range(i * 50, i * 50 + 50)) for i in range(3)}
    assert refused({"model": many, "inputs": X}).field == "model"


def test_outputs_are_capped():
    err = refused({"model": ["x"] * 21, "inputs": X})
    assert err.field == "model" and "21 output quantities" in err.message
    assert evaluate_request({"model": ["x"] * 20, "inputs": X, "monte_carlo": None}, limits=Limits())["outputs"]


def test_outputs_times_trials_are_capped():
    """The 261-byte request of the issue: many outputs × 10⁷ trials (4 GB) is refused at once."""
    err = refused({"model": ["x"] * 20, "inputs": X, "monte_carlo": {"trials": 10**7}})
    assert err.field == "monte_carlo.trials" and "outputs × trials" in err.message and "M ≤ 500000" in err.message
    # without M the default is lowered to what the cap allows
    out = evaluate_request({"model": ["x"] * 20, "inputs": X, "monte_carlo": {"seed": 1}},
                           limits=Limits(max_sample_values=200_000))
    assert out["monte_carlo"]["trials"] == 10_000
    # the adaptive procedure stops at the cap too
    out = evaluate_request({"model": ["x", "2*x"], "inputs": X, "monte_carlo": {"adaptive": True, "seed": 1,
                                                                               "ndig": 4}},
                           limits=Limits(max_sample_values=60_000))
    assert out["monte_carlo"]["trials"] <= 30_000 and out["monte_carlo"]["converged"] is False


def test_second_order_work_is_capped():
    inputs = {f"x{i}": {"value": 1.0, "u": 0.01} for i in range(51)}
    err = refused({"model": "*".join(inputs), "inputs": inputs, "second_order": True, "monte_carlo": None})
    assert err.field == "second_order" and "2601" in err.message and "2500" in err.message


def test_wall_clock_limit():
    err = refused({"model": "x", "inputs": X, "monte_carlo": {"trials": 5_000_000}}, Limits(time_limit=0.05))
    assert err.field == "monte_carlo.trials" and "0.05 s" in err.message
    with time_limit(10.0):
        check_time()  # within the limit: nothing happens
    check_time()  # no limit set: nothing happens


@pytest.mark.parametrize("model", ["x**1e308", "1e308**x", "x**1e308 * 1e308", "exp(x * 1000)"])
@pytest.mark.parametrize("value", [0.5, 1.0, 2.0])
def test_overflow_is_a_message_never_a_crash(model, value):
    """``x**1e308`` gave a 500 (OverflowError in the budget's shares); now every overflow is refused."""
    try:
        out = evaluate_request({"model": model, "inputs": {"x": {"value": value, "u": 0.1}},
                                "monte_carlo": {"trials": 10_000, "seed": 1}}, limits=Limits())
    except UncertaintyError as exc:
        assert exc.field == "model" and exc.message
    else:
        import json
        json.dumps(out, allow_nan=False)


def test_limits_are_validated():
    with pytest.raises(ValueError):
        Limits(max_inputs=0)
    with pytest.raises(ValueError):
        Limits(time_limit=-1.0)
