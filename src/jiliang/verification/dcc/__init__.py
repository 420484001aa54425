"""PTB Digital Calibration Certificates (DCC 3.1.2 with D-SI 2.1.0). Pure: no Django imports.

* :mod:`.model` -- frozen dataclasses of a certificate (:class:`Certificate`, :class:`Quantity` ...).
* :mod:`.writer` -- :func:`write_dcc` / :func:`build_dcc` with a schema-version strategy
  (:data:`DCC_3_1_2`; :data:`DCC_3_3_0_DRAFT` is an unvalidated draft for D-SI 2.2.x).
* :mod:`.reader` -- :func:`read_dcc` for DCC 3.1.x into the same dataclasses.
* D-SI unit strings: :func:`parse_unit`, :func:`same_unit` (from :mod:`jiliang.core.units.dsi`).
* :mod:`.validate` -- :func:`validate_dcc` against the XSDs of a configured schema directory.

Reference: ``shared/reference/protocols-energy-dcc.md`` §5.
"""

from jiliang.core.units.dsi import DsiUnit, UnitError, parse_unit, same_unit

from .model import (
    Certificate,
    Contact,
    DccError,
    ExpandedUncertainty,
    Identification,
    Item,
    Location,
    MeasurementResult,
    Quantity,
    RespPerson,
    Software,
    Text,
)
from .reader import read_dcc
from .validate import (
    DccValidationError,
    ValidationProblem,
    accepted_versions,
    dcc_problems,
    load_schema,
    validate_dcc,
)
from .writer import DCC_3_1_2, DCC_3_3_0_DRAFT, SchemaVersion, build_dcc, write_dcc

__all__ = [
    "DCC_3_1_2",
    "DCC_3_3_0_DRAFT",
    "Certificate",
    "Contact",
    "DccError",
    "DccValidationError",
    "DsiUnit",
    "ExpandedUncertainty",
    "Identification",
    "Item",
    "Location",
    "MeasurementResult",
    "Quantity",
    "RespPerson",
    "SchemaVersion",
    "Software",
    "Text",
    "UnitError",
    "ValidationProblem",
    "accepted_versions",
    "build_dcc",
    "dcc_problems",
    "load_schema",
    "parse_unit",
    "read_dcc",
    "same_unit",
    "validate_dcc",
    "write_dcc",
]
