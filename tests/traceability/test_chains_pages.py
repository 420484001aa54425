"""External laboratories' pages (the provincial bureau writes, everyone signed in reads, Excel export) and the links'
list (filters, Excel export, scoped like the records they lead from)."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from tests.conftest import ROLES, web_client_for

from jiliang.traceability.models import ExternalNode, Link


def xlsx_rows(response):
    return list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))


LAB = {"name": "上海市计量测试技术研究院", "name_en": "SIMT", "aliases": "上海计量院", "kind": "cnas_lab", "country": "CN",
       "accreditation_body": "CNAS", "accreditation_no": "L0139", "accreditation_valid_until": "2029-01-01",
       "scope_text": "质量 1 mg–20 kg\n压力 0–60 MPa", "accepted": "on"}


@pytest.mark.parametrize("role", ROLES)
def test_who_adds_an_external_laboratory(tworld, role):
    c = web_client_for(tworld.world.users[role])
    r = c.post(reverse("external-labs-add"), LAB)
    made = ExternalNode.objects.filter(name=LAB["name"]).exists()
    assert made == (role == "province"), (role, r.status_code)
    listing = c.get(reverse("external-labs-list"))
    if role == "anonymous":
        assert listing.status_code == 302
    else:
        assert listing.status_code == 200 and "中国计量科学研究院" in listing.content.decode()


def test_an_accredited_laboratory_needs_its_accreditation(tworld):
    c = web_client_for(tworld.world.users["province"])
    c.cookies["django_language"] = "en"
    r = c.post(reverse("external-labs-add"), {**LAB, "accreditation_no": "", "scope_text": ""})
    assert r.status_code == 200 and not ExternalNode.objects.filter(name=LAB["name"]).exists()
    assert "An accredited laboratory needs its" in r.content.decode()


def test_external_laboratories_export_and_edit(tworld):
    c = web_client_for(tworld.world.users["province"])
    c.post(reverse("external-labs-add"), LAB)
    rows = xlsx_rows(c.get(reverse("external-labs-list"), {"export": "xlsx"}))
    assert len(rows) == 3 and {r[0] for r in rows[1:]} == {"中国计量科学研究院", LAB["name"]}
    lab = ExternalNode.objects.get(name=LAB["name"])
    c.post(reverse("external-labs-edit", args=[lab.pk]), {**LAB, "accreditation_no": "L0140"})
    lab.refresh_from_db()
    assert lab.accreditation_no == "L0140"
    assert "L0140" in c.get(reverse("external-labs-detail", args=[lab.pk])).content.decode()


def test_links_list_filters_exports_and_scopes(tworld):
    tworld.certify()
    tworld.rebuild()
    prov = web_client_for(tworld.world.users["province"])
    rows = xlsx_rows(prov.get(reverse("traceability-links-list"), {"export": "xlsx"}))
    assert len(rows) == 1 + Link.objects.count() == 3
    rows = xlsx_rows(prov.get(reverse("traceability-links-list"), {"export": "xlsx", "source": "certificate"}))
    assert len(rows) == 2
    # the Xuanwu bureau sees neither the Kunshan instrument's link nor the provincial institute's standard's
    xw = web_client_for(tworld.world.users["xuanwu"])
    assert len(xlsx_rows(xw.get(reverse("traceability-links-list"), {"export": "xlsx"}))) == 1
    ks = web_client_for(tworld.world.users["kunshan"])
    assert len(xlsx_rows(ks.get(reverse("traceability-links-list"), {"export": "xlsx"}))) == 2
