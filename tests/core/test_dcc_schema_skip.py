"""A fresh clone without PTB's schema skips the DCC tests and says how to enable them; CI fails instead."""

import pytest
from _pytest.outcomes import Failed, Skipped
from tests import dcc_schema


def test_missing_schema_skips_with_how_to_enable(monkeypatch, tmp_path):
    monkeypatch.setenv("JILIANG_DCC_SCHEMA_DIR", str(tmp_path))
    monkeypatch.delenv("JILIANG_REQUIRE_SERVICES", raising=False)
    with pytest.raises(Skipped) as exc:
        dcc_schema.schema_dir_or_skip()
    assert "set JILIANG_DCC_SCHEMA_DIR" in str(exc.value)
    assert "dcc-3.1.2.xsd" in str(exc.value)


def test_no_setting_and_no_shared_folder_skips(monkeypatch, tmp_path):
    monkeypatch.delenv("JILIANG_DCC_SCHEMA_DIR", raising=False)
    monkeypatch.delenv("JILIANG_REQUIRE_SERVICES", raising=False)
    monkeypatch.setattr(dcc_schema, "DEFAULT_SCHEMA_DIR", tmp_path / "shared" / "reference" / "dcc")
    with pytest.raises(Skipped) as exc:
        dcc_schema.schema_dir_or_skip()
    assert "JILIANG_DCC_SCHEMA_DIR unset" in str(exc.value)


def test_missing_schema_fails_under_ci(monkeypatch, tmp_path):
    monkeypatch.setenv("JILIANG_DCC_SCHEMA_DIR", str(tmp_path))
    monkeypatch.setenv("JILIANG_REQUIRE_SERVICES", "1")
    with pytest.raises(Failed, match="set JILIANG_DCC_SCHEMA_DIR"):
        dcc_schema.schema_dir_or_skip()


def test_present_schema_is_returned(monkeypatch, tmp_path):
    (tmp_path / "dcc-3.1.2.xsd").write_text("<xs:schema/>")
    monkeypatch.setenv("JILIANG_DCC_SCHEMA_DIR", str(tmp_path))
    assert dcc_schema.schema_dir_or_skip() == tmp_path.resolve()
