"""Signatures, tamper detection, the public check page in every state, offline verification, PDF, DCC."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.test import Client
from tests.conftest import web_client_for
from verification_helpers import KG

from jiliang.verification import dcc, dcc_bridge, services, signing
from jiliang.verification.models import Certificate, StandardCalibration


def page(number, code=None):
    """The public check as an anonymous visitor holding the certificate (number and printed check code)."""
    if code is None:
        code = Certificate.objects.get(number=number).check_code
    return Client().get(f"/verify/{number}", {"code": code})


def test_signature_verifies_and_tampering_is_detected(flow):
    cert = flow.issued()
    assert signing.verify(cert.signing_key.public_key, cert.content, cert.signature)
    r = page(cert.number)
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-status="valid"' in html and 'data-ok="1"' in html
    # somebody edits the stored record behind the application's back
    content = dict(cert.content, valid_until="2099-12-31")
    Certificate.objects.filter(pk=cert.pk).update(content=content)
    html = page(cert.number).content.decode()
    assert 'data-ok="0"' in html and 'data-ok="1"' not in html


def test_canonical_bytes_are_sorted_compact_utf8():
    assert signing.canonical_bytes({"b": "计量", "a": [1, {"d": None, "c": True}]}) == \
        '{"a":[1,{"c":true,"d":null}],"b":"计量"}'.encode()


def test_verify_page_states(flow):
    cert = flow.issued()
    assert page("NO-SUCH-1", code="ABCD-EFGH").status_code == 404
    # expired: past its valid-until date
    Certificate.objects.filter(pk=cert.pk).update(valid_until=dt.date(2020, 1, 1))
    assert 'data-status="expired"' in page(cert.number).content.decode()
    Certificate.objects.filter(pk=cert.pk).update(valid_until=cert.valid_until)
    new = services.reissue_certificate(cert, actor=flow.institute_user, reason="typo in owner address")
    html = page(cert.number).content.decode()
    assert 'data-status="superseded"' in html and new.number in html
    services.revoke_certificate(new, actor=flow.institute_user, reason="seal broken")
    html = page(new.number).content.decode()
    assert 'data-status="revoked"' in html and "seal broken" in html and 'data-ok="1"' in html


def test_offline_verification_command(flow, tmp_path, capsys):
    cert = flow.issued()
    client = web_client_for(flow.owner_user)  # the signed document goes to the owner and the authorities
    doc = client.get(f"/verify/{cert.number}.json").json()
    pem = client.get(f"/verify/keys/{cert.signing_key.key_id}.pem").content
    (tmp_path / "c.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "k.pem").write_bytes(pem)
    call_command("verify-certificate", str(tmp_path / "c.json"), public_key=str(tmp_path / "k.pem"))
    assert "signature verifies" in capsys.readouterr().out
    doc["content"]["outcome"] = "fail"
    (tmp_path / "c.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        call_command("verify-certificate", str(tmp_path / "c.json"), public_key=str(tmp_path / "k.pem"))
    assert exit_.value.code == 1
    assert Client().get("/verify/keys/").status_code == 200


def test_private_key_is_wrapped_at_rest(flow):
    cert = flow.issued()
    key = cert.signing_key
    seed_free = bytes(key.private_key_wrapped)
    assert len(seed_free) == 12 + 32 + 16  # nonce, seed, GCM tag
    with pytest.raises(Exception):  # noqa: B017 - wrong secret: AES-GCM refuses
        signing.unwrap(key.key_id, key.institute_id, seed_free, secret="another secret")


def test_pdf_and_english_pdf(flow):
    cert = flow.issued()
    client = Client()
    client.force_login(flow.owner_user)
    zh = client.get(f"/verification/certificates/{cert.pk}/pdf/")
    en = client.get(f"/verification/certificates/{cert.pk}/pdf/?lang=en")
    assert zh.content == bytes(cert.pdf) and zh.content.startswith(b"%PDF")
    assert en.status_code == 200 and en.content.startswith(b"%PDF") and en.content != zh.content
    assert b"STSong-Light" in zh.content


def _calibration_cert(flow):
    points = [{"label": "P1", "reference_value": "2.5", "indication": "2.5021", "unit": KG, "U": "0.0004", "k": "2"},
              {"label": "P2", "reference_value": "10", "indication": "9.9970", "unit": KG, "U": "0.0012", "k": "2"}]
    return flow.issued(kind="calibration", method="JJF 1847-2020", points=points)


def test_dcc_export_validates_and_round_trips(flow, dcc_schema):
    cert = _calibration_cert(flow)
    xml = dcc_bridge.export_dcc(cert)
    dcc.validate_dcc(xml, dcc_bridge.schema_dir())
    # import as the calibration of one of our standards: the values and uncertainties come back unchanged
    cal = services.import_dcc(flow.world.standard_nj, xml, actor=flow.world.admin, traceability="JS institute")
    assert cal.source == "dcc" and cal.certificate_no == cert.number
    assert dcc.read_dcc(cal.dcc_xml.encode()) == dcc.read_dcc(xml)
    errs = {q["label"]: q for q in cal.results}
    assert errs["P1/err"]["value"] == "0.0021" and errs["P1/err"]["U"] == "0.0004" and errs["P1/err"]["k"] == "2"
    assert errs["P2/ind"]["value"] == "9.997"
    with pytest.raises(Exception):  # noqa: B017 - the same certificate is not recorded twice
        services.import_dcc(flow.world.standard_nj, xml, actor=flow.world.admin)


def test_dcc_import_of_ptb_example_and_refusals(flow, dcc_schema):
    """PTB's good-practice humidity DCC (tests/verification/dcc/data/README.md for its source and licence)."""
    from pathlib import Path

    from django.core.exceptions import ValidationError

    example = (Path(__file__).with_name("dcc") / "data" / "dcc_gp_humidity_v1.0.xml").read_bytes()
    cal = services.import_dcc(flow.world.standard_p, example, actor=flow.world.admin,
                              valid_until=dt.date(2030, 1, 1))
    assert StandardCalibration.objects.filter(pk=cal.pk).exists() and cal.results
    broken = example.replace(b"<dcc:coreData>", b"<dcc:coreData><dcc:bogus/>", 1)
    with pytest.raises(ValidationError) as err:
        services.import_dcc(flow.world.standard_p, broken, actor=flow.world.admin)
    assert "dcc" in err.value.message_dict
    unknown = example.replace(b"\\degreecelsius", b"\\furlong", 1)
    with pytest.raises(ValidationError):
        services.import_dcc(flow.world.standard_p, unknown, actor=flow.world.admin)


def test_verification_certificate_is_not_a_dcc(flow):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        dcc_bridge.to_dcc(flow.issued())


def test_tampered_pdf_is_reported(flow):
    from django.core.files.uploadedfile import SimpleUploadedFile

    cert = flow.issued()
    pdf = bytes(cert.pdf)
    client = Client()
    same = client.post(f"/verify/{cert.number}?code={cert.check_code}", {"pdf": SimpleUploadedFile("c.pdf", pdf, "application/pdf")})
    assert 'data-result="same"' in same.content.decode()
    altered = pdf.replace(b"/Author", b"/Xuthor", 1)
    other = client.post(f"/verify/{cert.number}?code={cert.check_code}", {"pdf": SimpleUploadedFile("c.pdf", altered, "application/pdf")})
    assert 'data-result="different"' in other.content.decode()


def test_dcc_import_page(flow, dcc_schema):
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    example = (Path(__file__).with_name("dcc") / "data" / "dcc_gp_humidity_v1.0.xml").read_bytes()
    client = Client()
    client.force_login(flow.institute_user)
    assert client.get("/verification/standard-calibrations/import-dcc/").status_code == 200
    r = client.post("/verification/standard-calibrations/import-dcc/", {
        "standard": flow.world.standard_p.pk, "valid_until": "2030-01-01",
        "dcc": SimpleUploadedFile("gp.xml", example, "application/xml")})
    assert r.status_code == 302
    cal = StandardCalibration.objects.get(source="dcc")
    assert cal.standard == flow.world.standard_p and dcc.read_dcc(cal.dcc_xml.encode()) == dcc.read_dcc(example)
    # another institute's standard is not offered and not accepted
    r = client.post("/verification/standard-calibrations/import-dcc/", {
        "standard": flow.world.standard_nj.pk, "dcc": SimpleUploadedFile("gp.xml", example, "application/xml")})
    assert r.status_code == 200 and StandardCalibration.objects.filter(standard=flow.world.standard_nj).count() == 0


def test_dcc_import_of_unaccepted_version_names_accepted_versions(flow, dcc_schema):
    """Issue #9 item 11: the refusal a user sees names the accepted schema versions, never a server path."""
    from pathlib import Path

    from django.core.exceptions import ValidationError

    example = (Path(__file__).with_name("dcc") / "data" / "dcc_gp_humidity_v1.0.xml").read_bytes()
    newer = example.replace(b'schemaVersion="3.1.2"', b'schemaVersion="3.3.0"', 1)
    assert newer != example
    with pytest.raises(ValidationError) as err:
        services.import_dcc(flow.world.standard_p, newer, actor=flow.world.admin, valid_until=dt.date(2030, 1, 1))
    (message,) = err.value.message_dict["dcc"]
    assert "3.3.0" in message and "accepts DCC 3.1.2" in message
    assert str(dcc_schema) not in message and "/" not in message.split("accepts")[0]
