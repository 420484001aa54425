"""Secrets (issue 11, item 6): no public default, production refuses to start without its secrets, and the
wrapping secret rotates by re-wrapping the institutes' keys."""

import os
import stat
import subprocess
import sys

import pytest
from cryptography.exceptions import InvalidTag
from django.conf import settings
from django.core.management import CommandError, call_command

from jiliang.core.models import AuditEntry
from jiliang.verification import signing
from jiliang.verification.models import SigningKey

# The constant every installation ran on before: anyone holding a copy of the database could unwrap with it.
OLD_PUBLIC_DEFAULT = "dev-only-not-secret-jiliang"


def test_a_database_copy_and_the_old_public_default_do_not_open_the_signing_key(flow):
    cert = flow.issued()
    key = cert.signing_key
    for guess in (OLD_PUBLIC_DEFAULT, settings.SECRET_KEY, ""):
        with pytest.raises((InvalidTag, ValueError)):
            signing.unwrap(key.key_id, key.institute_id, key.private_key_wrapped, secret=guess)
    assert OLD_PUBLIC_DEFAULT not in (settings.SECRET_KEY, settings.JILIANG_SIGNING_SECRET)
    # the key does open under this installation's own secret
    assert signing.unwrap(key.key_id, key.institute_id, key.private_key_wrapped) is not None


def _settings_in_subprocess(env: dict, tmp_path) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items()
            if not k.startswith("JILIANG_") or k in ("JILIANG_DCC_SCHEMA_DIR",)}
    code = ("import jiliang.settings as s; "
            "print(s.SECRET_KEY); print(s.JILIANG_SIGNING_SECRET); print(s.JILIANG_AUDIT_KEY)")
    return subprocess.run([sys.executable, "-c", code], env={**base, "JILIANG_VAR_DIR": str(tmp_path), **env},
                          capture_output=True, text=True, timeout=60)


def test_each_installation_generates_its_own_secrets_once(tmp_path):
    first = _settings_in_subprocess({}, tmp_path / "a")
    assert first.returncode == 0, first.stderr
    again = _settings_in_subprocess({}, tmp_path / "a")
    other = _settings_in_subprocess({}, tmp_path / "b")
    values = first.stdout.split()
    assert len(values) == 3 and len(set(values)) == 3 and all(len(v) >= 60 for v in values)
    assert again.stdout == first.stdout  # stable across restarts
    assert set(other.stdout.split()).isdisjoint(values)  # never shared between installations
    for name in ("secret_key", "signing_secret", "audit_key"):
        mode = stat.S_IMODE((tmp_path / "a" / "secrets" / name).stat().st_mode)
        assert mode == 0o600, name


@pytest.mark.parametrize("missing", ["JILIANG_SECRET_KEY", "JILIANG_SIGNING_SECRET", "JILIANG_AUDIT_KEY"])
def test_production_refuses_to_start_without_each_secret(tmp_path, missing):
    env = {"JILIANG_PRODUCTION": "1", "JILIANG_SECRET_KEY": "k" * 60, "JILIANG_SIGNING_SECRET": "s" * 60,
           "JILIANG_AUDIT_KEY": "a" * 60}
    del env[missing]
    result = _settings_in_subprocess(env, tmp_path)
    assert result.returncode != 0
    assert f"{missing} is required when JILIANG_PRODUCTION is set" in result.stderr
    assert not (tmp_path / "secrets").exists()  # production never falls back to a generated secret


def test_rotation_rewraps_every_key_and_the_old_secret_stops_working(flow, tmp_path, settings):
    cert = flow.issued()
    old = settings.JILIANG_SIGNING_SECRET
    (tmp_path / "new").write_text("a-new-secret-of-the-operator-" + "x" * 40)
    call_command("rotate-signing-secret", new_secret_file=str(tmp_path / "new"))
    new = (tmp_path / "new").read_text()
    key = SigningKey.objects.get(pk=cert.signing_key.pk)
    with pytest.raises(InvalidTag):
        signing.unwrap(key.key_id, key.institute_id, key.private_key_wrapped, secret=old)
    private = signing.unwrap(key.key_id, key.institute_id, key.private_key_wrapped, secret=new)
    assert signing.verify(key.public_key, {"a": 1}, signing.sign(private, {"a": 1}))
    entry = AuditEntry.objects.filter(object_type="verification.signingkey", object_id=str(key.pk)).order_by("id").last()
    assert "re-wrapped" in entry.message and entry.channel == "command"
    # certificates issued after the operator switched to the new secret are signed with the same key
    settings.JILIANG_SIGNING_SECRET = new
    assert flow.issued().signing_key_id == key.pk


def test_rotation_outside_production_generates_and_stores_the_new_secret(flow, tmp_path, settings):
    cert = flow.issued()
    settings.SECRETS_DIR = tmp_path
    call_command("rotate-signing-secret")
    new = (tmp_path / "signing_secret").read_text().strip()
    assert len(new) >= 60 and new != settings.JILIANG_SIGNING_SECRET
    assert stat.S_IMODE((tmp_path / "signing_secret").stat().st_mode) == 0o600
    key = cert.signing_key
    key.refresh_from_db()
    assert signing.unwrap(key.key_id, key.institute_id, key.private_key_wrapped, secret=new)


def test_rotation_with_the_wrong_old_secret_changes_nothing(flow, tmp_path):
    cert = flow.issued()
    before = bytes(cert.signing_key.private_key_wrapped)
    (tmp_path / "old").write_text(OLD_PUBLIC_DEFAULT)
    (tmp_path / "new").write_text("n" * 60)
    with pytest.raises(CommandError, match=cert.signing_key.key_id):
        call_command("rotate-signing-secret", old_secret_file=str(tmp_path / "old"),
                     new_secret_file=str(tmp_path / "new"))
    assert bytes(SigningKey.objects.get(pk=cert.signing_key.pk).private_key_wrapped) == before
