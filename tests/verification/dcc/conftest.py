"""Fixtures of the DCC tests: the directory of PTB's XSDs, never copied into the project.

``$JILIANG_DCC_SCHEMA_DIR`` if set, else ``../shared/reference/dcc`` next to the repository root
(the reference README: "tests point it at ../shared/reference/dcc/").
"""

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_SCHEMA_DIR = (REPO_ROOT / ".." / "shared" / "reference" / "dcc").resolve()
DATA = Path(__file__).with_name("data")


@pytest.fixture(scope="session")
def schema_dir() -> Path:
    path = Path(os.environ.get("JILIANG_DCC_SCHEMA_DIR", DEFAULT_SCHEMA_DIR)).resolve()
    if not (path / "dcc-3.1.2.xsd").is_file():
        pytest.fail(f"DCC schema directory {path} lacks dcc-3.1.2.xsd (set JILIANG_DCC_SCHEMA_DIR)")
    return path


@pytest.fixture(scope="session")
def reference_dir(schema_dir: Path) -> Path:
    """The shared reference folder (parent of the schema directory), for the example DCC in its notes."""
    return schema_dir.parent


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA
