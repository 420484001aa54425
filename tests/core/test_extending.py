"""Core depends on no app above it; what apps contribute to each other goes through core/extending.py."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.urls import reverse
from tests.conftest import web_client_for

from jiliang.core import extending
from jiliang.core.context_processors import menu
from jiliang.core.extending import DetailPanel, HomePanel, MenuEntry, MenuGroup, ScopeGrant

CORE = Path(__file__).resolve().parents[2] / "src" / "jiliang" / "core"
ABOVE_CORE = ("registry", "verification", "telemetry", "budgets", "uncertainty")


def _imports(source: str, package: str) -> list[tuple[int, str]]:
    """(line, absolute dotted name) of every import of a module of ``package``, at the top or inside a function."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
            out += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return out


def _module_imports(path: Path) -> list[tuple[int, str]]:
    package = ".".join(["jiliang", *path.relative_to(CORE.parent).with_suffix("").parts[:-1]])
    return _imports(path.read_text(encoding="utf-8"), package)


def test_imports_resolve_relative_names():
    names = {name for _line, name in _module_imports(CORE / "scoping.py")}
    assert "jiliang.core.regions.subtree_codes" in names and "jiliang.core.extending.scope_grants" in names


def test_core_imports_no_app_above_it():
    offending = []
    for path in sorted(CORE.rglob("*.py")):
        for line, name in _module_imports(path):
            if any(name == f"jiliang.{app}" or name.startswith(f"jiliang.{app}.") for app in ABOVE_CORE):
                offending.append(f"{path.relative_to(CORE.parent)}:{line} imports {name}")
    assert offending == []


def _core_graph() -> dict[str, set[str]]:
    graph = {}
    for path in CORE.glob("*.py"):
        module = f"jiliang.core.{path.stem}"
        graph[module] = {n for _l, n in _module_imports(path)}
    # "from .models import Region" names jiliang.core.models.Region: reduce every name to a core module.
    return {m: {t for t in graph if t != m and any(n == t or n.startswith(t + ".") for n in names)}
            for m, names in graph.items()}


def test_models_scoping_regions_import_one_way():
    """regions ← scoping ← models, with no import back (not even inside a function)."""
    graph = _core_graph()

    def reaches(start: str, goal: str) -> bool:
        seen, stack = set(), [start]
        while stack:
            m = stack.pop()
            for t in graph[m]:
                if t == goal:
                    return True
                if t not in seen:
                    seen.add(t)
                    stack.append(t)
        return False

    for module in ("jiliang.core.models", "jiliang.core.scoping", "jiliang.core.regions", "jiliang.core.extending"):
        assert not reaches(module, module), f"{module} imports itself through a circle"
    assert "jiliang.core.models" not in graph["jiliang.core.regions"]


def test_the_ast_walk_sees_imports_inside_functions_and_relative_ones():
    source = "def f():\n    from jiliang.registry import models\n    from ..telemetry.models import MeteringPoint\n"
    assert _imports(source, "jiliang.core") == [(2, "jiliang.registry.models"),
                                               (3, "jiliang.telemetry.models.MeteringPoint")]


# -- the menu is built from contributions ----------------------------------------------------------------


def _english(user):
    client = web_client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _menu_names(user) -> dict[str, list[str]]:
    return {str(label): [name for _t, _u, name in links] for label, links in menu(user)}


def test_menu_comes_from_each_apps_contributions(world):
    entries = extending.contributed(MenuEntry)
    by_app = {e.url_name for e in entries}
    assert {"instruments-list", "work-orders-list", "energy-dashboard", "uncertainty-calculator", "audit-list"} <= by_app
    names = _menu_names(world.users["province"])
    assert [str(g.label) for g in extending.contributed(MenuGroup)] == list(names)
    assert names[str(extending.contributed(MenuGroup)[-1].label)][0] == "uncertainty-calculator"  # order 10 of Tools
    # the role filter of each entry: an enterprise has no standards, no DCC import and no calculator
    enterprise = {n for links in _menu_names(world.users["enterprise"]).values() for n in links}
    assert "instruments-list" in enterprise and "work-orders-request" in enterprise
    assert not {"standards-list", "standard-calibrations-import", "uncertainty-calculator", "two-factor"} & enterprise


def test_a_disabled_app_contributes_nothing(world):
    """With telemetry left out of INSTALLED_APPS, no energy menu, no energy home panel; the rest stays."""
    installed = [a.name for a in apps.get_app_configs() if a.name != "jiliang.telemetry"]
    province = world.users["province"]
    with override_settings(INSTALLED_APPS=installed):
        assert not any(p.key.endswith("energy") for p in extending.contributed(HomePanel))
        names = _menu_names(province)
        assert all("energy" not in n and "metering" not in n for links in names.values() for n in links)
        assert "instruments-list" in {n for links in names.values() for n in links}
        html = _english(province).get(reverse("home")).content.decode()
        assert 'data-nav="energy-dashboard"' not in html and 'data-panel="bureau-energy"' not in html
        assert 'data-nav="instruments-list"' in html and 'data-panel="supervision"' in html
    names = _menu_names(province)
    assert "energy-dashboard" in {n for links in names.values() for n in links}  # back once it is installed again


def test_discover_checks_what_apps_declare():
    configs = [apps.get_app_config(label) for label in ("core", "registry")]
    found = extending.discover(configs)
    assert {g.key for g in found[MenuGroup]} == {"tools", "registry"}
    assert all(not e.url_name.startswith(("work-orders", "energy")) for e in found[MenuEntry])
    assert [p.model for p in found[DetailPanel]] == []  # the instrument's verification history is verification's
    assert {g.model for g in found[ScopeGrant]} == {"registry.Instrument"}
    with extending.added(MenuEntry("nowhere", "x", "home")), pytest.raises(ImproperlyConfigured, match="nowhere"):
        extending.discover(configs)
    with extending.added(HomePanel("registry-counts", "x.html", lambda r: {})), \
            pytest.raises(ImproperlyConfigured, match="registry-counts"):
        extending.discover(configs)
    with extending.added("not a contribution"), pytest.raises(ImproperlyConfigured, match="not a contribution"):
        extending.discover(configs)


def test_instrument_page_shows_the_contributed_verification_history(world):
    html = _english(world.users["province"]).get(
        reverse("instruments-detail", args=[world.instrument_ks.pk])).content.decode()
    assert "Verification history: certificates" in html and "Verification history: work orders" in html
