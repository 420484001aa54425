"""A ListExtension (core/extending.py) is consumed by every list of its model: the list page's columns and filters,
its Excel export, and the API's serializer, filters and OpenAPI schema; without it nothing changes."""

import io
import re

import django_filters as df
import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from rest_framework import serializers
from tests.conftest import client_for, web_client_for

from jiliang.core.extending import ListExtension, added, list_extensions
from jiliang.core.tables import Column
from jiliang.registry.models import Organisation

pytestmark = pytest.mark.django_db(transaction=False)


def region_name(org) -> str:
    return f"R-{org.region.name}"


EXTENSION = ListExtension(
    "registry.Organisation",
    columns=(Column("where_test", "where (test)", region_name, order_by="region__name"),),
    filters=lambda: {"name_has": df.CharFilter(field_name="name", lookup_expr="icontains", label="name has")},
    api_fields=lambda: {"name_again": serializers.CharField(source="name", read_only=True)},
    select_related=("region",))


def test_list_page_export_and_api_take_the_contribution(world):
    assert list_extensions(Organisation) == []
    client = web_client_for(world.users["province"])
    assert "where (test)" not in client.get("/registry/organisations/").content.decode()
    with added(EXTENSION):
        assert list_extensions(Organisation) == [EXTENSION]
        html = client.get("/registry/organisations/", {"name_has": "昆山"}).content.decode()
        assert "where (test)" in html and 'name="name_has"' in html and "R-昆山市" in html
        body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
        assert "昆山" in body and "玄武" not in body
        data = load_workbook(io.BytesIO(client.get("/registry/organisations/", {
            "name_has": "昆山", "export": "xlsx"}).content)).worksheets[0]
        header = [c.value for c in data[1]]
        col = header.index("where (test)")
        assert {r[col].value for r in data.iter_rows(min_row=2)} == {"R-昆山市"}
        api = client_for(world.users["province"])
        rows = api.get("/api/organisations/", {"name_has": "昆山", "page_size": 100}).json()["results"]
        assert rows and all(r["name_again"] == r["name"] and "昆山" in r["name"] for r in rows)
    assert "name_again" not in client_for(world.users["province"]).get("/api/organisations/").json()["results"][0]


def test_schema_carries_the_contribution(tmp_path):
    out = tmp_path / "schema.yml"
    with added(EXTENSION):
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = out.read_text()
    org = re.search(r"\n    Organisation:\n(.*?)\n    \S", schema, re.S).group(1)
    assert "name_again:" in org
    assert "name: name_has" in re.search(r"\n  /api/organisations/:\n(.*?)\n  /api/", schema, re.S).group(1)
