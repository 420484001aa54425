"""Energy conversion for telemetry: GB/T 2589-2020 standard-coal coefficients and tce. Pure: no Django."""

from .coefficients import (
    Coefficient,
    CoefficientError,
    CoefficientTable,
    TceConversion,
    default_table,
    load_table,
    parse_table,
    to_tce,
)

__all__ = [
    "Coefficient", "CoefficientError", "CoefficientTable", "TceConversion", "default_table", "load_table",
    "parse_table", "to_tce",
]
