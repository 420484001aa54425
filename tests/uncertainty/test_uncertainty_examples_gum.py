"""Published worked examples of JCGM 100:2008 (GUM) Annex H, evaluated by the GUM framework.

GUM results must equal the published figures to the digits printed there.
"""

import math

import pytest

from jiliang.uncertainty import (
    Arcsine,
    Model,
    Normal,
    Rectangular,
    evaluate_gum,
    evaluate_request,
)
from jiliang.uncertainty.rounding import round_to, round_uncertainty

# --------------------------------------------------------------------------- H.1 end gauge

H1_MODEL = "l_s + d0 + d1 + d2 - l_s*(d_alpha*(theta_bar + Delta) + alpha_s*d_theta)"


def h1_inputs():
    """JCGM 100 H.1, Table H.1 (lengths in nm).

    l_s: certificate U = 0.075 µm with k = 3, ν = 18 → 25 nm; d: mean of 25 comparisons
    (5.8 nm, ν = 24), random comparator effects (10 nm at 95 % with ν = 5 → 3.9 nm) and
    systematic comparator effects (0.02 µm at k = 3, ν = 8 → 6.7 nm); α_s: rectangular ±2×10⁻⁶
    /°C; θ = θ̄ + Δ with u(θ̄) = 0.2 °C and Δ cyclic ±0.5 °C (arc sine); δα: rectangular
    ±1×10⁻⁶ /°C with ν = 50; δθ: rectangular ±0.05 °C with ν = 2.
    """
    return {
        "l_s": Normal(50_000_623.0, 25.0, 18),
        "d0": Normal(215.0, 5.8, 24),
        "d1": Normal(0.0, 3.9, 5),
        "d2": Normal(0.0, 6.7, 8),
        "alpha_s": Rectangular(11.5e-6 - 2e-6, 11.5e-6 + 2e-6),
        "theta_bar": Normal(-0.1, 0.2),
        "Delta": Arcsine(-0.5, 0.5),
        "d_alpha": Rectangular(-1e-6, 1e-6, 50),
        "d_theta": Rectangular(-0.05, 0.05, 2),
    }


def test_h1_end_gauge_first_order():
    """JCGM 100 H.1.5, H.1.6: l = 50.000 838 mm, u_c(l) = 32 nm, ν_eff = 16 (from 16.7),
    t_99(16) = 2.92, U_99 = t_99(16)·u_c = 2.92 × 32 nm = 93 nm.

    The GUM multiplies the rounded u_c = 32 nm; without that intermediate rounding U_99 =
    92.48 nm, which is 92 nm when rounded half-even (GB/T 8170) and 93 nm when rounded up as
    JJF 1059.1 5.3.8.2 allows.
    """
    g = evaluate_gum(Model.from_expression(H1_MODEL), h1_inputs(), p=0.99).output()
    assert round(g.y) == 50_000_838
    assert str(round_uncertainty(g.u)) == "32"
    assert g.dof == pytest.approx(16.7, abs=0.1)  # the GUM works from the rounded components of Table H.1
    assert math.floor(g.dof) == 16
    assert round(g.k, 2) == 2.92
    assert round(round(g.k, 2) * float(round_uncertainty(g.u))) == 93
    assert g.U == pytest.approx(92.48, abs=0.01)
    assert str(round_uncertainty(g.U, mode="up")) == "93"
    assert str(round_uncertainty(g.U)) == "92"
    # the sensitivity coefficients of Table H.1: c(δα) = −l_s θ, c(δθ) = −l_s α_s, zero for α_s and θ
    assert g.sensitivities["d_alpha"] == pytest.approx(-50_000_623.0 * -0.1)
    assert g.sensitivities["d_theta"] == pytest.approx(-50_000_623.0 * 11.5e-6)
    assert g.sensitivities["alpha_s"] == 0.0
    assert g.sensitivities["theta_bar"] == 0.0
    # components of Table H.1 (nm): 25, 9.7 (the three parts of d), 2.9, 16.6
    comp = {k: abs(v) for k, v in g.components.items()}
    assert round(math.sqrt(comp["d0"] ** 2 + comp["d1"] ** 2 + comp["d2"] ** 2), 1) == 9.7
    assert round(comp["d_alpha"], 1) == 2.9
    assert round(comp["d_theta"], 1) == 16.6


def test_h1_end_gauge_second_order():
    """JCGM 100 H.1.7: with the non-negligible second-order terms u_c(l) = 34 nm."""
    g = evaluate_gum(Model.from_expression(H1_MODEL), h1_inputs(), p=0.99, second_order=True).output()
    assert str(round_uncertainty(g.u)) == "34"
    assert g.u_first_order == pytest.approx(31.66, abs=0.01)


def test_h1_through_the_request_with_display():
    """JCGM 100 H.1 via evaluate_request: the display rounds U to two digits, up (JJF 1059.1
    5.3.8.2), and l to the same place (5.3.8.3): l = 50 000 838 nm, U_99 = 93 nm as published."""
    inputs = {name: d.to_dict() for name, d in h1_inputs().items()}
    out = evaluate_request({"model": H1_MODEL, "inputs": inputs, "coverage_probability": 0.99,
                            "monte_carlo": None, "unit": "nm", "rounding": {"mode": "up"}})
    assert out["gum"]["display"]["U"] == "93"
    assert out["gum"]["display"]["y"] == "50000838"
    assert out["gum"]["display"]["u"] == "32"
    assert out["monte_carlo"] is None and out["validation"] is None
    assert len(out["budget"]) == 9


# --------------------------------------------------------------------------- H.2 R, X, Z

H2_V = [5.007, 4.994, 5.005, 4.990, 4.999]
H2_I = [19.663e-3, 19.639e-3, 19.640e-3, 19.685e-3, 19.678e-3]
H2_PHI = [1.0456, 1.0438, 1.0468, 1.0428, 1.0433]


def h2_request(**extra):
    """JCGM 100 H.2, Table H.2: five simultaneous observations of V, I and φ; the correlation
    coefficients of the means come from the same observations (5.2.3)."""
    return {
        "model": {"R": "V/I*cos(phi)", "X": "V/I*sin(phi)", "Z": "V/I"},
        "inputs": {"V": {"observations": H2_V}, "I": {"observations": H2_I}, "phi": {"observations": H2_PHI}},
        "correlations": [["V", "I", "observations"], ["V", "phi", "observations"], ["I", "phi", "observations"]],
        "monte_carlo": None,
        **extra,
    }


def test_h2_resistance_reactance_impedance():
    """JCGM 100 H.2.3–H.2.4, Tables H.3 and H.4 (both approaches print the same figures): R = 127.732 Ω, X = 219.847 Ω, Z = 254.260 Ω;
    u(R) = 0.071 Ω, u(Z) = 0.236 Ω; r(R, X) = −0.588, r(R, Z) = −0.485, r(X, Z) = 0.993.

    u(X): the table prints 0.295 Ω; the data give 0.2956 Ω (so does GTC's
    type_a.multi_estimate_real on the same data), i.e. 0.296 when rounded — the published
    figure is matched to within one unit of its last digit, not to the rounding.
    """
    out = evaluate_request(h2_request())
    by = {o["name"]: o["gum"] for o in out["outputs"]}
    assert round(by["R"]["y"], 3) == 127.732
    assert round(by["X"]["y"], 3) == 219.847
    assert round(by["Z"]["y"], 3) == 254.260
    assert round(by["R"]["u"], 3) == 0.071
    assert round(by["Z"]["u"], 3) == 0.236
    assert abs(by["X"]["u"] - 0.295) < 0.001
    corr = out["output_covariance"]["gum"]["correlation"]
    assert round(corr[0][1], 3) == -0.588
    assert round(corr[0][2], 3) == -0.485
    assert round(corr[1][2], 3) == 0.993


def test_h2_input_correlations_and_dof():
    """JCGM 100 H.2.2, Table H.2: r(V̄, Ī) = −0.36, r(V̄, φ̄) = 0.86, r(Ī, φ̄) = −0.65;
    s(V̄) = 0.0032 V, s(Ī) = 0.0095 mA, s(φ̄) = 0.00075 rad. The three means form one ensemble
    with ν = 4, so ν_eff = 4 (Willink 2007; the GUM gives no ν_eff here)."""
    out = evaluate_request(h2_request())
    m = out["input_correlation"]["matrix"]
    assert (round(m[0][1], 2), round(m[0][2], 2), round(m[1][2], 2)) == (-0.36, 0.86, -0.65)
    u = {i["name"]: i["u"] for i in out["inputs"]}
    assert round(u["V"], 4) == 0.0032
    assert round(u["I"] * 1e3, 4) == 0.0095
    assert round(u["phi"], 5) == 0.00075
    for o in out["outputs"]:
        assert o["gum"]["dof"] == pytest.approx(4.0)
        assert round(o["gum"]["k"], 2) == 2.78  # t_95(4), although W–S gives 3.999… in floating point


def test_jjf_k2_convention_and_rounding():
    """JJF 1059.1: U = k u_c with k = 2 by convention; 5.3.8: U to at most two digits,
    the estimate to the same decimal place."""
    out = evaluate_request({"model": "V / I", "inputs": {"V": {"value": 5.0, "u": 0.003},
                                                        "I": {"value": 0.02, "u": 0.0001}},
                            "k": 2, "monte_carlo": None})
    g = out["gum"]
    assert g["k"] == 2.0 and g["p"] is None
    assert g["U"] == pytest.approx(2 * g["u"])
    assert g["display"]["U"] == str(round_uncertainty(g["U"]))
    assert g["display"]["y"] == str(round_to(g["y"], round_uncertainty(g["U"])))
