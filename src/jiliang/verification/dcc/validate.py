"""Validate a DCC against PTB's XML schemas read from a configured directory.

The schemas are never part of the project (they are PTB's, under the GNU LGPL v3): a deployment fills
a directory from PTB's versioned URLs (``https://ptb.de/dcc/vX.Y.Z/dcc.xsd``,
``https://ptb.de/si/vX.Y.Z/SI_Format.xsd``) and the tests point at ``../shared/reference/dcc/``.

Files in the directory are named ``dcc-<version>.xsd`` and ``SI_Format-<version>.xsd``. The D-SI
version a DCC schema needs is read from its ``xs:import`` of ``https://ptb.de/si`` (dcc.xsd 3.1.2
imports ``https://ptb.de/si/v2.1.0/SI_Format.xsd``), and that import is mapped to the local file as the
reference README describes::

    xmlschema.XMLSchema(dcc_xsd, locations={"https://ptb.de/si": si_xsd})

Schema loading is sandboxed to the directory (``allow="sandbox"``): nothing is fetched from the
network. The DCC version is the document's ``schemaVersion`` attribute.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

import xmlschema
from lxml import etree

from .model import DccError
from .reader import parse_xml
from .writer import SI_NS

_SI_VERSION = re.compile(r"/v(\d+\.\d+\.\d+)/SI_Format\.xsd$")
_cache: dict[tuple[str, str], xmlschema.XMLSchema] = {}
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class ValidationProblem:
    """One schema violation: the element path and the validator's reason."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class DccValidationError(DccError):
    """The document does not conform to the DCC XSD; ``problems`` lists every violation found."""

    def __init__(self, problems: tuple[ValidationProblem, ...], version: str):
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"not a valid DCC {version}: {first.reason}{more}", first.path)
        self.problems = problems
        self.version = version


_DCC_FILE = re.compile(r"^dcc-(\d+\.\d+\.\d+)\.xsd$")


def accepted_versions(schema_dir: Path) -> tuple[str, ...]:
    """The DCC schema versions this server validates: those with a ``dcc-<version>.xsd`` in ``schema_dir``."""
    found = []
    for path in Path(schema_dir).glob("dcc-*.xsd"):
        match = _DCC_FILE.match(path.name)
        if match:
            found.append(match.group(1))
    return tuple(sorted(found, key=lambda v: tuple(int(x) for x in v.split("."))))


def _accepted_text(schema_dir: Path) -> str:
    versions = accepted_versions(schema_dir)
    return f"this server accepts DCC {', '.join(versions)}" if versions else "this server accepts no DCC version"


def schema_files(schema_dir: Path, dcc_version: str) -> tuple[Path, Path]:
    """The DCC and D-SI XSD files for ``dcc_version`` in ``schema_dir``; DccError if absent.

    Refusals name the versions the server accepts and never a file-system path (the directory is the
    server's business, not the sender's)."""
    schema_dir = Path(schema_dir)
    if not re.match(r"^\d+\.\d+\.\d+$", dcc_version or ""):
        raise DccError(f"schemaVersion {dcc_version!r} is not a DCC version; {_accepted_text(schema_dir)}",
                       "schemaVersion")
    dcc_xsd = schema_dir / f"dcc-{dcc_version}.xsd"
    if not dcc_xsd.is_file():
        raise DccError(f"DCC {dcc_version} is not accepted; {_accepted_text(schema_dir)}", "schemaVersion")
    tree = etree.parse(str(dcc_xsd))  # noqa: S320 - local schema file from the configured directory
    location = None
    for imp in tree.getroot().iter("{http://www.w3.org/2001/XMLSchema}import"):
        if imp.get("namespace") == SI_NS:
            location = imp.get("schemaLocation", "")
    match = _SI_VERSION.search(location or "")
    if match is None:
        raise DccError(f"the server's schema of DCC {dcc_version} imports no versioned D-SI schema; "
                       f"{_accepted_text(schema_dir)}", "schemaVersion")
    si_xsd = schema_dir / f"SI_Format-{match.group(1)}.xsd"
    if not si_xsd.is_file():
        raise DccError(f"DCC {dcc_version} needs D-SI {match.group(1)}, which this server lacks; "
                       f"{_accepted_text(schema_dir)}", "schemaVersion")
    return dcc_xsd, si_xsd


def load_schema(schema_dir: Path, dcc_version: str = "3.1.2") -> xmlschema.XMLSchema:
    """The compiled DCC schema of ``dcc_version`` from ``schema_dir`` (cached per directory and version)."""
    key = (str(Path(schema_dir).resolve()), dcc_version)
    with _lock:
        schema = _cache.get(key)
        if schema is None:
            dcc_xsd, si_xsd = schema_files(Path(schema_dir), dcc_version)
            schema = xmlschema.XMLSchema(str(dcc_xsd), locations={SI_NS: str(si_xsd)}, allow="sandbox")
            _cache[key] = schema
    return schema


def dcc_problems(source: bytes | str | Path | etree._ElementTree, schema_dir: Path) -> tuple[ValidationProblem, ...]:
    """Every XSD violation of the document (empty when valid). The schema version is the document's."""
    tree = source if isinstance(source, etree._ElementTree) else parse_xml(source)
    version = tree.getroot().get("schemaVersion")
    if not version:
        return (ValidationProblem(tree.getpath(tree.getroot()), f"missing attribute schemaVersion; {_accepted_text(schema_dir)}"),)
    schema = load_schema(schema_dir, version)
    problems = []
    resource = xmlschema.XMLResource(tree.getroot(), allow="none", defuse="always")
    for error in schema.iter_errors(resource):
        problems.append(ValidationProblem(path=error.path or "/", reason=error.reason or str(error.message)))
    return tuple(problems)


def validate_dcc(source: bytes | str | Path | etree._ElementTree, schema_dir: Path) -> None:
    """Raise :class:`DccValidationError` (path and reason of each violation) unless the DCC is valid."""
    tree = source if isinstance(source, etree._ElementTree) else parse_xml(source)
    problems = dcc_problems(tree, schema_dir)
    if problems:
        raise DccValidationError(problems, tree.getroot().get("schemaVersion") or "?")
