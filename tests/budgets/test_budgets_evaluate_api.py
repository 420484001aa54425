"""POST /api/uncertainty/evaluate and /export: the issue's example, every bad input, limits, files."""

import copy
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from tests.budgets.conftest import EXAMPLE, SMALL, example
from tests.conftest import client_for, web_client_for

EVALUATE = "/api/uncertainty/evaluate"
EXPORT = "/api/uncertainty/export"


def post(client, payload, url=EVALUATE):
    return client.post(url, json.dumps(payload), content_type="application/json")


def test_urls_are_the_documented_ones():
    assert reverse("api:uncertainty-evaluate") == EVALUATE
    assert reverse("api:uncertainty-export") == EXPORT


@pytest.fixture
def example_response(world):
    return post(client_for(world.users["institute"]), copy.deepcopy(EXAMPLE))


def test_issue_example(example_response):
    assert example_response.status_code == 200, example_response.content
    body = example_response.json()
    g, mc, v = body["gum"], body["monte_carlo"], body["validation"]
    assert g["y"] == pytest.approx(250.0, abs=1e-9)
    for key in ("y", "u", "dof", "k", "U", "interval"):
        assert key in g
    for key in ("y", "u", "interval_symmetric", "interval_shortest"):
        assert key in mc
    assert isinstance(v["gum_validated"], bool)
    assert [row["source"] for row in body["budget"]] == ["V", "I"]
    for row in body["budget"]:
        for key in ("estimate", "std_uncertainty", "distribution", "sensitivity", "contribution", "dof", "share"):
            assert key in row
    # unrounded numbers alongside the display values rounded per JJF 1059.1
    assert g["display"]["U"] == "7.2" and g["U"] == pytest.approx(2 * g["u"], rel=1e-12)
    assert g["display"]["y"] == "250.0"
    assert isinstance(g["u"], float) and g["display"]["u"] == "3.6"
    assert mc["trials"] == 1_000_000 and mc["seed"] == 1
    assert mc["display"]["interval_shortest"] and len(mc["interval_shortest"]) == 2
    assert mc["u"] == pytest.approx(g["u"], rel=0.01)
    # V (ν = 9) correlated with I: no ν_eff (JCGM 100 G.4, issue #9); the fixed k = 2 is used and noted
    assert g["dof"] is None and g["dof_evaluated"] is False and g["k"] == 2.0
    assert any("not evaluated" in n and "V–I" in n for n in body["notes"])
    assert mc["histogram"]["counts"] and len(mc["histogram"]["edges"]) == len(mc["histogram"]["counts"]) + 1


def test_infinite_dof_is_null(world):
    payload = example(inputs={"V": {"value": 5.0, "u": 0.003}, "I": {"value": 0.02, "u": 0.0001}},
                      correlations=[], monte_carlo=None)
    body = post(client_for(world.users["enterprise"]), payload).json()
    assert body["gum"]["dof"] is None and body["monte_carlo"] is None and body["validation"] is None


def _inputs(**changes):
    inputs = copy.deepcopy(EXAMPLE["inputs"])
    inputs.update(changes)
    return inputs


BAD = {
    "name outside the whitelist": (dict(model="__import__('os').system('true') + V / I"), "model"),
    "attribute": (dict(model="V.real / I"), "model"),
    "call": (dict(model="eval('1') + V / I"), "model"),
    "construct (lambda)": (dict(model="(lambda x: x)(V) / I"), "model"),
    "construct (comparison)": (dict(model="V / I if V > 1 else V"), "model"),
    "syntax": (dict(model="V / (I"), "model"),
    "exponent overflow": (dict(model="V ** 1000 / I"), "model"),
    "division by zero at the estimates": (dict(model="V / (I - 0.02)"), "model"),
    "unknown symbol": (dict(model="V / I + W"), "inputs"),
    "unused symbol": (dict(inputs=_inputs(X={"value": 1.0, "u": 0.1})), "inputs.X"),
    "negative uncertainty": (dict(inputs=_inputs(V={"value": 5.0, "u": -0.003})), "inputs.V.u"),
    "dof zero": (dict(inputs=_inputs(V={"value": 5.0, "u": 0.003, "dof": 0})), "inputs.V.dof"),
    "dof negative": (dict(inputs=_inputs(V={"value": 5.0, "u": 0.003, "dof": -2})), "inputs.V.dof"),
    "low above high": (dict(inputs=_inputs(I={"distribution": "rectangular", "low": 0.0205, "high": 0.0195})),
                       "inputs.I.high"),
    "correlation outside [-1, 1]": (dict(correlations=[["V", "I", 1.5]]), "correlations.0"),
    "correlation matrix not positive semi-definite": (
        dict(model="a + b + c", inputs={n: {"value": 1.0, "u": 0.1} for n in "abc"},
             correlations=[["a", "b", 0.9], ["b", "c", 0.9], ["a", "c", -0.9]]), "correlations"),
    "M beyond the limit": (dict(monte_carlo={"trials": 10**8}), "monte_carlo.trials"),
    "coverage probability": (dict(coverage_probability=1.5), "coverage_probability"),
    "unknown field": (dict(colour="blue"), "colour"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_400_naming_the_field(world, case):
    changes, field = BAD[case]
    response = post(client_for(world.users["institute"]), example(**changes))
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["field"] == field
    assert body["detail"]


def test_model_errors_carry_their_column(world):
    body = post(client_for(world.users["institute"]), example(model="V / (I")).json()
    assert body["field"] == "model" and isinstance(body["column"], int)


def test_unauthenticated_is_refused(world):
    from rest_framework.test import APIClient

    for url in (EVALUATE, EXPORT + "?format=xlsx"):
        response = post(APIClient(), copy.deepcopy(SMALL), url)
        assert response.status_code in (401, 403)


def test_token_and_session_authentication(world):
    from rest_framework.test import APIClient

    from jiliang.core.services import create_api_token

    _token, key = create_api_token(actor=world.users["kunshan"], name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert post(client, copy.deepcopy(SMALL)).status_code == 200
    assert post(web_client_for(world.users["suzhou"]), copy.deepcopy(SMALL)).status_code == 200


def test_session_requests_need_the_csrf_token(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["institute"])
    assert post(client, copy.deepcopy(SMALL)).status_code == 403


def test_trial_cap_is_configurable(world, settings):
    settings.JILIANG_MC_MAX_TRIALS = 50_000
    client = client_for(world.users["institute"])
    response = post(client, example(monte_carlo={"trials": 50_001}))
    assert response.status_code == 400
    assert response.json()["field"] == "monte_carlo.trials"
    assert "50000" in response.json()["detail"]
    assert post(client, example(monte_carlo={"trials": 50_000, "seed": 1})).status_code == 200
    # a request that leaves M to the default gets the cap, not a refusal
    body = post(client, example(monte_carlo={"seed": 1})).json()
    assert body["monte_carlo"]["trials"] == 50_000


def test_body_size_limit(world, settings):
    settings.JILIANG_UNCERTAINTY_MAX_BODY_BYTES = 2000
    client = client_for(world.users["institute"])
    big = example(inputs=_inputs(T={"observations": [20.0 + i / 1000 for i in range(500)]}), model="V / I + 0 * T")
    response = post(client, big)
    assert response.status_code == 413
    assert "2000" in response.json()["detail"]
    assert post(client, copy.deepcopy(SMALL)).status_code == 200


def test_body_must_be_json(world):
    client = client_for(world.users["institute"])
    response = client.post(EVALUATE, "{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["field"] is None
    response = client.post(EVALUATE, '{"model": NaN}', content_type="application/json")
    assert response.status_code == 400
    response = post(client, ["V / I"])
    assert response.status_code == 400 and "object" in response.json()["detail"]


def test_export_xlsx(world):
    response = post(client_for(world.users["institute"]), copy.deepcopy(SMALL), EXPORT + "?format=xlsx")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    cells = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert "V" in cells and "I" in cells
    assert any(isinstance(c, str) and "标准不确定度" in c for c in cells)


def test_export_pdf(world):
    response = post(client_for(world.users["institute"]), copy.deepcopy(SMALL), EXPORT + "?format=pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_export_default_format_and_errors(world):
    client = client_for(world.users["institute"])
    assert post(client, copy.deepcopy(SMALL), EXPORT)["Content-Type"].startswith("application/vnd.openxml")
    bad = post(client, copy.deepcopy(SMALL), EXPORT + "?format=docx")
    assert bad.status_code == 400 and bad.json()["field"] == "format"
    bad = post(client, example(model="V / (I - 0.02)"), EXPORT + "?format=pdf")
    assert bad.status_code == 400 and bad.json()["field"] == "model"


def test_schema_documents_the_endpoints(world):
    response = client_for(world.users["province"]).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    assert "/api/uncertainty/evaluate" in paths and "/api/uncertainty/export" in paths
    assert "/api/uncertainty/budgets/" in paths and "/api/uncertainty/templates/{id}/fill/" in paths


# --- bounds on one evaluation (issue #11 item 7) ----------------------------------------------------------


def test_a_ten_thousand_input_model_is_400(world):
    inputs = {f"x{i}": {"value": 1.0, "u": 0.1} for i in range(10_000)}
    response = post(client_for(world.users["institute"]), {"model": "x0 + x1", "inputs": inputs})
    assert response.status_code == 400 and response.json()["field"] == "inputs"
    assert "at most 100" in response.json()["detail"]


@pytest.mark.parametrize("model", ["x**1e308", "1e308**x"])
def test_overflow_is_400_not_500(world, model):
    response = post(client_for(world.users["institute"]), {"model": model, "inputs": {"x": {"value": 0.5, "u": 0.1}},
                                                           "monte_carlo": {"trials": 10_000}})
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert response.json()["field"] == "model" and "floating-point" in response.json()["detail"]


def test_limits_come_from_the_settings(world, settings):
    client = client_for(world.users["institute"])
    settings.JILIANG_UNCERTAINTY_MAX_OUTPUTS = 2
    response = post(client, example(model=["V / I", "V * I", "V"], monte_carlo=None))
    assert response.status_code == 400 and response.json()["field"] == "model"
    assert "at most 2" in response.json()["detail"]
    settings.JILIANG_UNCERTAINTY_MAX_SAMPLE_VALUES = 30_000
    response = post(client, example(model=["V / I", "V * I"], monte_carlo={"trials": 20_000}))
    assert response.status_code == 400 and response.json()["field"] == "monte_carlo.trials"
    settings.JILIANG_UNCERTAINTY_MAX_INPUTS = 1
    assert post(client, copy.deepcopy(SMALL)).json()["field"] == "inputs"
    settings.JILIANG_UNCERTAINTY_MAX_INPUTS = 100
    settings.JILIANG_UNCERTAINTY_MAX_SAMPLE_VALUES = 10**7
    settings.JILIANG_UNCERTAINTY_TIME_LIMIT_S = 0.05
    response = post(client, example(monte_carlo={"trials": 5_000_000}))
    assert response.status_code == 400 and "0.05 s" in response.json()["detail"]


def test_evaluations_beyond_the_slots_are_refused_with_503(world, settings, tmp_path):
    """At most JILIANG_UNCERTAINTY_MAX_CONCURRENT evaluations run at once on a host (lock files, so across
    processes); one that finds no free slot within JILIANG_UNCERTAINTY_SLOT_WAIT_S gets 503 and Retry-After."""
    from jiliang.budgets import evaluation

    settings.VAR_DIR = tmp_path
    settings.JILIANG_UNCERTAINTY_MAX_CONCURRENT = 1
    settings.JILIANG_UNCERTAINTY_SLOT_WAIT_S = 0.2
    client = client_for(world.users["institute"])
    with evaluation.evaluation_slot():
        response = post(client, copy.deepcopy(SMALL))
        assert response.status_code == 503 and response["Retry-After"] == "30"
        assert "busy" in response.json()["detail"]
    assert post(client, copy.deepcopy(SMALL)).status_code == 200
    settings.JILIANG_UNCERTAINTY_MAX_CONCURRENT = 2
    with evaluation.evaluation_slot():
        assert post(client, copy.deepcopy(SMALL)).status_code == 200
