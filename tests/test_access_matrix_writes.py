"""The write rules of #11 items 2–3, every role: what only a bureau writes, on the API and on the edit pages.

Qualifications (a metrologist's certificate, level, qualified items, validity), a standard's assessment
certificate, validity and rating, and an organisation's region, kind, designations and management-system
status are written by the bureau in whose region the holder lies; the holder reads them and may propose a
change. Expected outcomes are written out by hand per record and role, not computed by the code under test.
"""

import datetime as dt

import pytest
from django.urls import reverse
from tests.conftest import ROLES, client_for, web_client_for

# record -> {field: (API value, page value)} of a field only the bureau writes
AUTHORITY_CHANGES = {
    "person_p": {"metrologist_certificate": ("FAKE-0001", "FAKE-0001"),
                 "qualified_items": ("JJG 539\nJJG 1036", "JJG 539\nJJG 1036"),
                 "certificate_valid_until": ("2040-01-01", "2040-01-01")},
    "person_ks": {"metrologist_level": ("2", "2")},
    "standard_p": {"certificate_no": ("[2030]自评", "[2030]自评"), "valid_until": ("2040-01-01", "2040-01-01"),
                   "rating": ("international_advanced", "international_advanced")},
    "standard_nj": {"rating": ("international_advanced", "international_advanced")},
    "ent_ks": {"region": ("320102", "320102"), "kind": ("institute", "institute"),
               "designations": (["key-energy-consumer"], ["key-energy-consumer"]),
               "mms_status": ("established", "established")},
    "ent_xw": {"kind": ("institute", "institute")},
    "inst_p": {"designations": (["brand-laboratory"], ["brand-laboratory"])},
}
# record -> roles that may change the record at all (as in test_access_matrix.WRITABLE)
WRITABLE = {
    "person_p": {"province", "institute"},
    "person_ks": {"province", "suzhou", "kunshan", "enterprise"},
    "standard_p": {"province", "institute"},
    "standard_nj": {"province"},
    "ent_ks": {"province", "suzhou", "kunshan", "enterprise"},
    "ent_xw": {"province", "xuanwu"},
    "inst_p": {"province", "institute"},
}
VISIBLE = {
    "person_p": {"province", "institute"},
    "person_ks": {"province", "suzhou", "kunshan", "enterprise"},
    "standard_p": {"province", "institute"},
    "standard_nj": {"province"},
    "ent_ks": {"province", "suzhou", "kunshan", "enterprise"},
    "ent_xw": {"province", "xuanwu"},
    "inst_p": {"province", "institute"},
}
BUREAUS = {"province", "suzhou", "kunshan", "xuanwu"}
API = {"person": "api:person", "standard": "api:measurementstandard", "ent": "api:organisation",
       "inst": "api:organisation"}
PAGE = {"person": "people", "standard": "standards", "ent": "organisations", "inst": "organisations"}
CASES = [(rec, f, role) for rec, fields in AUTHORITY_CHANGES.items() for f in fields for role in ROLES]


def _stored(obj, field):
    obj.refresh_from_db()
    value = getattr(obj, field)
    if field == "designations":
        return sorted(value.values_list("code", flat=True))
    if field == "region":
        return obj.region_id
    return value.isoformat() if isinstance(value, dt.date) else value


def _expected_refusal(record, role):
    if role == "anonymous":
        return (401, 403)
    if role == "enterprise" and record.startswith("standard"):
        return (403,)  # the role never writes standards
    return (403,) if role in VISIBLE[record] else (404,)


@pytest.mark.parametrize(("record", "field", "role"), CASES)
def test_api_authority_field(world, record, field, role):
    obj = getattr(world, record)
    before = _stored(obj, field)
    value = AUTHORITY_CHANGES[record][field][0]
    if record == "ent_ks" and field == "region":
        value = "320585"  # within Suzhou; outside Kunshan (a county has no region below it to move to)
    response = client_for(world.users[role]).patch(reverse(f"{API[record.split('_')[0]]}-detail", args=[obj.pk]),
                                                   {field: value}, format="json")
    if (record, field, role) == ("ent_ks", "region", "kunshan"):
        # The bureau writes the region, but not out of its own scope (write-then-verify).
        assert response.status_code == 403 and _stored(obj, field) == before
    elif role in WRITABLE[record] and role in BUREAUS:
        assert response.status_code == 200, response.content
        assert _stored(obj, field) != before
    else:
        assert response.status_code in _expected_refusal(record, role), response.content
        assert _stored(obj, field) == before
        if role in WRITABLE[record]:  # the holder: told which field is the bureau's
            label = str(type(obj)._meta.get_field(field).verbose_name)
            assert label in response.json()["detail"]


@pytest.mark.parametrize(("record", "field", "role"), CASES)
def test_page_authority_field(world, record, field, role):
    """The edit page shows the field read-only to the holder; a forged post does not change it."""
    from django.forms.models import model_to_dict

    obj = getattr(world, record)
    before = _stored(obj, field)
    slug = PAGE[record.split("_")[0]]
    client = web_client_for(world.users[role])
    form = client.get(reverse(f"{slug}-edit", args=[obj.pk]))
    data = {k: v for k, v in model_to_dict(obj).items() if v is not None}
    if "designations" in data:
        data["designations"] = [d.pk for d in data["designations"]]
    value = AUTHORITY_CHANGES[record][field][1]
    if record == "ent_ks" and field == "region":
        value = "320585"
    data[field] = value
    response = client.post(reverse(f"{slug}-edit", args=[obj.pk]), data)
    if role == "anonymous":
        assert response.status_code == 302 and _stored(obj, field) == before
        return
    if role not in WRITABLE[record]:
        assert form.status_code == response.status_code == (403 if role in VISIBLE[record] else 404)
        assert _stored(obj, field) == before
        return
    assert form.status_code == 200
    page = form.content.decode()
    tag = page[page.index(f'name="{field}"') - 300: page.index(f'name="{field}"') + 200]
    if (record, field, role) == ("ent_ks", "region", "kunshan"):
        assert "disabled" not in tag
        assert response.status_code == 200 and _stored(obj, field) == before  # the form names the scope error
        assert "超出您的辖区" in response.content.decode()
    elif role in BUREAUS:
        assert "disabled" not in tag
        assert response.status_code == 302, response.content.decode()[:2000]
        assert _stored(obj, field) != before
    else:
        assert "disabled" in tag
        assert "由市场监督管理部门填写" in page
        assert _stored(obj, field) == before


@pytest.mark.parametrize(("role", "expected"), [
    ("province", 201), ("institute", 403), ("suzhou", 400), ("kunshan", 400), ("enterprise", 400),
])
def test_only_a_bureau_creates_a_qualified_metrologist(world, role, expected):
    """A fake "FAKE-0001" metrologist cannot be created by the institute that wants it (#11 item 2).

    Suzhou, Kunshan and the enterprise cannot see the provincial institute: the organisation is unknown to them.
    """
    from jiliang.registry.models import Person

    client = client_for(world.users[role])
    payload = {"name": "假检定员", "organisation": world.inst_p.pk, "metrologist_certificate": "FAKE-0001",
               "metrologist_level": "1", "qualified_items": "JJG 539", "certificate_valid_from": "2024-01-01",
               "certificate_valid_until": "2030-01-01"}
    response = client.post(reverse("api:person-list"), payload, format="json")
    assert response.status_code == expected, response.content
    assert Person.objects.filter(metrologist_certificate="FAKE-0001").exists() == (expected == 201)
    if role == "institute":
        # The institute still keeps its staff records: the same person without a qualification is accepted.
        plain = {"name": "新员工", "organisation": world.inst_p.pk, "position": "检定员"}
        assert client.post(reverse("api:person-list"), plain, format="json").status_code == 201


def test_holder_import_cannot_rewrite_its_regulatory_record(world):
    """The Excel import applies the same rule: the enterprise's row changing its kind is refused, named."""
    from jiliang.core.tabular import Table
    from jiliang.registry.importing import OrganisationImporter

    importer = OrganisationImporter(world.users["enterprise"])
    headers = [c.header() for c in importer.columns]
    row = {"name": world.ent_ks.name, "uscc": world.ent_ks.uscc, "kind": "institute", "region_code": "320583"}
    table = Table(headers=headers, rows=[(2, [row.get(c.key) for c in importer.columns])], notices=[])
    report = importer.plan(table)
    assert not report.planned
    assert [(e.row, e.column) for e in report.errors] == [(2, importer.columns[2].header())]
    row["kind"] = "enterprise"
    row["address"] = "昆山市新地址"
    table = Table(headers=headers, rows=[(2, [row.get(c.key) for c in importer.columns])], notices=[])
    report = importer.plan(table)
    assert not report.errors and report.planned[0].action == "update"
