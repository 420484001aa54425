"""The registry API: token auth, quantities with units, filters, brief mode, protected deletes, schema."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient
from tests.conftest import client_for

from jiliang.core.models import ApiToken
from jiliang.core.tokens import hash_key


def test_token_endpoint_and_token_auth(world):
    client = APIClient()
    response = client.post(reverse("api:token"), {"username": "kunshan", "password": "pw-kunshan"}, format="json")
    assert response.status_code == 200
    key = response.json()["token"]
    stored = ApiToken.objects.get(user=world.users["kunshan"])
    assert stored.key_hash == hash_key(key) and key not in (stored.key_hash, stored.prefix)  # only the hash
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    ids = [r["id"] for r in client.get(reverse("api:instrument-list")).json()["results"]]
    assert ids == [world.instrument_ks.pk]
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token not-a-key")
    assert bad.get(reverse("api:instrument-list")).status_code == 401
    wrong = APIClient().post(reverse("api:token"), {"username": "kunshan", "password": "nope"}, format="json")
    assert wrong.status_code == 400


def test_quantities_travel_with_their_unit(world):
    client = client_for(world.users["province"])
    inst = client.get(reverse("api:instrument-detail", args=[world.instrument_ks.pk])).json()
    assert inst["measuring_range"] == {"min": "0", "max": "15", "unit": "kg"}
    std = client.get(reverse("api:measurementstandard-detail", args=[world.standard_p.pk])).json()
    assert std["expanded_uncertainty"] == {"U": "0.5", "unit": "mg", "k": "2"}
    rm = client.get(reverse("api:referencematerial-detail", args=[world.rm_p.pk])).json()
    assert rm["certified"] == {"value": "6.864", "unit": "pH", "U": "0.01", "k": "2"}


@pytest.mark.parametrize(("payload", "field"), [
    ({"measuring_range": {"min": "0", "max": "30"}}, "measuring_range"),
    ({"measuring_range": {"min": "zero", "max": "30", "unit": "kg"}}, "measuring_range"),
    ({"measuring_range": "0-30 kg"}, "measuring_range"),
    ({"measuring_range": {"min": "40", "max": "30", "unit": "kg"}}, "range_max"),
    ({"region": "329999"}, "region"),
    ({"usage": "selling"}, "usage"),
])
def test_bad_quantities_and_fields_name_the_field(world, payload, field):
    client = client_for(world.users["province"])
    response = client.patch(reverse("api:instrument-detail", args=[world.instrument_ks.pk]), payload, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_standard_uncertainty_write(world):
    client = client_for(world.users["institute"])
    url = reverse("api:measurementstandard-detail", args=[world.standard_p.pk])
    response = client.patch(url, {"expanded_uncertainty": {"U": "0.3", "unit": "mg", "k": "2"}}, format="json")
    assert response.status_code == 200
    world.standard_p.refresh_from_db()
    assert str(world.standard_p.uncertainty.normalize()) == "0.3"
    response = client.patch(url, {"expanded_uncertainty": {"U": "0.3", "unit": "mg"}}, format="json")
    assert response.status_code == 400 and "coverage_factor" in response.json()


def test_filters_region_subtree_category_and_search(world):
    client = client_for(world.users["province"])
    url = reverse("api:instrument-list")

    def ids(**params):
        return {r["id"] for r in client.get(url, params).json()["results"]}

    assert ids(region="320500") == {world.instrument_ks.pk}  # city includes its counties
    assert ids(region="320100") == {world.instrument_xw.pk}
    assert ids(region="320000") == {world.instrument_ks.pk, world.instrument_xw.pk}
    assert ids(category="nawi-price-scale", region="320583") == {world.instrument_ks.pk}
    assert ids(category="pressure-gauge-safety") == set()
    assert ids(q="XW-00") == {world.instrument_xw.pk}
    assert ids(owner=world.ent_ks.uscc) == {world.instrument_ks.pk}
    response = client.get(url, {"installed_after": "not-a-date"})
    assert response.status_code == 400 and "installed_after" in response.json()


def test_brief_mode(world):
    rows = client_for(world.users["province"]).get(reverse("api:instrument-list"), {"brief": 1}).json()["results"]
    assert set(rows[0]) == {"id", "url", "display"}


def test_protected_delete_is_409_with_dependants(world):
    # Only a superuser deletes organisations (#10 item 14); the province deregisters them instead.
    response = client_for(world.admin).delete(reverse("api:organisation-detail", args=[world.ent_ks.pk]))
    assert response.status_code == 409
    # Users and people refer to it too (their links would be nulled or cascade): they block the delete as well.
    assert {d["type"] for d in response.json()["dependants"]} >= {"registry.instrument", "registry.person"}


def test_schema_and_docs_are_served(world):
    client = APIClient()
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200 and "/api/instruments/" in schema.content.decode()
    assert client.get(reverse("api-docs")).status_code == 200


def test_query_count_of_the_instrument_list_does_not_grow_with_rows(world, django_assert_max_num_queries):
    from decimal import Decimal

    from jiliang.core import services
    from jiliang.registry import models as m

    for i in range(30):
        services.create_record(m.Instrument, {
            "owner": world.ent_ks, "category": world.scale, "manufacturer": "凯丰衡器", "model": "ACS-15",
            "serial_number": f"QC-{i}", "range_min": Decimal(0), "range_max": Decimal(15), "range_unit": "kg",
            "usage": "trade", "region_id": "320583"}, actor=world.admin)
    client = client_for(world.users["kunshan"])
    with django_assert_max_num_queries(6):
        assert client.get(reverse("api:instrument-list"), {"page_size": 100}).status_code == 200
