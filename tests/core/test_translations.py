"""The Chinese (zh_Hans) translation is complete, compiled and used.

Chinese is the UI's first language and English its source (DOMAIN.md). These tests fail when:

* the catalogue has an untranslated or fuzzy entry (``msgfmt --check --statistics``);
* the source has a translatable string that the catalogue lacks (``makemessages`` is re-run on a copy of
  the source, so the real catalogue is never touched);
* the compiled ``django.mo`` was not rebuilt after the ``.po`` changed;
* a page does not come out in Chinese by default, or not in English when the user chose English.

gettext is required, not optional: without ``msgfmt`` (Debian package ``gettext``) the tests fail.
To fix a failure: ``cd src/jiliang && ../../.venv/bin/jiliang makemessages -l zh_Hans --no-obsolete
--no-location``, translate the new entries, then ``../../.venv/bin/jiliang compilemessages -l zh_Hans``.
"""

from __future__ import annotations

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = SRC / "jiliang"
LC_MESSAGES = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"
FIX = ("cd src/jiliang && ../../.venv/bin/jiliang makemessages -l zh_Hans --no-obsolete --no-location, "
       "translate, then ../../.venv/bin/jiliang compilemessages -l zh_Hans")


def _gettext_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not on PATH: the translation tests need GNU gettext (apt-get install gettext)",
                    pytrace=False)
    return path


# --- a small .po reader (no third-party package) ------------------------------------------------------

def _unquote(text: str) -> str:
    """The value of one quoted PO string (C escapes as in Python's)."""
    return ast.literal_eval(text)


def parse_po(path: Path) -> list[dict]:
    """Entries of a PO file: msgctxt, msgid, msgid_plural, msgstr (list), flags; the header and obsolete
    (``#~``) entries are left out."""
    entries: list[dict] = []
    entry: dict | None = None
    field: str | None = None

    def finish():
        if entry is not None and "msgid" in entry and entry["msgid"] != "":
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#~"):
            continue
        if not line:
            finish()
            entry, field = None, None
            continue
        if line.startswith("#"):
            if entry is not None and "msgid" in entry:  # a comment starts the next entry
                finish()
                entry, field = None, None
            entry = entry or {"flags": set(), "msgstr": {}}
            if line.startswith("#,"):
                entry["flags"].update(f.strip() for f in line[2:].split(",") if f.strip())
            continue
        if line.startswith('"'):
            if entry is None or field is None:
                raise ValueError(f"{path}: continuation line outside an entry: {raw!r}")
            if field.startswith("msgstr["):
                n = int(field[7:-1])
                entry["msgstr"][n] += _unquote(line)
            elif field == "msgstr":
                entry["msgstr"][0] += _unquote(line)
            else:
                entry[field] += _unquote(line)
            continue
        m = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")$", line)
        if not m:
            raise ValueError(f"{path}: cannot read line {raw!r}")
        keyword, value = m.group(1), _unquote(m.group(2))
        if keyword in ("msgctxt", "msgid") and entry is not None and "msgid" in entry and \
                (keyword == "msgctxt" or "msgstr" in entry and entry["msgstr"]):
            finish()
            entry = None
        entry = entry or {"flags": set(), "msgstr": {}}
        field = keyword
        if keyword.startswith("msgstr["):
            entry["msgstr"][int(keyword[7:-1])] = value
        elif keyword == "msgstr":
            entry["msgstr"][0] = value
        else:
            entry[keyword] = value
    finish()
    return entries


def missing_translations(entries: list[dict]) -> list[str]:
    """msgids whose translation is empty (msgstr, or msgstr[0] for plurals: zh_Hans has one form) or
    fuzzy (a guess of msgmerge's, or a translation of an older source string)."""
    missing = []
    for e in entries:
        if "fuzzy" in e["flags"] or not e["msgstr"].get(0):
            missing.append(e["msgid"] if "msgctxt" not in e else f"{e['msgctxt']}\x04{e['msgid']}")
    return missing


# --- (a) the catalogue is complete --------------------------------------------------------------------

def test_po_has_no_untranslated_or_fuzzy_entry():
    msgfmt = _gettext_tool("msgfmt")
    proc = subprocess.run([msgfmt, "--check", "--statistics", "-o", os.devnull, str(PO)],
                          capture_output=True, text=True, env={**os.environ, "LC_ALL": "C"})
    stats = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""
    assert proc.returncode == 0, f"msgfmt --check failed on {PO}:\n{proc.stderr}"
    translated = re.search(r"(\d+) translated message", stats)
    assert translated and int(translated.group(1)) > 0, f"msgfmt reported no translated message: {stats!r}"
    assert "fuzzy" not in stats, f"{PO} has fuzzy entries ({stats}); review and unflag them. {FIX}"
    assert "untranslated" not in stats, f"{PO} has untranslated entries ({stats}). {FIX}"
    # The reader used below must agree with msgfmt.
    entries = parse_po(PO)
    assert len(entries) == int(translated.group(1))
    assert missing_translations(entries) == []


def test_po_header_is_for_chinese():
    text = PO.read_text(encoding="utf-8")
    assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in text
    assert '"Content-Type: text/plain; charset=UTF-8\\n"' in text
    assert '"Language: zh_Hans\\n"' in text


# --- (b) every translatable string of the source is translated -----------------------------------------

def test_every_source_string_is_translated(tmp_path):
    for tool in ("xgettext", "msgmerge", "msguniq", "msgattrib"):
        _gettext_tool(tool)
    copy = tmp_path / "jiliang"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo"))
    # jiliang.settings with LOCALE_PATHS pointing into the copy, so that makemessages writes only there.
    (tmp_path / "translation_check_settings.py").write_text(
        "from jiliang.settings import *  # noqa: F403\n"
        f"LOCALE_PATHS = [{str(copy / 'locale')!r}]\n", encoding="utf-8")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "translation_check_settings",
           "PYTHONPATH": os.pathsep.join([str(tmp_path), str(SRC)]), "LC_ALL": "C.UTF-8"}
    before = PO.read_bytes()
    proc = subprocess.run([sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--no-obsolete",
                           "--no-location"], cwd=copy, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"makemessages failed:\n{proc.stdout}\n{proc.stderr}"
    assert PO.read_bytes() == before, "makemessages on the copy changed the real catalogue"
    regenerated = copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    entries = parse_po(regenerated)
    assert len(entries) > 100, f"makemessages found only {len(entries)} strings: {proc.stderr}"
    missing = missing_translations(entries)
    assert not missing, (f"{len(missing)} translatable string(s) of the source have no Chinese translation "
                         f"in {PO.relative_to(SRC.parent)} ({FIX}):\n"
                         + "\n".join(f"  {m!r}" for m in missing))


# --- (c) the compiled catalogue is up to date ---------------------------------------------------------

def test_mo_matches_po(tmp_path):
    msgfmt = _gettext_tool("msgfmt")
    assert MO.exists(), f"{MO} is missing; run ../../.venv/bin/jiliang compilemessages -l zh_Hans in src/jiliang"
    fresh = tmp_path / "django.mo"
    proc = subprocess.run([msgfmt, "--check-format", "-o", str(fresh), str(PO)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    with fresh.open("rb") as f:
        expected = gettext.GNUTranslations(f)._catalog
    with MO.open("rb") as f:
        shipped = gettext.GNUTranslations(f)._catalog
    stale = sorted(str(k) for k in set(expected) ^ set(shipped)) + \
        sorted(str(k) for k in set(expected) & set(shipped) if expected[k] != shipped[k] and k != "")
    assert expected == shipped, (f"{MO} is stale: it differs from {PO} in {len(stale)} message(s), e.g. "
                                 f"{stale[:5]}; run ../../.venv/bin/jiliang compilemessages -l zh_Hans "
                                 "in src/jiliang")


# --- (d) pages come out in Chinese, or in English on request -------------------------------------------

@pytest.fixture
def bureau_user(db, reference_data):
    return get_user_model().objects.create_user(username="translation-check", password="pw-translation-check",
                                                role="provincial_bureau", region_id="320000")


def test_page_is_chinese_by_default_and_english_on_request(client, bureau_user):
    client.force_login(bureau_user)

    response = client.get("/registry/instruments/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "计量器具" in page
    assert response.headers["Content-Language"] == "zh-hans"

    client.cookies["django_language"] = "en"
    response = client.get("/registry/instruments/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Instruments" in page
    assert response.headers["Content-Language"] == "en"
