"""The access matrix of free verification over the livelihood world's roles: programmes (everyone signed in reads,
the provincial bureau writes), free verifications (scoped like the instrument; the institution that did it),
the figures page and the summary API (bureaus and institutions)."""

import pytest
from django.urls import reverse
from tests.conftest import check_api_read, client_for, web_client_for
from tests.livelihood import free_world
from tests.livelihood.conftest import ROLES

from jiliang.livelihood import free_services

pytestmark = pytest.mark.django_db
fworld = free_world.fworld  # the fixture, for this module

SEES_MARKET_FREE = {"province", "suzhou", "kunshan", "institute", "market_ks"}
FIGURES = {"province", "suzhou", "kunshan", "xuanwu", "institute"}


@pytest.fixture
def marked(fworld):
    free_services.mark_free(fworld.events.scale_ok, fworld.market, actor=fworld.users["province"])
    return fworld


@pytest.mark.parametrize("role", ROLES)
def test_free_verification_read(marked, role):
    check_api_read(marked.users[role], role, "api:free-verification", marked.events.scale_ok.pk,
                   role in SEES_MARKET_FREE)
    client = web_client_for(marked.users[role])
    detail = client.get(reverse("free-verifications-detail", args=[marked.events.scale_ok.pk]))
    if role == "anonymous":
        assert detail.status_code == 302
    else:
        assert detail.status_code == (200 if role in SEES_MARKET_FREE else 404)


@pytest.mark.parametrize("role", ROLES)
def test_programmes_read_by_all_written_by_the_province(marked, role):
    user = marked.users[role]
    api = client_for(user)
    listing = api.get(reverse("api:free-programme-list"))
    created = api.post(reverse("api:free-programme-list"), {"code": f"p-{role}", "name": "测试", "kind": "market"},
                       format="json")
    page = web_client_for(user).get(reverse("free-programmes-list"))
    add = web_client_for(user).post(reverse("free-programmes-add"), {"code": f"q-{role}", "name": "测试",
                                                                     "kind": "market", "active": "on"})
    if role == "anonymous":
        assert listing.status_code in (401, 403) and created.status_code in (401, 403) and page.status_code == 302
        return
    assert listing.status_code == 200 and listing.json()["count"] == 2
    assert page.status_code == 200
    if role == "province":
        assert created.status_code == 201, created.content
        assert add.status_code == 302
    else:
        assert created.status_code == 403
        assert add.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_figures_and_summary(marked, role):
    user = marked.users[role]
    page = web_client_for(user).get(reverse("free-figures"), {"year": 2026})
    api = client_for(user).get(reverse("api:free-summary-list"), {"year": 2026})
    if role == "anonymous":
        assert page.status_code == 302 and api.status_code in (401, 403)
    elif role in FIGURES:
        assert page.status_code == 200 and api.status_code == 200
        expected = 0 if role == "xuanwu" else 1
        assert api.json()["total"]["count"] == expected
    else:
        assert page.status_code == 403 and api.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_mark_pages(marked, role):
    client = web_client_for(marked.users[role])
    for name in ("free-mark", "free-bulk"):
        resp = client.get(reverse(name))
        if role == "anonymous":
            assert resp.status_code == 302
        else:
            assert resp.status_code == (200 if role in FIGURES else 403)
