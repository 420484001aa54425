"""A metrologist at the uncertainty calculator: type a model, fill the inputs, evaluate, read the budget
and the Monte Carlo histogram; a bad input is shown beside the field; export and save."""

import io

import pytest
from openpyxl import load_workbook
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _row(page, i):
    return page.locator("#inputs-body tr.input-row").nth(i)


def test_calculator_evaluates_and_draws_the_histogram(world, live_server, page):
    from jiliang.budgets.models import SavedBudget

    login(page, live_server, "institute", "pw-institute")
    page.goto(f"{live_server.url}/uncertainty/")
    page.wait_for_selector("#inputs-body tr.input-row")

    page.fill("#model", "x1 + 2 * x2")
    # start from one clean row, then add a second one
    for i in range(page.locator("#inputs-body tr.input-row").count() - 1, 0, -1):
        _row(page, i).locator(".remove-row").click()
    page.locator("#corr-body .remove-row").first.click()
    assert page.locator("#corr-body tr").count() == 0
    first = _row(page, 0)
    first.locator(".in-name").fill("x1")
    first.locator(".in-dist").select_option("normal")
    first.locator('.param[data-param="value"]').fill("1.0")
    first.locator('.param[data-param="u"]').fill("-0.1")
    first.locator(".in-dof").fill("")
    page.click("#add-input")
    second = _row(page, 1)
    second.locator(".in-name").fill("x2")
    second.locator(".in-dist").select_option("rectangular")
    second.locator('.param[data-param="low"]').fill("-0.5")
    second.locator('.param[data-param="high"]').fill("0.5")
    page.fill("#mc-trials", "100000")
    page.fill("#mc-seed", "11")

    # a negative uncertainty: the API names inputs.x1.u and the page shows it beside that cell
    page.click("#evaluate")
    error = page.locator('.field-error[data-field="inputs.x1.u"]')
    error.wait_for()
    assert "negative" in error.inner_text()
    assert "is-invalid" in first.locator('.param[data-param="u"]').get_attribute("class")

    first.locator('.param[data-param="u"]').fill("0.1")
    page.click("#evaluate")
    page.wait_for_selector("#budget-container .budget-row")
    rows = page.locator("#budget-container .budget-row")
    assert rows.count() == 2
    assert rows.nth(0).get_attribute("data-source") == "x1" and rows.nth(1).get_attribute("data-source") == "x2"
    header = page.locator("#budget-container thead").inner_text()
    for term in ("输入量", "估计值", "标准不确定度", "分布", "灵敏系数", "|c·u|", "自由度", "方差贡献"):
        assert term in header
    assert page.locator('.field-error').count() == 0
    assert page.locator("#validation-verdict").is_visible()
    assert "1.0" in page.locator("#gum-result").inner_text()
    canvas = page.locator("#mc-histogram canvas")
    canvas.first.wait_for()
    box = canvas.first.bounding_box()
    assert box["width"] > 200 and box["height"] > 200

    with page.expect_download() as download:
        page.click("#export-xlsx")
    sheet = load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).worksheets[0]
    cells = [c.value for row in sheet.iter_rows() for c in row]
    assert "x1" in cells and "x2" in cells

    page.fill("#save-title", "浏览器预算")
    page.click("#save-budget")
    page.locator("#save-message a").wait_for()
    budget = SavedBudget.objects.get(title="浏览器预算")
    assert budget.institute == world.inst_p and budget.result["gum"]["y"] == pytest.approx(1.0)
    page.click("#save-message a")
    page.wait_for_selector("#budget-result")
    assert page.locator("#budget-result .budget-row").count() == 2
