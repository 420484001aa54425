"""Fixtures of the DCC tests: the directory of PTB's XSDs, never copied into the project.

``$JILIANG_DCC_SCHEMA_DIR`` if set, else ``../shared/reference/dcc`` next to the repository root
(the reference README: "tests point it at ../shared/reference/dcc/"). Without either they are
skipped with the reason, except under CI, where a missing schema fails (``tests/dcc_schema.py``).
"""

from pathlib import Path

import pytest
from tests.dcc_schema import schema_dir_or_skip

DATA = Path(__file__).with_name("data")


@pytest.fixture(scope="session")
def schema_dir() -> Path:
    return schema_dir_or_skip()


@pytest.fixture(scope="session")
def reference_dir(schema_dir: Path) -> Path:
    """The shared reference folder (parent of the schema directory), for the example DCC in its notes."""
    return schema_dir.parent


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA
