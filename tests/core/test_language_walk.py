"""Every page, as every role, in both languages: no English word in the Chinese UI, no Chinese in the English UI.

The pages come from the URL resolver (every named route of the site; list, add and detail/edit/delete
pages of every registered model with one record the user may see; the app pages with parameters that
take a known record). Each is fetched as each role in zh-hans and in en, and its visible text (tags,
scripts and styles removed) is checked:

* Chinese UI: a word with lower-case letters (``pass``, ``electricity``, ``is greater than``) is English,
  unless it is a unit, a proper name of the allow-list, or data that people entered (names, models, serial
  numbers: every free-text value of the records, collected from the database);
* English UI: any Chinese character is a leak, unless it belongs to data people entered (an organisation's
  or a person's name). Regions and catalogue entries have English names and are not exempt.

A failure lists each page and the words found, so a translation can be added where the string is made.
"""

from __future__ import annotations

import html as htmllib
import re
from collections import defaultdict
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import get_resolver, reverse
from tests.verification.fixtures import flow  # noqa: F401
from tests.verification.verification_helpers import scale_points

from jiliang.core import services as core_services
from jiliang.core.scoping import VIEW
from jiliang.core.ui import REGISTRY

ROLES = ["province", "suzhou", "kunshan", "xuanwu", "institute", "enterprise"]
LANGS = ["zh-hans", "en"]

# Proper names and symbols that are the same in both languages.
ALLOWED_WORDS = {
    # units as people write them
    "kg", "mg", "g", "t", "km", "m", "mm", "mL", "L", "Pa", "kPa", "MPa", "kWh", "MWh", "GJ", "kgce", "tce", "pH",
    "Hz", "kHz", "MHz", "V", "kV", "A", "kW", "MW", "h", "s", "min", "lx", "dB", "Nm", "kN",
    # names of things, standards, formats and software
    "jiliang", "Ed25519", "ECharts", "Excel", "HTMX", "Bootstrap", "Django", "OpenAPI", "Swagger", "Redoc",
    "Modbus", "Monte", "Carlo", "Welch", "Satterthwaite", "Gauss", "Gaussian", "Student", "Imax", "Ib", "Itr",
    "Imin", "Pmax", "Pmin", "Qmax", "Qmin", "Qt", "Max", "Min", "Un", "cos", "pf", "GBW", "Mosquitto",
    "English", "xlsx", "csv", "json", "pem", "xml", "pdf", "http", "https", "www", "gov", "cn", "Asia", "Shanghai",
    "eff", "Ed", "Avery",
    # function names of the calculator's expression syntax and API field names quoted in help texts
    "sqrt", "exp", "log", "sin", "tan", "atan", "abs", "pi", "model", "inputs", "correlations", "options", "null",
}
# The language switch names each language in itself.
ALLOWED_CHINESE = {"中文", "简体中文"}
# A word: two or more Latin letters, one of them lower-case (all-capital acronyms and codes are names; single
# letters are symbols of quantities: e, d, k, U, w).
ENGLISH_WORD = re.compile(r"(?<![A-Za-z0-9_./@-])(?=[A-Za-z]{2})[A-Za-z]*[a-z][A-Za-z]*(?![A-Za-z0-9_@])")
CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# Fields that have a translation to show (English names): their Chinese is not exempt in English.
TRANSLATED_FIELDS = {"core.region": {"name"}, "registry.instrumentcategory": {"name", "second_level"},
                     "registry.designation": {"name"}}
# Known leaks, reported rather than fixed here: (page pattern, words). None left.
KNOWN: dict[str, set[str]] = {}
# Route names that are not HTML pages for a person, or are actions (POST) rather than pages.
SKIP_NAMES = {"logout", "set_language", "api-token-regenerate", "energy-online-history"}
SKIP_SUFFIXES = ("-pdf", "-dcc", "-file", "-pem", "-json", "-step", "-state", "-import-template")
SKIP_PREFIXES = ("api/", "admin/", "i18n/", "static/")


def visible_text(page: str) -> str:
    # scripts and styles are not text; code, command lines and form values are language-neutral or data
    page = re.sub(r"<(script|style|code|pre|kbd|textarea)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<!--.*?-->", " ", page, flags=re.S)
    page = re.sub(r'<select name="language".*?</select>', " ", page, flags=re.S)  # 简体中文 / English
    page = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", htmllib.unescape(page))


def data_strings() -> list[str]:
    """Free text people entered (names, models, numbers), longest first, to be removed before checking."""
    values: set[str] = set()
    for model in apps.get_models():
        label = model._meta.label_lower
        if not model.__module__.startswith("jiliang.") and label != "auth.group":
            continue
        fields = [f.name for f in model._meta.concrete_fields
                  if isinstance(f, (models.CharField, models.TextField)) and not f.choices
                  and f.name not in TRANSLATED_FIELDS.get(label, ())
                  and not (label == "core.auditentry" and f.name == "message")]
        if not fields:
            continue
        for row in model._base_manager.values_list(*fields)[:2000]:
            for v in row:
                if isinstance(v, str) and v.strip():
                    values.add(v.strip())
                    values.update(part.strip() for part in re.split(r"[\n;；]", v) if len(part.strip()) > 1)
    return sorted(values, key=len, reverse=True)


# Item 11 on the same walk: times in one local format, decimals as entered.
RAW_TIME = re.compile(r"\d{2}:\d{2}:\d{2}\.\d+|\d[+-]00:00|\d{4}年\d{1,2}月\d{1,2}日|\b[ap]\.m\.")
PADDED = re.compile(r"(?<![\d.])\d+\.\d*0000(?![\d])")


def format_leaks(text: str) -> list[str]:
    return [f"time:{t}" for t in RAW_TIME.findall(text)] + [f"decimal:{d}" for d in PADDED.findall(text)]


def leaks(text: str, lang: str, data: list[str]) -> list[str]:
    for value in data:
        if value in text:
            text = text.replace(value, " ")
    if lang == "en":
        return [w for w in CHINESE.findall(text) if w not in ALLOWED_CHINESE]
    return [w for w in ENGLISH_WORD.findall(text) if w not in ALLOWED_WORDS]


def route_names() -> dict[str, list[str]]:
    """Every named, non-namespaced route of the site with the names of its parameters."""
    out = {}
    resolver = get_resolver()
    for key, entries in resolver.reverse_dict.lists():
        if not isinstance(key, str):
            continue
        possibilities, pattern = entries[0][0], entries[0][1]
        if any(pattern.startswith(p) for p in SKIP_PREFIXES) or key in SKIP_NAMES or key.endswith(SKIP_SUFFIXES):
            continue
        out[key] = possibilities[0][1]
    return out


def kwargs_for(name: str, params: list[str], user, world) -> dict | None:
    """Parameters that name a record ``user`` may see, or None when there is none."""
    if not params:
        return {}
    for ui in REGISTRY.values():
        for action in ("detail", "edit", "delete"):
            if name == f"{ui.slug}-{action}":
                obj = ui.model.objects.restrict(user, VIEW).order_by("pk").first()
                return {"pk": obj.pk} if obj is not None else None
    from jiliang.verification.models import Certificate, WorkOrderItem

    if name in ("energy-enterprise", "energy-enterprise-gb17167"):
        from jiliang.telemetry.quality import key_enterprises

        org = key_enterprises(user).order_by("pk").first()
        return {"pk": org.pk} if org else None
    if name == "work-order-items-results":
        item = WorkOrderItem.objects.restrict(user, VIEW).order_by("pk").first()
        return {"pk": item.pk} if item else None
    if name == "supervision-scan-result":  # the inspector's phone: an instrument of the user's region by its code
        from jiliang.registry.models import Instrument

        inst = Instrument.objects.restrict(user, VIEW).order_by("pk").first()
        return {"code": inst.instrument_code} if inst else None
    if name == "verify":
        cert = Certificate.objects.order_by("pk").first()
        return {"number": cert.number} if cert else None
    return None


@pytest.fixture
def walked_world(world, flow):  # noqa: F811
    """The shared world with a passing certificate, a notice of non-conformity and a key energy enterprise."""
    from jiliang.registry.models import Designation
    from jiliang.telemetry.models import MeteringPoint
    from jiliang.telemetry.quality import KEY_ENERGY_DESIGNATION

    names = {"province": "省局管理员", "suzhou": "苏州市局", "kunshan": "昆山市局", "xuanwu": "玄武区局",
             "institute": "计量院检定员", "enterprise": "企业计量员"}
    for role, user in world.users.items():
        if user is not None:
            user.full_name = names[role]
            user.save(update_fields=["full_name"])
    flow.issued()
    flow.issued(points=scale_points([("Min", "0.1", "0.1"), ("500e", "2.5", "2.51"), ("2000e", "10", "10"),
                                     ("Max", "15", "15")]))
    world.ent_ks.designations.add(Designation.objects.get(code=KEY_ENERGY_DESIGNATION))
    core_services.create_record(MeteringPoint, {
        "enterprise": world.ent_ks, "code": "E-IN-1", "name": "总进线电表", "energy_type": "electricity",
        "unit": "kWh", "role": "enterprise_in", "multiplier": Decimal("1"), "interval_seconds": 900,
        "accuracy_class": "0.5S"}, actor=world.admin)
    return world


def walk(client: Client, user, world, lang: str, data: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    client.cookies["django_language"] = lang
    found: dict[str, list[str]] = {}
    skipped = []
    for name, params in sorted(route_names().items()):
        kwargs = kwargs_for(name, params, user, world)
        if kwargs is None:
            skipped.append(name)
            continue
        url = reverse(name, kwargs=kwargs)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        text = visible_text(response.content.decode())
        words = leaks(text, lang, data) + format_leaks(text)
        if words:
            found[url] = sorted(set(words))
    return found, skipped


@pytest.mark.parametrize("lang", LANGS)
def test_no_word_of_the_other_language(client, walked_world, lang):
    data = data_strings()
    report: dict[str, set[str]] = defaultdict(set)
    pages = 0
    for role in ROLES:
        user = walked_world.users[role]
        client.force_login(user)
        found, _skipped = walk(client, user, walked_world, lang, data)
        pages += 1
        for url, words in found.items():
            pattern = re.sub(r"/\d+/", "/<pk>/", url)
            words = set(words) - KNOWN.get(pattern, set())
            if words:
                report[pattern].update(words)
    assert pages == len(ROLES)
    assert not report, f"{lang}: words of the other language on {len(report)} page(s):\n" + "\n".join(
        f"  {url}: {' '.join(sorted(words))}" for url, words in sorted(report.items()))
