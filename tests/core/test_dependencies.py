"""Every pinned runtime dependency is used by the code: imported in src/, or named in the settings (an app,
a middleware, a backend). A package the code never uses belongs in an extra or nowhere (#12 item 7)."""

import ast
import re
from importlib.metadata import packages_distributions, requires
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "jiliang"

# Used without an import statement of their own, with the reason.
INDIRECT = {
    "psycopg": "Django's PostgreSQL backend imports it when DATABASE_URL names PostgreSQL",
}


def runtime_requirements() -> set[str]:
    names = set()
    for req in requires("jiliang") or []:
        if "extra ==" in req:
            continue
        names.add(re.split(r"[\s\[<>=!~;]", req, maxsplit=1)[0].lower().replace("_", "-"))
    return names


def used_modules() -> set[str]:
    used = set()
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                used |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                used.add(node.module.split(".")[0])
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and re.fullmatch(r"[a-z_][a-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*", node.value):
                used.add(node.value.split(".")[0])  # "django_htmx", "django_tasks_db.DatabaseBackend"
    return used


def test_every_pinned_runtime_dependency_is_used_by_the_code():
    dists_of = packages_distributions()
    used_dists = {d.lower().replace("_", "-") for module in used_modules() for d in dists_of.get(module, [])}
    unused = runtime_requirements() - used_dists - set(INDIRECT)
    assert not unused, f"pinned in pyproject.toml but never used by src/: {sorted(unused)}"


def test_test_only_and_removed_packages_are_not_runtime_dependencies():
    runtime = runtime_requirements()
    assert "python-stdnum" not in runtime  # the code has its own GB 32100 check; stdnum is a test oracle
    # chinesecalendar is back: supervision counts institutions' deadlines in Chinese working days (workdays.py)
    assert "chinesecalendar" in runtime
    assert {"django-tasks", "django-tasks-db"} <= runtime
