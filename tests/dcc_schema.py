"""Where the tests find PTB's DCC schema, and what they do when it is missing.

PTB's XSDs are never copied into the project (see ``docs/certificates.md``). The tests read them from
``$JILIANG_DCC_SCHEMA_DIR``, else from ``../shared/reference/dcc`` beside the repository. A fresh clone
without either skips the DCC tests and says how to enable them; under CI (``JILIANG_REQUIRE_SERVICES=1``,
set by ``.ci/run``) a missing schema is a failure, so nothing is skipped there by accident.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SCHEMA_DIR = (REPO_ROOT / ".." / "shared" / "reference" / "dcc").resolve()
MAIN_XSD = "dcc-3.1.2.xsd"


def schema_dir_or_skip() -> Path:
    """The directory holding ``dcc-3.1.2.xsd``; skips (or fails under CI) when there is none."""
    configured = os.environ.get("JILIANG_DCC_SCHEMA_DIR")
    path = Path(configured or DEFAULT_SCHEMA_DIR).resolve()
    if (path / MAIN_XSD).is_file():
        return path
    where = f"{path} (from JILIANG_DCC_SCHEMA_DIR)" if configured else f"{path} (default; JILIANG_DCC_SCHEMA_DIR unset)"
    reason = (f"DCC schema not found: {where} has no {MAIN_XSD}. To run the DCC tests, set JILIANG_DCC_SCHEMA_DIR "
              f"to a directory holding PTB's {MAIN_XSD} and SI_Format-2.1.0.xsd")
    if os.environ.get("JILIANG_REQUIRE_SERVICES") == "1":
        pytest.fail(reason)
    pytest.skip(reason)
