"""Who sees which coverage figures (pages and API) and who edits the targets: the matrix over the world's roles."""

import pytest
from django.urls import reverse
from tests.conftest import ROLES, client_for, web_client_for
from tests.traceability.coverage_fixtures import small_province  # noqa: F401

# role → (default region, regions it may ask for, a region it may not, what it may do with targets)
MATRIX = {
    "province": ("320000", ["320000", "320500", "320583", "320102"], None, True),
    "suzhou": ("320500", ["320500", "320583", "320000"], "320100", False),
    "kunshan": ("320583", ["320583", "320000"], "320500", False),
    "xuanwu": ("320102", ["320102", "320000"], "320583", False),
    "institute": ("320000", ["320000", "320500"], None, False),
    "enterprise": None,
    "anonymous": None,
}


@pytest.mark.parametrize("role", ROLES)
def test_coverage_page_and_api(small_province, role):  # noqa: F811
    w = small_province
    user = w.users[role]
    web, api = web_client_for(user), client_for(user)
    page = web.get(reverse("traceability-coverage"))
    body = api.get("/api/traceability/coverage/")
    expected = MATRIX[role]
    if expected is None:
        assert page.status_code in (302, 403)
        assert body.status_code in (401, 403)
        assert api.get("/api/traceability/tree/", {"parameter": "质量"}).status_code in (401, 403)
        return
    default, allowed, refused, _edit = expected
    assert page.status_code == 200 and body.status_code == 200
    assert body.json()["region"] == default
    for code in allowed:
        assert web.get(reverse("traceability-coverage"), {"region": code}).status_code == 200
        assert api.get("/api/traceability/coverage/", {"region": code}).json()["region"] == code
    if refused:
        assert web.get(reverse("traceability-coverage"), {"region": refused}).status_code == 403
        assert api.get("/api/traceability/coverage/", {"region": refused}).status_code == 403
    assert api.get("/api/traceability/tree/", {"parameter": "质量"}).status_code == 200


@pytest.mark.parametrize("role", ["suzhou", "kunshan", "xuanwu"])
def test_the_province_figures_list_only_the_users_own_regions(small_province, role):  # noqa: F811
    w = small_province
    data = client_for(w.users[role]).get("/api/traceability/coverage/", {"region": "320000"}).json()
    assert data["total"]["in_use"] == 8  # the province's total, whoever reads it
    rows = {r["key"] for r in data["by_region"]}
    assert rows == ({"320500"} if role == "suzhou" else set())
    # the gaps are the province's, but name only the user's own regions (all the small province's gaps are in Kunshan)
    own = {"suzhou": {"320583"}, "kunshan": {"320583"}, "xuanwu": set()}[role]
    assert len(data["gaps"]) == 2
    assert {r for gap in data["gaps"] for r in gap["regions"]} == own


@pytest.mark.parametrize("role", ROLES)
def test_targets_pages(small_province, role):  # noqa: F811
    w = small_province
    web = web_client_for(w.users[role])
    expected = MATRIX[role]
    listing = web.get(reverse("traceability-targets"))
    add = web.get(reverse("traceability-target-add"))
    post = web.post(reverse("traceability-target-add"), {"region": "320500", "year": 2026, "target_percent": "95",
                                                         "source": "苏州市计量工作要点"})
    if expected is None:
        assert listing.status_code in (302, 403) and add.status_code in (302, 403) and post.status_code in (302, 403)
        return
    assert listing.status_code == 200
    if expected[3]:
        assert add.status_code == 200 and post.status_code == 302
    else:
        assert add.status_code == 403 and post.status_code == 403
