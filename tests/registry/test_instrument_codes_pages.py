"""Instrument codes on the pages (issue #14, item 1): the look-up from the navigation bar as an access matrix, the
code with its scheme and QR code on the instrument's page in Chinese and English, the list's column, filter and
Excel export, and the codes the migration gives instruments registered before codes existed."""

import importlib
import io

import pytest
import segno
from django.urls import reverse
from openpyxl import load_workbook
from tests.conftest import web_client_for

from jiliang.registry import codes
from jiliang.registry import models as m

pytestmark = pytest.mark.django_db

SEES = {"province": (True, True), "suzhou": (True, False), "kunshan": (True, False), "xuanwu": (False, True),
        "institute": (False, False), "enterprise": (True, False)}


def get(client, url, lang="en", **params):
    client.cookies["django_language"] = lang
    return client.get(url, params)


@pytest.mark.parametrize("role", [*SEES, "anonymous"])
def test_lookup_page_access_matrix(world, role):
    client = web_client_for(world.users[role])
    lookup = reverse("instrument-code-lookup")
    if role == "anonymous":
        r = get(client, lookup, code=world.instrument_ks.instrument_code)
        assert r.status_code == 302 and r["Location"].startswith(reverse("login"))
        return
    unknown = get(client, lookup, code="ZZ-NOT-A-CODE")
    assert unknown.status_code == 404 and "No instrument with the code ZZ-NOT-A-CODE is in your scope" in \
        unknown.content.decode()
    for instrument, visible in zip((world.instrument_ks, world.instrument_xw), SEES[role], strict=True):
        typed = " " + codes.group(instrument.instrument_code).lower() + " "  # as read off a label
        r = get(client, lookup, code=typed)
        if visible:
            assert r.status_code == 302 and r["Location"] == reverse("instruments-detail", args=[instrument.pk])
        else:
            page = r.content.decode()
            assert r.status_code == 404 and f"No instrument with the code {instrument.instrument_code} is in your " \
                "scope" in page and 'id="code-misread"' not in page  # like an unknown code
            assert reverse("instruments-detail", args=[instrument.pk]) not in page


def test_lookup_page_says_a_character_was_misread_in_both_languages(world):
    code = world.instrument_ks.instrument_code
    wrong = code[:4] + ("0" if code[4] != "0" else "1") + code[5:]
    client = web_client_for(world.users["province"])
    en = get(client, reverse("instrument-code-lookup"), "en", code=wrong).content.decode()
    zh = get(client, reverse("instrument-code-lookup"), "zh-hans", code=wrong).content.decode()
    assert 'id="code-misread"' in en and "misread" in en
    assert 'id="code-misread"' in zh and "误读" in zh
    empty = get(client, reverse("instrument-code-lookup"))
    assert empty.status_code == 200 and 'id="code-lookup-form"' in empty.content.decode()


def test_the_navigation_has_the_code_box_for_signed_in_users_only(world):
    page = get(web_client_for(world.users["enterprise"]), reverse("home")).content.decode()
    assert 'id="nav-code-lookup"' in page and f'action="{reverse("instrument-code-lookup")}"' in page
    assert 'id="nav-code-lookup"' not in get(web_client_for(None), reverse("login")).content.decode()


@pytest.mark.parametrize(("lang", "label", "scheme"), [("en", "Instrument code", "jiliang code"),
                                                       ("zh-hans", "器具识别码", "计量平台编码")])
def test_instrument_page_shows_the_code_its_scheme_and_the_qr_code(world, lang, label, scheme):
    ks = world.instrument_ks
    page = get(web_client_for(world.users["kunshan"]), reverse("instruments-detail", args=[ks.pk]), lang)
    html = page.content.decode()
    lead = html.split('id="instrument-code"')[1].split('id="object-fields"')[0]
    assert label in lead and codes.group(ks.instrument_code) in lead and scheme in lead
    assert ks.public_url in lead and ks.public_url.endswith(f"/i/{ks.instrument_code}")
    qr = segno.make(ks.public_url, error="m", micro=False).svg_inline(scale=3, title=ks.public_url)
    assert qr in lead  # the QR code of the public page, drawn inline


def test_instrument_page_of_a_state_grid_meter_names_the_scheme(world):
    from jiliang.core import services

    body = "330000101234567890123"
    meter = services.create_record(m.Instrument, {
        "owner": world.ent_ks, "category": world.scale, "manufacturer": "威胜", "model": "DDZY",
        "serial_number": "M-1", "usage": "trade", "region_id": "320583",
        "instrument_code": body + codes.gs1_check_digit(body), "code_scheme": "SGCC"}, actor=world.admin)
    html = get(web_client_for(world.users["kunshan"]), reverse("instruments-detail", args=[meter.pk]),
               "zh-hans").content.decode()
    lead = html.split('id="instrument-code"')[1].split('id="object-fields"')[0]
    assert "国家电网资产编码" in lead and meter.instrument_code in lead


def test_list_has_the_code_column_the_filter_and_the_export(world):
    client = web_client_for(world.users["province"])
    ks = world.instrument_ks
    listing = get(client, reverse("instruments-list")).content.decode()
    assert "instrument code" in listing and ks.instrument_code in listing and world.instrument_xw.instrument_code \
        in listing and 'name="instrument_code"' in listing
    filtered = get(client, reverse("instruments-list"), instrument_code=codes.group(ks.instrument_code).lower())
    text = filtered.content.decode()
    assert ks.instrument_code in text and world.instrument_xw.instrument_code not in text
    export = get(client, reverse("instruments-list"), export="xlsx", instrument_code=ks.instrument_code)
    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("instrument code")
    assert [r[column] for r in rows[1:]] == [ks.instrument_code]


def test_the_migration_gives_every_instrument_registered_before_codes_its_own(world, settings):
    from django.apps import apps
    from tests.registry.test_instrument_codes_api import payload

    from jiliang.core import services

    migration = importlib.import_module("jiliang.registry.migrations.0004_instrument_codes")
    # As the table stood before 0004 (one blank at a time: the unique index of 0005 is in place here), and the
    # migration run under another installation's key, so that its first codes are not the ones the world took.
    m.Instrument.objects.filter(pk=world.instrument_xw.pk).update(instrument_code="", code_scheme="GB/T 36377")
    m.CodeSequence.objects.all().delete()
    settings.JILIANG_CODE_KEY = "the key of the installation that migrated"
    migration.issue_codes(apps, None)
    xw = m.Instrument.objects.get(pk=world.instrument_xw.pk)
    assert xw.instrument_code == codes.local_code(0, codes.round_keys(settings.JILIANG_CODE_KEY))
    assert codes.validate(xw.instrument_code, codes.LOCAL) and xw.code_scheme == "local"
    assert m.Instrument.objects.get(pk=world.instrument_ks.pk).instrument_code == world.instrument_ks.instrument_code
    assert m.CodeSequence.objects.get(name="instrument").next_value == 1
    # The next instrument continues the sequence, and never takes a code already held.
    data = payload(world, "AFTER-1")
    data.update(owner=world.ent_ks, category=world.scale, region_id=data.pop("region"))
    new = services.create_record(m.Instrument, data, actor=world.admin)
    assert new.code_scheme == "local" and new.instrument_code not in {xw.instrument_code,
                                                                        world.instrument_ks.instrument_code}
    assert m.CodeSequence.objects.get(name="instrument").next_value == 2


def _add(client, world, serial, **over):
    data = {"owner": world.ent_ks.pk, "category": world.scale.pk, "manufacturer": "威胜", "model": "DDZY",
            "serial_number": serial, "usage": "trade", "region": "320583", "status": "in_service"}
    data.update(over)
    client.cookies["django_language"] = "en"
    return client.post(reverse("instruments-add"), data)


def test_the_add_page_takes_a_makers_or_utilitys_code_and_the_edit_page_keeps_it(world):
    client = web_client_for(world.users["kunshan"])
    body = "330000101234567890124"
    code = body + codes.gs1_check_digit(body)
    r = _add(client, world, "F-1", instrument_code="-".join([code[:5], code[5:7], code[7:21], code[21]]))
    meter = m.Instrument.objects.get(serial_number="F-1")
    assert r.status_code == 302 and (meter.instrument_code, meter.code_scheme) == (code, "SGCC")
    plain = _add(client, world, "F-2")
    assert plain.status_code == 302 and m.Instrument.objects.get(serial_number="F-2").code_scheme == "local"
    taken = _add(client, world, "F-3", instrument_code=code).content.decode()
    wrong = _add(client, world, "F-4", instrument_code=code[:-1] + str((int(code[-1]) + 1) % 10)).content.decode()
    local = _add(client, world, "F-5", instrument_code="JL" + "2" * 11)
    assert "cannot be registered again" in taken and "check digit" in wrong
    assert "shape of a jiliang code" in local.content.decode()
    assert not m.Instrument.objects.filter(serial_number__in=["F-3", "F-4", "F-5"]).exists()
    # The edit page shows the code, and a changed code posted anyway is ignored: the code is stable for life.
    edit = reverse("instruments-edit", args=[meter.pk])
    page = client.get(edit).content.decode()
    assert code in page and "stable for its life" in page
    data = {"owner": world.ent_ks.pk, "category": world.scale.pk, "manufacturer": "威胜", "model": "DDZY",
            "serial_number": "F-1", "usage": "trade", "region": "320583", "status": "in_service",
            "instrument_code": "ANOTHER-1", "code_scheme": "GB/T 36377", "address": "新址"}
    assert client.post(edit, data).status_code == 302
    meter.refresh_from_db()
    assert (meter.instrument_code, meter.code_scheme, meter.address) == (code, "SGCC", "新址")
