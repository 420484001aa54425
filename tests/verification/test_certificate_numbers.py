"""Numbers a metrologist can sign (issue #9 items 4 and 5): U with at most two significant digits and the
result to its decimal place (JJF 1059.1-2012 5.3.8.1, 5.3.8.3) in the signed content, the PDF and the DCC;
no legal verification verdict with U above a third of the MPE (JJF 1094-2002 5.3.1)."""

import pytest
from django.core.exceptions import ValidationError
from verification_helpers import KG, pdf_text, scale_points

from jiliang.verification import dcc, dcc_bridge, services, signing
from jiliang.verification.models import WorkStatus


def test_verification_certificate_reports_rounded_U_and_error(flow):
    # 500e: error 2.50253 − 2.5 = 0.00253 kg; U = 0.001666667 kg (e/3 as a budget might give it)
    points = scale_points([("Min", "0.1", "0.1"), ("500e", "2.5", "2.50253"), ("2000e", "10", "9.995"),
                           ("Max", "15", "15.005")])
    points[1]["U"] = "0.0008333333"
    cert = flow.issued(points=points)
    p = {q["label"]: q for q in cert.content["points"]}
    assert p["500e"]["U"] == "0.00083" and p["500e"]["error"] == "0.00253"
    assert p["Min"]["U"] == "0.0005" and p["Min"]["error"] == "0.0000"  # U recorded with one digit stands
    assert signing.verify(cert.signing_key.public_key, cert.content, cert.signature)
    text = pdf_text(cert.pdf)
    assert "0.00083 (k=2)" in text and "0.00253 kg" in text and "0.0008333333" not in text


def test_calibration_dcc_carries_rounded_values(flow, dcc_schema):
    points = [{"label": "P1", "reference_value": "2.5", "indication": "2.502134", "unit": KG, "U": "0.000416666",
               "k": "2"},
              {"label": "P2", "reference_value": "10", "indication": "9.99695", "unit": KG, "U": "0.0012", "k": "2"}]
    cert = flow.issued(kind="calibration", method="JJF 1847-2020", points=points)
    p = {q["label"]: q for q in cert.content["points"]}
    assert (p["P1"]["U"], p["P1"]["error"]) == ("0.00042", "0.00213")
    assert (p["P2"]["U"], p["P2"]["error"]) == ("0.0012", "-0.0030")
    quantities = {q.label: q for q in dcc.read_dcc(dcc_bridge.export_dcc(cert)).all_quantities()}
    assert str(quantities["P1/err"].uncertainty.value) == "0.00042"
    assert str(quantities["P1/err"].value) == "0.00213"
    assert str(quantities["P2/err"].value) == "-0.0030"
    assert "0.000416666" not in pdf_text(cert.pdf)


def test_verdict_with_U_above_a_third_of_the_mpe_is_not_approved(flow):
    """A 合格 with U four times the MPE was issued; now approval names the point, U, MPE and the ratio."""
    points = scale_points()
    points[0]["U"] = "0.01"  # Min = 20 e: MPE ±0.5 e = ±0.0025 kg, U/MPE = 4
    wo = flow.request()
    flow.to_measured(wo, points)
    services.check(wo, actor=flow.checker_user)
    with pytest.raises(ValidationError) as err:
        services.approve(wo, actor=flow.approver_user)
    (message,) = err.value.message_dict["uncertainty"]
    assert "Min" in message and "0.01" in message and "±0.0025" in message and "4.00" in message
    assert "1/3" in message and "JJF 1094" in message
    wo.refresh_from_db()
    assert wo.status == WorkStatus.CHECKED and not wo.items.get().certificates.exists()


def test_U_at_a_third_of_the_mpe_passes_and_calibrations_are_not_checked(flow):
    points = scale_points()
    points[0]["U"] = "0.00083"  # 0.33 of ±0.0025 kg
    assert flow.issued(points=points).content["outcome"] == "pass"
    cal = [{"label": "P1", "reference_value": "2.5", "indication": "2.5021", "unit": KG, "U": "0.5", "k": "2"}]
    assert flow.issued(kind="calibration", method="JJF 1847-2020", points=cal).kind == "calibration"


def test_limit_set_by_the_regulation_is_used(flow, tmp_path, monkeypatch):
    """A regulation file's ``uncertainty_limit`` replaces JJF 1094's third (here a quarter, for the test)."""
    import json

    from jiliang.verification import decisions
    from jiliang.verification.rules.loader import DATA_DIR, load_regulation_file

    raw = json.loads((DATA_DIR / "JJG539-2016.json").read_text(encoding="utf-8"))
    clause = raw["clauses"][0]["id"]
    raw["uncertainty_limit"] = {"ratio": "0.25", "clause": clause, "confidence": "M"}
    (tmp_path / "JJG539-2016.json").write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    reg = load_regulation_file(tmp_path / "JJG539-2016.json")
    assert reg.uncertainty_limit[0] == 0.25
    monkeypatch.setattr(decisions, "load_regulation", lambda _id: reg)
    points = scale_points()
    points[0]["U"] = "0.00075"  # 0.30 of ±0.0025 kg: within a third, above a quarter
    wo = flow.request()
    flow.to_measured(wo, points)
    services.check(wo, actor=flow.checker_user)
    with pytest.raises(ValidationError) as err:
        services.approve(wo, actor=flow.approver_user)
    (message,) = err.value.message_dict["uncertainty"]
    assert "0.30 of the MPE" in message and "1/4" in message and reg.clauses[clause].citation in message
