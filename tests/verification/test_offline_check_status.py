"""`jiliang verify-certificate` says what an offline check cannot know (issue #11 item 16): it prints the
status the file was served with, the validity period against today, and warns that a revocation or a
superseding certificate is only visible online. No database is read."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command

from jiliang.verification import signing


def _files(tmp_path, *, status=None, valid_until="2027-06-30", **extra):
    private = Ed25519PrivateKey.generate()
    content = {"number": "JS-2026-000123", "valid_until": valid_until, "outcome": "pass"}
    doc = signing.signed_document(content, signing.sign(private, content), signing.key_id_of(private.public_key()))
    if status:
        doc["status"] = status
    doc.update(extra)
    (tmp_path / "c.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "k.pem").write_text(signing.public_pem(private.public_key()), encoding="utf-8")
    return str(tmp_path / "c.json"), str(tmp_path / "k.pem")


def test_a_valid_signature_is_reported_with_its_status_and_the_online_caveat(tmp_path, capsys):
    cert, key = _files(tmp_path, status="valid")
    call_command("verify-certificate", cert, public_key=key)
    out = capsys.readouterr().out
    assert "signature verifies" in out
    assert "status when the file was served: valid" in out
    assert "only visible online" in out and "/verify/JS-2026-000123" in out


def test_an_expired_or_revoked_certificate_says_so_though_its_signature_verifies(tmp_path, capsys):
    cert, key = _files(tmp_path, status="revoked", valid_until="2020-01-31", status_reason="seal broken")
    call_command("verify-certificate", cert, public_key=key)
    out = capsys.readouterr().out
    assert "status when the file was served: revoked (seal broken)" in out
    assert f"valid until 2020-01-31: EXPIRED on {dt.date.today().isoformat()}" in out


def test_a_file_without_status_says_it_cannot_tell(tmp_path, capsys):
    cert, key = _files(tmp_path)
    call_command("verify-certificate", cert, public_key=key)
    assert "status: not in the file" in capsys.readouterr().out


def test_an_altered_file_fails_and_prints_no_status(tmp_path, capsys):
    cert, key = _files(tmp_path, status="valid")
    doc = json.loads(open(cert, encoding="utf-8").read())
    doc["content"]["outcome"] = "fail"
    open(cert, "w", encoding="utf-8").write(json.dumps(doc))
    with pytest.raises(SystemExit) as exit_:
        call_command("verify-certificate", cert, public_key=key)
    assert exit_.value.code == 1
    captured = capsys.readouterr()
    assert "FAILED" in captured.err and "status when" not in captured.out
