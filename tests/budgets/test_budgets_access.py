"""Who sees and changes which budgets and templates: written out by hand per record and role.

County bureaus see the budgets of institutes in their county only; a city bureau those of its counties;
an institute its own; enterprises none.
"""

import copy

import pytest
from django.urls import reverse
from tests.budgets.conftest import SMALL
from tests.conftest import client_for, web_client_for

from jiliang.budgets.models import BudgetTemplate, SavedBudget

ROLES = ["province", "suzhou", "kunshan", "xuanwu", "institute", "institute_ks", "enterprise", "anonymous"]
VISIBLE = {
    "p": {"province", "institute"},
    "nj": {"province"},
    "ks": {"province", "suzhou", "kunshan", "institute_ks"},
    "xw": {"province", "xuanwu"},
}
KINDS = {"budget": ("api:savedbudget", "budgets", "budgets", SavedBudget),
         "template": ("api:budgettemplate", "budget-templates", "templates", BudgetTemplate)}
CASES = [(kind, key, role) for kind in KINDS for key in VISIBLE for role in ROLES]


def _obj(world, kind, key):
    return getattr(world, KINDS[kind][2])[key]


@pytest.mark.parametrize(("kind", "key", "role"), CASES)
def test_api_read(budgets_world, kind, key, role):
    api = KINDS[kind][0]
    obj = _obj(budgets_world, kind, key)
    client = client_for(budgets_world.users[role])
    detail = client.get(reverse(f"{api}-detail", args=[obj.pk]))
    listing = client.get(reverse(f"{api}-list"), {"page_size": 1000})
    if role == "anonymous":
        assert detail.status_code in (401, 403) and listing.status_code in (401, 403)
        return
    assert detail.status_code == (200 if role in VISIBLE[key] else 404)
    assert (obj.pk in {r["id"] for r in listing.json()["results"]}) == (role in VISIBLE[key])


@pytest.mark.parametrize(("kind", "key", "role"), CASES)
def test_api_write(budgets_world, kind, key, role):
    api, _slug, _attr, model = KINDS[kind]
    obj = _obj(budgets_world, kind, key)
    client = client_for(budgets_world.users[role])
    response = client.patch(reverse(f"{api}-detail", args=[obj.pk]), {"description": f"by {role}"}, format="json")
    obj.refresh_from_db()
    if role == "anonymous":
        assert response.status_code in (401, 403)
    elif role == "enterprise":
        assert response.status_code == 403  # the role never writes budgets
    elif role in VISIBLE[key]:
        assert response.status_code == 200, response.content
        assert obj.description == f"by {role}"
        return
    else:
        assert response.status_code == 404
    assert obj.description == ""
    response = client.delete(reverse(f"{api}-detail", args=[obj.pk]))
    assert response.status_code in ((401, 403) if role == "anonymous" else (403,) if role == "enterprise" else (404,))
    assert model.objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize(("kind", "key", "role"), CASES)
def test_pages(budgets_world, kind, key, role):
    slug = KINDS[kind][1]
    obj = _obj(budgets_world, kind, key)
    client = web_client_for(budgets_world.users[role])
    listing = client.get(reverse(f"{slug}-list"))
    detail = client.get(reverse(f"{slug}-detail", args=[obj.pk]))
    edit = client.get(reverse(f"{slug}-edit", args=[obj.pk]))
    if role == "anonymous":
        assert all(r.status_code == 302 for r in (listing, detail, edit))
        return
    assert listing.status_code == 200
    link = f'href="{reverse(f"{slug}-detail", args=[obj.pk])}"'
    assert (link in listing.content.decode()) == (role in VISIBLE[key])
    assert detail.status_code == (200 if role in VISIBLE[key] else 404)
    assert edit.status_code == (200 if role in VISIBLE[key] else 404)


@pytest.mark.parametrize(("role", "institute", "expected"), [
    ("province", "nj", 201),
    ("suzhou", "ks", 201),
    ("suzhou", "xw", 400),      # an institute it cannot see does not exist for it
    ("kunshan", "ks", 201),
    ("kunshan", "xw", 400),
    ("xuanwu", "xw", 201),
    ("institute", "p", 201),
    ("institute", "ks", 400),
    ("institute_ks", "ks", 201),
    ("enterprise", "ks", 403),
])
def test_api_create_in_and_out_of_scope(budgets_world, role, institute, expected):
    inst = getattr(budgets_world, f"inst_{institute}")
    client = client_for(budgets_world.users[role])
    response = client.post(reverse("api:savedbudget-list"),
                           {"title": f"new {role}", "payload": copy.deepcopy(SMALL), "institute": inst.pk},
                           format="json")
    assert response.status_code == expected, response.content
    assert SavedBudget.objects.filter(title=f"new {role}").exists() == (expected == 201)


@pytest.mark.parametrize("role", ["kunshan", "institute_ks"])
def test_cannot_move_a_budget_to_another_county(budgets_world, role):
    budget = budgets_world.budgets["ks"]
    response = client_for(budgets_world.users[role]).patch(
        reverse("api:savedbudget-detail", args=[budget.pk]), {"institute": budgets_world.inst_xw.pk}, format="json")
    assert response.status_code == 400
    budget.refresh_from_db()
    assert budget.institute == budgets_world.inst_ks


@pytest.mark.parametrize("role", ROLES)
def test_evaluate_is_open_to_every_signed_in_role(budgets_world, role):
    import json

    response = client_for(budgets_world.users[role]).post(
        "/api/uncertainty/evaluate", json.dumps(SMALL), content_type="application/json")
    if role == "anonymous":
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == 200
