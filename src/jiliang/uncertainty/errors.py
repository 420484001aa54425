"""The one exception the uncertainty package raises for bad input.

Every rejection names the field it is about (a dotted path such as ``inputs.I.high`` or
``model``), so that an API layer can answer 400 with the field, and the reason in words.
"""

from __future__ import annotations


class UncertaintyError(ValueError):
    """A model, input or option that cannot be evaluated.

    ``field`` is a dotted path into the request (``model``, ``inputs.V.u``,
    ``correlations.0``, ``monte_carlo.trials``); ``column`` is the 0-based column offset in the
    model expression when the error is located there.
    """

    def __init__(self, message: str, field: str | None = None, *, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.column = column

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"{where}{self.message}"

    def prefixed(self, prefix: str) -> UncertaintyError:
        """The same error with ``prefix`` put in front of its field path."""
        field = f"{prefix}.{self.field}" if self.field else prefix
        return UncertaintyError(self.message, field, column=self.column)

    def to_dict(self) -> dict:
        out: dict = {"field": self.field, "message": self.message}
        if self.column is not None:
            out["column"] = self.column
        return out
