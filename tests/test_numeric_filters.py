"""Numeric filters never answer 500: an id above 2⁶³ is a 400 in the API and an empty list on a page,
and the results form's number of rows is bounded (issue 11, item 10)."""

import django_filters as df
import pytest
from django.urls import reverse
from tests.conftest import client_for, web_client_for

from jiliang.api_urls import router
from jiliang.core.filters import IdFilter
from jiliang.core.ui import REGISTRY

BIG = str(2**64 + 5)
pytestmark = pytest.mark.django_db


def number_filters(filterset) -> list[str]:
    return [name for name, f in filterset.base_filters.items() if isinstance(f, df.NumberFilter)]


def test_every_list_page_answers_a_huge_id_with_an_empty_list(world):
    client = web_client_for(world.users["province"])
    checked = 0
    reverse("instruments-list")  # loads every app's URLs, which register their list pages
    for ui in list(REGISTRY.values()):
        for name in number_filters(ui.filterset):
            response = client.get(ui.url("list"), {name: BIG})
            assert response.status_code == 200, (ui.slug, name)
            assert 'id="result-count"' in response.content.decode()
            assert response.context["page"].paginator.count == 0, (ui.slug, name)
            checked += 1
        response = client.get(ui.url("list") + BIG + "/")
        assert response.status_code == 404, ui.slug
    assert checked >= 20


def test_every_api_list_answers_a_huge_id_with_400(world):
    client = client_for(world.users["province"])
    checked = 0
    for prefix, viewset, basename in router.registry:
        filterset = getattr(viewset, "filterset_class", None)
        if filterset is None:
            continue
        url = reverse(f"api:{basename}-list")
        for name in number_filters(filterset):
            response = client.get(url, {name: BIG})
            if isinstance(filterset.base_filters[name], IdFilter):
                assert response.status_code == 400, (prefix, name, response.status_code)
                assert name in response.json(), response.json()
                assert client.get(url, {name: "-1"}).status_code == 400
                checked += 1
            else:  # a number that is not an id (an interval, a count): no such record
                assert response.status_code == 200 and response.json()["results"] == [], (prefix, name)
            assert client.get(url, {name: "1"}).status_code == 200
    assert checked >= 20


def test_an_api_detail_with_a_huge_id_is_404(world):
    client = client_for(world.users["province"])
    for prefix, _viewset, basename in router.registry:
        response = client.get(reverse(f"api:{basename}-list") + BIG + "/")
        assert response.status_code == 404, prefix
