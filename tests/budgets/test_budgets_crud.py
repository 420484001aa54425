"""Budget templates and saved budgets: CRUD through the API and the pages, the server-side result, audit."""

import copy
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from tests.budgets.conftest import SMALL, TEMPLATE, example
from tests.conftest import client_for, web_client_for

from jiliang.budgets import services
from jiliang.budgets.models import BudgetTemplate, SavedBudget
from jiliang.core.models import AuditEntry


def test_create_budget_computes_the_result_on_the_server(budgets_world):
    client = client_for(budgets_world.users["institute"])
    forged = {"gum": {"y": 1.0}}
    response = client.post(reverse("api:savedbudget-list"),
                           {"title": "电阻测量", "payload": copy.deepcopy(SMALL), "result": forged}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["institute"] == budgets_world.inst_p.pk  # defaults to the user's institute
    assert body["result"]["gum"]["y"] == pytest.approx(250.0)
    assert body["created_by"] == "institute"
    assert body["attached_to"] is None
    budget = SavedBudget.objects.get(pk=body["id"])
    assert budget.result["monte_carlo"]["trials"] == 20000
    entry = AuditEntry.objects.filter(object_type="budgets.savedbudget", object_id=str(budget.pk)).get()
    assert entry.action == "create" and entry.channel == "api" and entry.actor == budgets_world.users["institute"]


def test_bad_payload_is_400_on_payload(budgets_world):
    client = client_for(budgets_world.users["institute"])
    response = client.post(reverse("api:savedbudget-list"),
                           {"title": "x", "payload": example(model="V / (I - 0.02)")}, format="json")
    assert response.status_code == 400
    assert "model" in response.json()["payload"][0]
    assert not SavedBudget.objects.filter(title="x").exists()


def test_update_re_evaluates_only_when_the_payload_changes(budgets_world):
    budget = budgets_world.budgets["p"]
    client = client_for(budgets_world.users["institute"])
    url = reverse("api:savedbudget-detail", args=[budget.pk])
    before = copy.deepcopy(budget.result)
    assert client.patch(url, {"title": "renamed"}, format="json").status_code == 200
    budget.refresh_from_db()
    assert budget.title == "renamed" and budget.result == before
    payload = copy.deepcopy(SMALL)
    payload["inputs"]["V"]["value"] = 10.0
    response = client.patch(url, {"payload": payload}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["result"]["gum"]["y"] == pytest.approx(500.0)


def test_delete_budget(budgets_world):
    budget = budgets_world.budgets["p"]
    client = client_for(budgets_world.users["institute"])
    assert client.delete(reverse("api:savedbudget-detail", args=[budget.pk])).status_code == 204
    assert not SavedBudget.objects.filter(pk=budget.pk).exists()
    assert AuditEntry.objects.filter(object_type="budgets.savedbudget", object_id=str(budget.pk),
                                     action="delete").exists()


def test_template_crud_and_fill(budgets_world):
    client = client_for(budgets_world.users["institute"])
    response = client.post(reverse("api:budgettemplate-list"),
                           {"name": "质量比较", "procedure": "JJF 1033", "template": copy.deepcopy(TEMPLATE)},
                           format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["institute"] == budgets_world.inst_p.pk
    assert body["missing"] == ["inputs.m_x.value", "inputs.m_x.dof"]
    url = reverse("api:budgettemplate-detail", args=[body["id"]])
    assert client.patch(url, {"description": "E2 砝码"}, format="json").status_code == 200

    fill = reverse("api:budgettemplate-fill", args=[body["id"]])
    response = client.post(fill, {"values": {"m_x": {"value": 100.0, "dof": 5}}, "evaluate": True}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["payload"]["inputs"]["m_x"]["value"] == 100.0
    assert response.json()["result"]["gum"]["y"] == pytest.approx(100.0)
    response = client.post(fill, {"values": {"m_x": {"value": 100.0}}}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "inputs.m_x.dof"

    duplicate = client.post(reverse("api:budgettemplate-list"),
                            {"name": "质量比较", "template": copy.deepcopy(TEMPLATE)}, format="json")
    assert duplicate.status_code == 400

    assert client.delete(url).status_code == 204
    assert not BudgetTemplate.objects.filter(pk=body["id"]).exists()


@pytest.mark.parametrize(("template", "field"), [
    ({"model": "a +", "inputs": {"a": {"value": 1, "u": 1}}}, "model"),
    ({"model": "a", "inputs": {"a": {"value": 1, "u": 1}, "b": {"value": 1, "u": 1}}}, "inputs.b"),
    ({"model": "a", "inputs": {"a": {"value": 1, "sigma": 1}}}, "inputs.a.sigma"),
    ({"model": "a", "inputs": {"a": {"value": 1, "u": 1}}, "colour": 1}, "colour"),
])
def test_template_validation(budgets_world, template, field):
    client = client_for(budgets_world.users["institute"])
    response = client.post(reverse("api:budgettemplate-list"), {"name": "bad", "template": template}, format="json")
    assert response.status_code == 400
    assert field in response.json()["template"][0]


def test_a_bureau_names_the_institute_and_not_an_enterprise(budgets_world):
    client = client_for(budgets_world.users["kunshan"])
    url = reverse("api:savedbudget-list")
    response = client.post(url, {"title": "t", "payload": copy.deepcopy(SMALL)}, format="json")
    assert response.status_code == 400 and "institute" in response.json()
    response = client.post(url, {"title": "t", "payload": copy.deepcopy(SMALL),
                                 "institute": budgets_world.ent_ks.pk}, format="json")
    assert response.status_code == 400 and "institute" in response.json()
    response = client.post(url, {"title": "t", "payload": copy.deepcopy(SMALL),
                                 "institute": budgets_world.inst_ks.pk}, format="json")
    assert response.status_code == 201, response.content


def test_template_of_another_institute_is_refused(budgets_world):
    client = client_for(budgets_world.users["province"])
    response = client.post(reverse("api:savedbudget-list"), {
        "title": "t", "payload": copy.deepcopy(SMALL), "institute": budgets_world.inst_p.pk,
        "template": budgets_world.templates["nj"].pk}, format="json")
    assert response.status_code == 400 and "template" in response.json()


def test_attach_budget_to_a_record(budgets_world):
    budget = budgets_world.budgets["p"]
    services.attach_budget(budget, budgets_world.standard_p, actor=budgets_world.users["institute"])
    budget.refresh_from_db()
    assert budget.attached_to == budgets_world.standard_p
    body = client_for(budgets_world.users["institute"]).get(
        reverse("api:savedbudget-detail", args=[budget.pk])).json()
    assert body["attached_to"] == {"type": "registry.measurementstandard", "id": str(budgets_world.standard_p.pk)}
    services.attach_budget(budget, None, actor=budgets_world.users["institute"])
    budget.refresh_from_db()
    assert budget.attached_to is None
    assert AuditEntry.objects.filter(object_type="budgets.savedbudget", object_id=str(budget.pk),
                                     message=f"budget attached to registry.measurementstandard "
                                             f"{budgets_world.standard_p.pk}").exists()


def test_api_filters(budgets_world):
    client = client_for(budgets_world.users["province"])
    rows = client.get(reverse("api:savedbudget-list"), {"region": "320500"}).json()["results"]
    assert {r["id"] for r in rows} == {budgets_world.budgets["ks"].pk}
    rows = client.get(reverse("api:budgettemplate-list"), {"institute_id": budgets_world.inst_xw.pk}).json()["results"]
    assert {r["id"] for r in rows} == {budgets_world.templates["xw"].pk}
    rows = client.get(reverse("api:savedbudget-list"), {"q": "电阻 ks"}).json()["results"]
    assert [r["id"] for r in rows] == [budgets_world.budgets["ks"].pk]


# --- pages -------------------------------------------------------------------------------------------

def test_budget_pages(budgets_world):
    client = web_client_for(budgets_world.users["institute"])
    budget = budgets_world.budgets["p"]
    listing = client.get(reverse("budgets-list"))
    assert listing.status_code == 200 and "电阻 p" in listing.content.decode()
    detail = client.get(reverse("budgets-detail", args=[budget.pk])).content.decode()
    assert "budget-table" in detail and detail.count('class="budget-row"') == 2
    assert "灵敏系数" in detail and "方差贡献" in detail
    # V (ν = 9) is correlated with I: ν_eff not evaluated (JCGM 100 G.4), shown as a dash with the reason
    assert "ν<sub>eff</sub> = —" in detail and "effective degrees of freedom not evaluated" in detail
    export = client.get(reverse("budgets-list"), {"export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    cells = [c.value for row in load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows() for c in row]
    assert "电阻 p" in cells and "电阻 nj" not in cells
    xlsx = client.get(reverse("savedbudget-file", args=[budget.pk, "xlsx"]))
    assert xlsx.status_code == 200 and load_workbook(io.BytesIO(xlsx.content))
    pdf = client.get(reverse("savedbudget-file", args=[budget.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(reverse("savedbudget-file", args=[budget.pk, "doc"])).status_code == 404
    assert client.get(reverse("savedbudget-file", args=[budgets_world.budgets["nj"].pk, "pdf"])).status_code == 404


def test_template_pages_and_add_through_the_form(budgets_world):
    import json

    client = web_client_for(budgets_world.users["institute"])
    template = budgets_world.templates["p"]
    detail = client.get(reverse("budget-templates-detail", args=[template.pk])).content.decode()
    assert "m_x" in detail and "inputs.m_x.value" in detail
    form = client.get(reverse("budget-templates-add")).content.decode()
    assert f'value="{budgets_world.inst_p.pk}" selected' in form
    response = client.post(reverse("budget-templates-add"), {
        "institute": budgets_world.inst_p.pk, "name": "网页模板", "procedure": "JJF 1033",
        "template": json.dumps(TEMPLATE)})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert BudgetTemplate.objects.filter(name="网页模板", institute=budgets_world.inst_p).exists()
    response = client.post(reverse("budget-templates-add"), {
        "institute": budgets_world.inst_p.pk, "name": "坏模板", "template": json.dumps({"model": "a +", "inputs": {}})})
    assert response.status_code == 200 and "field-error" in response.content.decode()


def test_add_budget_through_the_form(budgets_world):
    import json

    client = web_client_for(budgets_world.users["institute"])
    response = client.post(reverse("budgets-add"), {
        "institute": budgets_world.inst_p.pk, "title": "网页预算", "payload": json.dumps(SMALL)})
    assert response.status_code == 302, response.content.decode()[:2000]
    budget = SavedBudget.objects.get(title="网页预算")
    assert budget.created_by == budgets_world.users["institute"] and budget.result["gum"]["y"] == pytest.approx(250)
    response = client.post(reverse("budgets-add"), {
        "institute": budgets_world.inst_p.pk, "title": "坏", "payload": json.dumps(example(model="V / (I - 0.02)"))})
    assert response.status_code == 200
    assert 'data-field="payload"' in response.content.decode()


def test_calculator_page(budgets_world):
    client = web_client_for(budgets_world.users["institute"])
    page = client.get(reverse("uncertainty-calculator"))
    assert reverse("uncertainty-calculator") == "/uncertainty/"
    html = page.content.decode()
    assert page.status_code == 200 and "vendor/echarts/echarts.min.js" in html and 'id="save-budget"' in html
    assert 'id="calc-initial"' in html and "V / I" in html
    # the rule for t-sampling and Welch–Satterthwaite (issue #9 items 1 and 2), in Chinese
    help_text = html[html.index('id="help-dof"'):]
    help_text = help_text[:help_text.index("</details>")]
    assert "JCGM 101 6.4.9" in help_text and "ν > 2" in help_text and "JCGM 100 G.4.1" in help_text
    assert "A 类" in help_text and "B 类" in help_text
    page = client.get(reverse("uncertainty-calculator"), {"template": budgets_world.templates["p"].pk})
    assert page.status_code == 200 and "m_x + dm" in page.content.decode()
    page = client.get(reverse("uncertainty-calculator"), {"budget": budgets_world.budgets["p"].pk})
    assert page.status_code == 200
    assert client.get(reverse("uncertainty-calculator"), {"template": budgets_world.templates["nj"].pk}).status_code == 404
    # bureaus use the calculator but save nothing from it
    html = web_client_for(budgets_world.users["kunshan"]).get(reverse("uncertainty-calculator")).content.decode()
    assert 'id="save-budget"' not in html
    assert web_client_for(None).get(reverse("uncertainty-calculator")).status_code == 302


def test_navigation_links_the_calculator(budgets_world):
    html = web_client_for(budgets_world.users["institute"]).get("/").content.decode()
    assert 'data-nav="uncertainty-calculator"' in html


# --- the same body limit and bounds on every path that evaluates (issue #11 item 7) -------------------------


def _big_payload():
    return example(inputs={"V": {"value": 5.0, "u": 0.003}, "I": {"value": 0.02, "u": 0.0001},
                           "T": {"observations": [20.0 + i / 1000 for i in range(500)]}},
                   model="V / I + 0 * T", correlations=[], monte_carlo=None)


def test_saved_budgets_and_templates_share_the_body_limit(budgets_world, settings):
    settings.JILIANG_UNCERTAINTY_MAX_BODY_BYTES = 3000
    client = client_for(budgets_world.users["institute"])
    response = client.post(reverse("api:savedbudget-list"), {"title": "大", "payload": _big_payload()}, format="json")
    assert response.status_code == 413 and "3000" in response.json()["detail"]
    budget = budgets_world.budgets["p"]
    response = client.patch(reverse("api:savedbudget-detail", args=[budget.pk]), {"payload": _big_payload()},
                            format="json")
    assert response.status_code == 413
    template = {"model": "V / I + 0 * T", "inputs": _big_payload()["inputs"]}
    response = client.post(reverse("api:budgettemplate-list"), {"name": "大模板", "template": template}, format="json")
    assert response.status_code == 413
    fill = reverse("api:budgettemplate-fill", args=[budgets_world.templates["p"].pk])
    response = client.post(fill, {"values": {"m_x": {"value": 100.0, "dof": 5, "x": "0" * 4000}}}, format="json")
    assert response.status_code == 413
    assert not SavedBudget.objects.filter(title="大").exists()
    # a payload that arrives through the pages or a service is held to the same limit, named on its field
    web = web_client_for(budgets_world.users["institute"])
    response = web.post(reverse("budgets-add"), {"institute": budgets_world.inst_p.pk, "title": "大",
                                                 "payload": json.dumps(_big_payload())})
    assert response.status_code == 200 and "3000" in response.content.decode()
    response = web.post(reverse("budget-templates-add"), {"institute": budgets_world.inst_p.pk, "name": "大模板",
                                                          "template": json.dumps(template)})
    assert response.status_code == 200 and "3000" in response.content.decode()
    assert not SavedBudget.objects.filter(title="大").exists()
    assert not BudgetTemplate.objects.filter(name="大模板").exists()


def test_saved_budgets_are_bounded_like_the_calculator(budgets_world, settings):
    settings.JILIANG_UNCERTAINTY_MAX_OUTPUTS = 2
    client = client_for(budgets_world.users["institute"])
    response = client.post(reverse("api:savedbudget-list"),
                           {"title": "多输出", "payload": example(model=["V", "I", "V / I"], monte_carlo=None)},
                           format="json")
    assert response.status_code == 400 and "at most 2" in response.json()["payload"][0]
    response = client.post(reverse("api:budgettemplate-list"),
                           {"name": "多输出", "template": {"model": ["V", "I", "V / I"], "inputs": SMALL["inputs"]}},
                           format="json")
    assert response.status_code == 400 and "at most 2" in str(response.json()["template"])


def test_edit_page_re_evaluates_a_changed_payload_through_the_service(budgets_world):
    """The edit page saves through budgets.services like the API: a new payload gets its new result, a bad
    one is refused on its field and the stored budget keeps its result."""
    budget = budgets_world.budgets["p"]
    web = web_client_for(budgets_world.users["institute"])
    payload = copy.deepcopy(SMALL)
    payload["inputs"]["V"]["value"] = 10.0
    form = {"institute": budget.institute_id, "title": budget.title, "payload": json.dumps(payload)}
    response = web.post(reverse("budgets-edit", args=[budget.pk]), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    budget.refresh_from_db()
    assert budget.payload == payload and budget.result["gum"]["y"] == pytest.approx(500.0)
    response = web.post(reverse("budgets-edit", args=[budget.pk]),
                        {**form, "payload": json.dumps(example(model="V / (I - 0.02)"))})
    assert response.status_code == 200 and 'data-field="payload"' in response.content.decode()
    budget.refresh_from_db()
    assert budget.payload == payload and budget.result["gum"]["y"] == pytest.approx(500.0)
    before = copy.deepcopy(budget.result)
    assert web.post(reverse("budgets-edit", args=[budget.pk]), {**form, "title": "改名"}).status_code == 302
    budget.refresh_from_db()
    assert budget.title == "改名" and budget.result == before
