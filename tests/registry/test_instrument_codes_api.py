"""Instrument codes in the API (issue #14, items 1 and 6): ``instrument_code`` and ``code_scheme`` on
/api/instruments/ (writable on create, stable after), the ``?instrument_code=`` filter, and the scoped look-up
``/api/instrument-codes/<code>/`` as an access matrix."""

import pytest
from django.urls import reverse
from django.utils import translation
from tests.conftest import client_for as any_client_for

from jiliang.core.identities import CLASH_MESSAGE
from jiliang.core.models import AuditEntry
from jiliang.registry import codes
from jiliang.registry import models as m

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def client_for(user):
    client = any_client_for(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def sgcc(serial: str) -> str:
    body = f"3300001{serial:0>14}"
    return body + codes.gs1_check_digit(body)


def payload(world, serial, **over):
    data = {"owner": world.ent_ks.pk, "category": world.scale.pk, "manufacturer": "威胜", "model": "DDZY",
            "serial_number": serial, "usage": "trade", "region": "320583"}
    data.update(over)
    return data


def create(world, role="kunshan", **over):
    return client_for(world.users[role]).post(reverse("api:instrument-list"), payload(world, **over), format="json")


def test_create_stores_a_given_code_with_its_scheme_or_issues_jiliangs_own(world):
    r = create(world, serial="A-1", instrument_code=sgcc("1"))
    assert r.status_code == 201, r.json()
    assert (r.json()["instrument_code"], r.json()["code_scheme"]) == (sgcc("1"), "SGCC")
    r = create(world, serial="A-2", instrument_code=" yh-2024 0001 ", code_scheme="GB/T 36377")
    assert (r.status_code, r.json()["instrument_code"], r.json()["code_scheme"]) == (201, "YH-20240001", "GB/T 36377")
    r = create(world, serial="A-3")
    assert r.status_code == 201 and r.json()["code_scheme"] == "local"
    assert codes.validate(r.json()["instrument_code"], codes.LOCAL) == r.json()["instrument_code"]
    r = create(world, serial="A-4", instrument_code="", code_scheme="local")
    assert r.status_code == 201 and r.json()["code_scheme"] == "local"


@pytest.mark.parametrize(("over", "field", "words"), [
    ({"instrument_code": sgcc("1")[:-1] + str((int(sgcc("1")[-1]) + 1) % 10)}, "instrument_code", "check digit"),
    ({"instrument_code": "12345", "code_scheme": "SGCC"}, "instrument_code", "22 digits"),
    ({"instrument_code": "JL" + "1" * 11}, "instrument_code", "shape of a jiliang code"),
    ({"instrument_code": "maker/1"}, "instrument_code", "letters, digits and dashes"),
    ({"code_scheme": "SGCC"}, "code_scheme", "scheme without a code"),
    ({"instrument_code": "ABC", "code_scheme": "EAN"}, "code_scheme", "valid choice"),
])
def test_bad_codes_are_400_naming_the_field_and_nothing_is_written(world, over, field, words):
    r = create(world, serial="BAD-1", **over)
    assert r.status_code == 400 and field in r.json(), r.json()
    assert words in " ".join(r.json()[field])
    assert not m.Instrument.objects.filter(serial_number="BAD-1").exists()


def test_a_local_code_cannot_be_brought_even_a_well_formed_one(world):
    code = codes.local_code(987, codes.round_keys("elsewhere"))
    r = create(world, serial="L-1", instrument_code=code, code_scheme="local")
    assert r.status_code == 400 and "issues its own codes" in r.json()["code_scheme"][0]


def test_a_taken_code_gets_one_answer_in_scope_or_out_and_the_holders_bureau_is_told(world):
    assert create(world, "kunshan", serial="D-1", instrument_code=sgcc("21")).status_code == 201
    assert create(world, "xuanwu", serial="D-2", instrument_code=sgcc("22"), owner=world.ent_xw.pk,
                  region="320102").status_code == 201
    inside = create(world, "kunshan", serial="D-3", instrument_code=sgcc("21"))
    outside = create(world, "kunshan", serial="D-4", instrument_code=sgcc("22"))
    assert inside.status_code == outside.status_code == 400
    assert inside.json() == outside.json() and "cannot be registered again" in inside.json()["instrument_code"][0]
    held = m.Instrument.objects.get(serial_number="D-2")
    assert list(AuditEntry.objects.filter(message=CLASH_MESSAGE).values_list("object_id", "region_code")) \
        == [(str(held.pk), "320102")]


def test_the_code_is_read_only_after_create(world):
    ks = world.instrument_ks
    url = reverse("api:instrument-detail", args=[ks.pk])
    client = client_for(world.users["kunshan"])
    r = client.patch(url, {"instrument_code": sgcc("3")}, format="json")
    assert r.status_code == 400 and "stable for its life" in r.json()["instrument_code"][0]
    r = client.patch(url, {"code_scheme": "GB/T 36377"}, format="json")
    assert r.status_code == 400 and "stable for its life" in r.json()["code_scheme"][0]
    r = client.patch(url, {"instrument_code": codes.group(ks.instrument_code).lower(), "address": "新址"},
                     format="json")
    assert r.status_code == 200 and r.json()["instrument_code"] == ks.instrument_code
    r = client.put(url, {**payload(world, ks.serial_number, manufacturer=ks.manufacturer, model=ks.model),
                         "instrument_code": ""}, format="json")
    assert r.status_code == 200 and r.json()["instrument_code"] == ks.instrument_code  # empty: kept
    ks.refresh_from_db()
    assert (ks.instrument_code, ks.code_scheme, ks.address) == (world.instrument_ks.instrument_code, "local", "新址")


def test_the_model_refuses_a_changed_code_on_every_channel(world):
    from django.core.exceptions import ValidationError

    from jiliang.core import services

    with pytest.raises(ValidationError) as exc:
        services.update_record(world.instrument_ks, {"instrument_code": sgcc("4"), "code_scheme": "SGCC"},
                               actor=world.admin)
    assert "stable for its life" in str(exc.value)


def test_filter_by_code_as_typed(world):
    ks = world.instrument_ks
    client = client_for(world.users["province"])
    for typed in (ks.instrument_code, ks.instrument_code.lower(), codes.group(ks.instrument_code), " ".join(ks.instrument_code)):
        rows = client.get(reverse("api:instrument-list"), {"instrument_code": typed}).json()["results"]
        assert [r["id"] for r in rows] == [ks.pk], typed
    assert client.get(reverse("api:instrument-list"), {"instrument_code": "NOPE"}).json()["results"] == []
    rows = client_for(world.users["xuanwu"]).get(reverse("api:instrument-list"),
                                                 {"instrument_code": ks.instrument_code}).json()["results"]
    assert rows == []


# role → which of (Kunshan's, Xuanwu's) instruments the role sees
SEES = {"province": (True, True), "suzhou": (True, False), "kunshan": (True, False), "xuanwu": (False, True),
        "institute": (False, False), "enterprise": (True, False)}


@pytest.mark.parametrize("role", [*SEES, "anonymous"])
def test_lookup_endpoint_access_matrix(world, role):
    client = client_for(world.users[role])
    unknown = client.get(reverse("api:instrument-code", args=["JL0000000000X"]))
    if role == "anonymous":
        assert unknown.status_code in (401, 403)
        assert client.get(reverse("api:instrument-code", args=[world.instrument_ks.instrument_code])).status_code \
            in (401, 403)
        return
    assert unknown.status_code == 404
    for instrument, visible in zip((world.instrument_ks, world.instrument_xw), SEES[role], strict=True):
        code = instrument.instrument_code
        r = client.get(reverse("api:instrument-code", args=[codes.group(code).lower()]))
        if visible:
            assert r.status_code == 200
            assert r.json() == {"code": code, "scheme": "local", "instrument": instrument.pk,
                                "url": f"http://testserver/api/instruments/{instrument.pk}/"}
            assert client.get(r.json()["url"]).status_code == 200
        else:
            assert r.status_code == 404
            other = client.get(reverse("api:instrument-code", args=[code[:2] + code[3:] + code[2]]))  # unknown
            assert set(r.json()) == {"detail"} == set(other.json())
            assert r.json()["detail"].replace(code, "<code>") == "No instrument with the code <code> is in your scope."


def test_lookup_says_when_a_character_was_misread(world):
    code = world.instrument_ks.instrument_code
    wrong = code[:-1] + codes.ALPHABET[(codes.ALPHABET.index(code[-1]) + 1) % 31]
    r = client_for(world.users["province"]).get(reverse("api:instrument-code", args=[wrong]))
    assert r.status_code == 404 and "misread" in r.json()["detail"]


def test_schema_documents_the_code_fields_and_the_lookup(world):
    schema = client_for(world.users["province"]).get(reverse("api:schema"), {"format": "json"}).json()
    fields = schema["components"]["schemas"]["Instrument"]["properties"]
    assert {"instrument_code", "code_scheme"} <= set(fields)
    assert "/api/instrument-codes/{code}/" in schema["paths"]
