"""The public certificate check (issue 11, item 13; issue 12, item 8): number AND printed check code, rate
limited, and less content to the public than to the owner and the authorities."""

import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.test import Client
from tests.conftest import web_client_for

from jiliang.verification import certificates as certs
from jiliang.verification import signing
from jiliang.verification.models import Certificate


def pdf_text(pdf: bytes) -> str:
    """The text drawn with Tj in reportlab's (uncompressed) page streams, CID strings as UTF-16BE."""

    def literal(raw: bytes) -> bytes:
        out, i = bytearray(), 0
        while i < len(raw):
            ch = raw[i]
            if ch == 0x5C:  # backslash escape
                nxt = raw[i + 1:i + 4]
                m = re.match(rb"[0-7]{1,3}", nxt)
                if m:
                    out.append(int(m.group(), 8) & 0xFF)
                    i += 1 + len(m.group())
                    continue
                out.append({ord("n"): 10, ord("r"): 13, ord("t"): 9}.get(raw[i + 1], raw[i + 1]))
                i += 2
                continue
            out.append(ch)
            i += 1
        return bytes(out)

    parts = []
    for m in re.finditer(rb"\(((?:\\.|[^\\)])*)\) Tj", pdf):
        data = literal(m.group(1))
        parts.append(data.decode("utf-16-be", "replace") if len(data) % 2 == 0 and b"\x00" in data
                     else data.decode("latin-1"))
    return "\n".join(parts)


@pytest.fixture
def cert(flow):
    owner = flow.world.ent_ks
    owner.address = "昆山市玉山镇前进西路1号"
    owner.save(update_fields=["address"])
    return flow.issued()


def test_the_check_code_is_signed_and_printed(cert):
    assert re.fullmatch(rf"[{certs.CHECK_CODE_ALPHABET}]{{8}}", cert.check_code)
    assert cert.content["check_code"] == cert.check_code  # part of the signed content
    assert signing.verify(cert.signing_key.public_key, cert.content, cert.signature)
    assert cert.content["verify_path"] == f"/verify/{cert.number}?code={cert.check_code}"  # and in the QR code
    text = pdf_text(bytes(cert.pdf))
    assert f"{cert.check_code[:4]}-{cert.check_code[4:]}" in text and "查验码" in text
    other = Certificate.objects.exclude(pk=cert.pk).values_list("check_code", flat=True)
    assert cert.check_code not in set(other)


def test_the_number_alone_reveals_nothing(cert):
    anonymous = Client()
    ask = anonymous.get(f"/verify/{cert.number}")
    unknown = anonymous.get(f"/verify/{cert.number[:-1]}9")
    for response in (ask, unknown):  # known or unknown number: the same form, nothing about a certificate
        body = response.content.decode()
        assert response.status_code == 200 and 'id="check-code-form"' in body
        assert "data-status" not in body and "昆山精密机械有限公司" not in body
    wrong = anonymous.get(f"/verify/{cert.number}", {"code": "ABCD-EFGH"})
    nonexistent = anonymous.get("/verify/NO-SUCH-1", {"code": cert.check_code})
    assert wrong.status_code == nonexistent.status_code == 404
    assert "昆山精密机械有限公司" not in wrong.content.decode()
    assert anonymous.get(f"/verify/{cert.number}.json").status_code == 404
    assert anonymous.get(f"/verify/{cert.number}.json", {"code": "ABCD-EFGH"}).status_code == 404


def test_the_code_as_people_type_it(cert):
    typed = f" {cert.check_code[:4].lower()}-{cert.check_code[4:]} "
    response = Client().get(f"/verify/{cert.number}", {"code": typed})
    assert response.status_code == 200 and 'data-status="valid"' in response.content.decode()


def test_the_public_sees_less_than_the_owner_and_the_authorities(cert, flow):
    owner = flow.world.ent_ks
    secrets_ = [owner.uscc, owner.address, flow.checker.metrologist_certificate,
                flow.approver.metrologist_certificate, flow.technician.metrologist_certificate]
    assert all(secrets_)
    page = Client().get(f"/verify/{cert.number}", {"code": cert.check_code}).content.decode()
    doc = Client().get(f"/verify/{cert.number}.json", {"code": cert.check_code})
    assert doc.status_code == 200
    public = doc.content.decode()
    assert 'data-status="valid"' in page and 'data-ok="1"' in page and owner.name in page
    assert doc.json()["signature_verifies"] is True and "signature" not in doc.json()
    for text in secrets_:
        assert text not in page and text not in public, text
    assert flow.checker.name in public  # names, not registration numbers
    for user in (flow.owner_user, flow.world.users["kunshan"], flow.world.users["province"]):
        full = web_client_for(user).get(f"/verify/{cert.number}.json").json()
        assert full["content"]["owner"]["uscc"] == owner.uscc and full["signature"] == cert.signature
    # a signed-in user who may not open the record (another county's bureau) is the public
    stranger = web_client_for(flow.world.users["xuanwu"]).get(f"/verify/{cert.number}.json")
    assert stranger.status_code == 404


def test_public_check_is_rate_limited_per_address(cert, settings):
    settings.JILIANG_RATE_PUBLIC_CHECK = "3/min"
    client = Client(REMOTE_ADDR="203.0.113.7")
    codes = [client.get(f"/verify/{cert.number}", {"code": f"GUESS{i:03d}"}).status_code for i in range(2)]
    codes.append(client.get(f"/verify/{cert.number}.json", {"code": cert.check_code}).status_code)
    assert codes == [404, 404, 200]
    blocked = client.get(f"/verify/{cert.number}", {"code": cert.check_code})  # even with the right code
    assert blocked.status_code == 429 and 0 < int(blocked["Retry-After"]) <= 60
    assert 'id="rate-limited"' in blocked.content.decode()
    blocked_json = client.get(f"/verify/{cert.number}.json", {"code": cert.check_code})
    assert blocked_json.status_code == 429 and "detail" in blocked_json.json()
    other = Client(REMOTE_ADDR="203.0.113.8").get(f"/verify/{cert.number}", {"code": cert.check_code})
    assert other.status_code == 200


def test_certificates_issued_before_get_a_code_on_their_record(cert, flow):
    Certificate.objects.filter(pk=cert.pk).update(check_code="")
    assert Client().get(f"/verify/{cert.number}", {"code": ""}).status_code == 200  # the form, no match
    migration = importlib.import_module("jiliang.verification.migrations.0002_certificate_check_code")
    migration.codes_for_issued_certificates(django_apps, None)
    cert.refresh_from_db()
    assert len(cert.check_code) == 8
    assert Client().get(f"/verify/{cert.number}", {"code": cert.check_code}).status_code == 200
    # the owner reads it on the certificate's page (their PDF, issued before, does not carry it)
    detail = web_client_for(flow.owner_user).get(f"/verification/certificates/{cert.pk}/").content.decode()
    assert f"{cert.check_code[:4]}-{cert.check_code[4:]}" in detail
