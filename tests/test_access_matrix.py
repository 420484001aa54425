"""The access matrix: every API endpoint and every page, with every role, reads and writes.

Expected visibility is written out by hand per record (not computed by the code under test):
a county bureau never sees another county, an enterprise only itself, an institute its own
standards, people and reference materials.
"""

import pytest
from django.urls import reverse
from tests.conftest import ROLES, check_api_read, client_for, web_client_for

# record -> roles that may see it
VISIBLE = {
    "instrument_ks": {"province", "suzhou", "kunshan", "enterprise"},
    "instrument_xw": {"province", "xuanwu"},
    "ent_ks": {"province", "suzhou", "kunshan", "enterprise"},
    "ent_xw": {"province", "xuanwu"},
    "inst_p": {"province", "institute"},
    "inst_nj": {"province"},
    "standard_p": {"province", "institute"},
    "standard_nj": {"province"},
    "person_p": {"province", "institute"},
    "person_ks": {"province", "suzhou", "kunshan", "enterprise"},
    "rm_p": {"province", "institute"},
    "rm_nj": {"province"},
}
# record -> roles that may change it (a subset of VISIBLE)
WRITABLE = {
    "instrument_ks": {"province", "suzhou", "kunshan", "enterprise"},
    "instrument_xw": {"province", "xuanwu"},
    "ent_ks": {"province", "suzhou", "kunshan", "enterprise"},
    "ent_xw": {"province", "xuanwu"},
    "inst_p": {"province", "institute"},
    "inst_nj": {"province"},
    "standard_p": {"province", "institute"},
    "standard_nj": {"province"},
    "person_p": {"province", "institute"},
    "person_ks": {"province", "suzhou", "kunshan", "enterprise"},
    "rm_p": {"province", "institute"},
    "rm_nj": {"province"},
}
ENDPOINT = {
    "instrument": ("api:instrument", "instruments"), "ent": ("api:organisation", "organisations"),
    "inst": ("api:organisation", "organisations"), "standard": ("api:measurementstandard", "standards"),
    "person": ("api:person", "people"), "rm": ("api:referencematerial", "reference-materials"),
}
# roles whose role may not change a model at all: refused with 403 before any record is looked up
ROLE_NEVER_WRITES = {"standard": {"enterprise"}}
# A registry under law is not deleted (#10 item 14): instruments and organisations are deregistered, and
# only a superuser deletes one that nothing refers to. Every role is refused before any look-up.
ROLE_NEVER_DELETES = {"instrument": set(ROLES), "ent": set(ROLES), "inst": set(ROLES)}
CASES = [(rec, role) for rec in VISIBLE for role in ROLES]


def refused_status(record, role):
    if role in ROLE_NEVER_WRITES.get(record.split("_")[0], ()):
        return 403
    return 403 if role in VISIBLE[record] else 404


def _endpoint(record):
    return ENDPOINT[record.split("_")[0]]


@pytest.mark.parametrize(("record", "role"), CASES)
def test_api_read(world, record, role):
    api, _ = _endpoint(record)
    check_api_read(world.users[role], role, api, getattr(world, record).pk, role in VISIBLE[record])


@pytest.mark.parametrize(("record", "role"), CASES)
def test_api_write(world, record, role):
    obj = getattr(world, record)
    api, _ = _endpoint(record)
    client = client_for(world.users[role])
    url = reverse(f"{api}-detail", args=[obj.pk])
    response = client.patch(url, {"description": f"checked by {role}"}, format="json")
    if role == "anonymous":
        assert response.status_code in (401, 403)
    elif role in WRITABLE[record]:
        assert response.status_code == 200, response.content
        obj.refresh_from_db()
        assert obj.description == f"checked by {role}"
    else:
        assert response.status_code == refused_status(record, role)
        obj.refresh_from_db()
        assert obj.description == ""


@pytest.mark.parametrize(("record", "role"), CASES)
def test_api_delete(world, record, role):
    obj = getattr(world, record)
    api, _ = _endpoint(record)
    response = client_for(world.users[role]).delete(reverse(f"{api}-detail", args=[obj.pk]))
    model = type(obj)
    if role == "anonymous":
        assert response.status_code in (401, 403)
    elif role in ROLE_NEVER_DELETES.get(record.split("_")[0], ()):
        assert response.status_code == 403, response.content
        assert model.objects.filter(pk=obj.pk).exists()
    elif role in WRITABLE[record]:
        # Organisations with instruments or users are protected: 409 lists the dependants.
        if response.status_code == 409:
            assert response.json()["dependants"]
            assert model.objects.filter(pk=obj.pk).exists()
        else:
            assert response.status_code == 204, response.content
            assert not model.objects.filter(pk=obj.pk).exists()
    else:
        assert response.status_code == refused_status(record, role)
        assert model.objects.filter(pk=obj.pk).exists()


# --- creating records, in and out of scope ---------------------------------------------------------

def _instrument_payload(world, owner, region, serial):
    return {"owner": owner.pk, "category": world.scale.pk, "manufacturer": "凯丰衡器", "model": "ACS-30",
            "serial_number": serial, "usage": "trade", "region": region,
            "measuring_range": {"min": "0", "max": "30", "unit": "kg"}}


@pytest.mark.parametrize(("role", "owner", "region", "expected"), [
    ("province", "ent_xw", "320102", 201),
    ("suzhou", "ent_ks", "320583", 201),
    ("suzhou", "ent_ks", "320102", 403),   # moving into another city
    ("kunshan", "ent_ks", "320583", 201),
    ("kunshan", "ent_ks", "320102", 403),  # another county
    ("kunshan", "ent_xw", "320102", 400),  # an owner it cannot see does not exist for it
    ("xuanwu", "ent_xw", "320102", 201),
    ("enterprise", "ent_ks", "320583", 201),
    ("enterprise", "ent_xw", "320102", 400),
    ("institute", "ent_ks", "320583", 400),
    ("anonymous", "ent_ks", "320583", 403),
])
def test_api_create_instrument(world, role, owner, region, expected):
    from jiliang.registry.models import Instrument

    client = client_for(world.users[role])
    response = client.post(reverse("api:instrument-list"),
                           _instrument_payload(world, getattr(world, owner), region, f"NEW-{role}"), format="json")
    assert response.status_code in ((401, 403) if expected == 403 and role == "anonymous" else (expected,)), \
        response.content
    assert Instrument.objects.filter(serial_number=f"NEW-{role}").exists() == (expected == 201)


def test_county_cannot_move_instrument_to_another_county(world):
    client = client_for(world.users["kunshan"])
    url = reverse("api:instrument-detail", args=[world.instrument_ks.pk])
    response = client.patch(url, {"region": "320102"}, format="json")
    assert response.status_code == 403
    world.instrument_ks.refresh_from_db()
    assert world.instrument_ks.region_id == "320583"


@pytest.mark.parametrize(("role", "expected"), [
    ("province", 201), ("suzhou", 201), ("kunshan", 201), ("xuanwu", 403), ("institute", 403),
    ("enterprise", 403), ("anonymous", 403),
])
def test_api_create_organisation(world, role, expected):
    from tests.conftest import uscc_for

    payload = {"name": "新设企业", "uscc": uscc_for("91", "320583", 99), "kind": "enterprise", "region": "320583"}
    response = client_for(world.users[role]).post(reverse("api:organisation-list"), payload, format="json")
    assert response.status_code in ((401, 403) if role == "anonymous" else (expected,)), response.content


@pytest.mark.parametrize(("role", "expected"), [
    ("province", 201), ("suzhou", 403), ("kunshan", 403), ("institute", 403), ("enterprise", 403),
])
def test_only_the_province_edits_the_catalogue(world, role, expected):
    payload = {"code": "test-category", "name": "测试器具", "domain": "mechanics"}
    response = client_for(world.users[role]).post(reverse("api:instrumentcategory-list"), payload, format="json")
    assert response.status_code == expected, response.content


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_regions_are_read_only_for_everyone(world, role):
    client = client_for(world.users[role])
    assert client.get(reverse("api:region-detail", args=["320583"])).status_code == 200
    response = client.patch(reverse("api:region-detail", args=["320583"]), {"name": "x"}, format="json")
    assert response.status_code in (403, 405)  # no role writes regions; the viewset has no write methods
    from jiliang.core.models import Region

    assert Region.objects.get(pk="320583").name == "昆山市"


# --- pages -----------------------------------------------------------------------------------------

PAGE_SLUG = {"instrument": "instruments", "ent": "organisations", "inst": "organisations", "standard": "standards",
             "person": "people", "rm": "reference-materials"}


@pytest.mark.parametrize(("record", "role"), CASES)
def test_pages(world, record, role):
    obj = getattr(world, record)
    slug = PAGE_SLUG[record.split("_")[0]]
    client = web_client_for(world.users[role])
    listing = client.get(reverse(f"{slug}-list"))
    detail = client.get(reverse(f"{slug}-detail", args=[obj.pk]))
    edit = client.get(reverse(f"{slug}-edit", args=[obj.pk]))
    if role == "anonymous":
        for r in (listing, detail, edit):
            assert r.status_code == 302 and r["Location"].startswith(reverse("login"))
        return
    assert listing.status_code == 200
    assert (f'href="{reverse(f"{slug}-detail", args=[obj.pk])}"' in listing.content.decode()) == \
        (role in VISIBLE[record])
    assert detail.status_code == (200 if role in VISIBLE[record] else 404)
    expected_edit = 200 if role in WRITABLE[record] else 403 if role in VISIBLE[record] else 404
    assert edit.status_code == expected_edit


@pytest.mark.parametrize(("record", "role"), CASES)
def test_page_edit_post(world, record, role):
    """Posting an edit form: allowed roles save, others get 403/404 and nothing changes."""
    from django.forms.models import model_to_dict

    obj = getattr(world, record)
    slug = PAGE_SLUG[record.split("_")[0]]
    client = web_client_for(world.users[role])
    data = {k: v for k, v in model_to_dict(obj).items() if v is not None}
    if "designations" in data:
        data["designations"] = [d.pk for d in data["designations"]]
    data["description"] = "edited on the web"
    response = client.post(reverse(f"{slug}-edit", args=[obj.pk]), data)
    obj.refresh_from_db()
    if role == "anonymous":
        assert response.status_code == 302 and obj.description == ""
    elif role in WRITABLE[record]:
        assert response.status_code == 302, response.content.decode()[:3000]
        assert obj.description == "edited on the web"
    else:
        assert response.status_code == (403 if role in VISIBLE[record] else 404)
        assert obj.description == ""


@pytest.mark.parametrize("role", ROLES)
def test_every_list_page_and_export(world, role):
    client = web_client_for(world.users[role])
    for slug in ("instruments", "organisations", "people", "standards", "reference-materials", "categories", "audit"):
        response = client.get(reverse(f"{slug}-list"), {"export": "xlsx"})
        if role == "anonymous":
            assert response.status_code == 302
        else:
            assert response.status_code == 200
            assert response["Content-Type"].startswith("application/vnd.openxmlformats")
