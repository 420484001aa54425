"""Provenance of reference data (confidence marks, "凭记忆", source URLs) is for the provincial administrator.

Shown on the catalogue's data pages to the provincial bureau only; never to enterprises, institutes or other
bureaus (pages, export, API), never on a certificate (its signed content or its PDF).
"""

import io
import re
import zlib

import pytest
from django.test import Client
from openpyxl import load_workbook

from jiliang.registry.models import InstrumentCategory

pytestmark = pytest.mark.django_db(transaction=False)

MARKS = ("凭记忆", "from memory", "unverified (M)", "marked M", "http://", "(H)", "(L)")


def _client(user, lang="zh-hans"):
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = lang
    return c


def _category_with_source():
    return InstrumentCategory.objects.exclude(source="").filter(source__contains="memory").first()


@pytest.mark.parametrize("role", ["enterprise", "institute", "suzhou"])
def test_other_roles_never_see_provenance(world, role):
    cat = _category_with_source()
    for lang in ("zh-hans", "en"):
        c = _client(world.users[role], lang)
        pages = [c.get("/registry/categories/").content.decode(),
                 c.get(f"/registry/categories/{cat.pk}/").content.decode()]
        for html in pages:
            assert "来源可靠性" not in html and "凭记忆" not in html and "weak source or memory" not in html
            assert cat.source[:40] not in html
            assert 'name="confidence"' not in html
        sheet = load_workbook(io.BytesIO(c.get("/registry/categories/?export=xlsx").content)).worksheets[0]
        cells = " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v)
        assert "凭记忆" not in cells and "memory" not in cells
    api = Client()
    api.force_login(world.users[role])
    row = api.get(f"/api/instrument-categories/{cat.pk}/").json()
    assert "source" not in row and "confidence" not in row


def test_provincial_administrator_sees_provenance_on_data_pages(world):
    cat = _category_with_source()
    c = _client(world.users["province"])
    assert "凭记忆" in c.get("/registry/categories/").content.decode()
    detail = c.get(f"/registry/categories/{cat.pk}/").content.decode()
    assert cat.source[:40] in detail
    assert Client().get("/").status_code == 302  # (anonymous users see nothing at all)
    api = Client()
    api.force_login(world.users["province"])
    assert api.get(f"/api/instrument-categories/{cat.pk}/").json()["confidence"] == cat.confidence


def _pdf_text(pdf: bytes) -> bytes:
    out = [pdf]
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            out.append(zlib.decompress(m.group(1)))
        except zlib.error:
            pass
    return b"\n".join(out)


def test_certificate_carries_no_provenance(flow):
    cert = flow.issued()  # JJG 539: its required test points are marked M in the rule data
    decision = cert.item.result.decision
    assert any("marked M" in n for n in decision["provenance"])  # kept for the data's administrators
    assert not [n for n in cert.content.get("notes", []) if any(mark in n for mark in MARKS)]
    text = _pdf_text(bytes(cert.pdf))
    assert b"marked M" not in text and b"unverified" not in text
    page = _client(flow.owner_user).get(f"/verification/certificates/{cert.pk}/").content.decode()
    assert "marked M" not in page and "unverified (M)" not in page


def test_gb17167_check_hides_confidence_from_the_enterprise(world):
    from jiliang.registry.models import Designation
    from jiliang.telemetry.quality import KEY_ENERGY_DESIGNATION

    world.ent_ks.designations.add(Designation.objects.get(code=KEY_ENERGY_DESIGNATION))
    url = f"/telemetry/enterprises/{world.ent_ks.pk}/gb17167/"
    own = _client(world.users["enterprise"]).get(url)
    assert own.status_code == 200
    assert 'id="gb17167-provenance"' not in own.content.decode() and "凭记忆" not in own.content.decode()
    admin = _client(world.users["province"]).get(url).content.decode()
    assert 'id="gb17167-provenance"' in admin
