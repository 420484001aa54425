"""The uncertainty engine as the web layer calls it: the server's limits, JSON bodies, files and errors.

The engine itself (:mod:`jiliang.uncertainty`) is pure; this module adds what depends on the deployment:
the cap on Monte Carlo trials (``JILIANG_MC_MAX_TRIALS``), the request body limit
(``JILIANG_UNCERTAINTY_MAX_BODY_BYTES``), and turning results back into budget files.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from jiliang.uncertainty import Budget, UncertaintyError, evaluate_request, export_excel, export_pdf
from jiliang.uncertainty.montecarlo import DEFAULT_TRIALS

# The worked example the calculator opens with and the API documents (issue #3): V / I with correlated inputs.
# V has finite ν and is correlated with I, so Welch–Satterthwaite does not apply (JCGM 100 G.4, issue #9):
# the example fixes k = 2 (JJF 1059.1) and the result's notes say why ν_eff is not evaluated.
EXAMPLE = {
    "model": "V / I",
    "inputs": {"V": {"value": 5.0, "u": 0.003, "dof": 9},
               "I": {"distribution": "rectangular", "low": 0.0195, "high": 0.0205}},
    "correlations": [["V", "I", 0.2]],
    "coverage_probability": 0.95,
    "k": 2,
    "monte_carlo": {"trials": 1000000, "seed": 1},
}

FILE_TYPES = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", export_excel),
    "pdf": ("application/pdf", export_pdf),
}


def max_trials() -> int:
    return int(getattr(settings, "JILIANG_MC_MAX_TRIALS", 10**7))


def max_body_bytes() -> int:
    return int(getattr(settings, "JILIANG_UNCERTAINTY_MAX_BODY_BYTES", 1024 * 1024))


def with_server_defaults(payload: Any) -> Any:
    """The payload with M lowered to the server's cap when the request did not choose M itself.

    A request that names ``monte_carlo.trials`` above the cap is refused by the engine (field
    ``monte_carlo.trials``); one that leaves M to the default gets min(10⁶, cap).
    """
    if not isinstance(payload, Mapping):
        return payload
    cap = max_trials()
    mc = payload.get("monte_carlo", {})
    if cap >= DEFAULT_TRIALS or not isinstance(mc, Mapping) or "trials" in mc or mc.get("adaptive") is True:
        return payload
    return {**payload, "monte_carlo": {**mc, "trials": cap}}


def evaluate(payload: Any) -> dict:
    """:func:`jiliang.uncertainty.evaluate_request` under this server's trial cap."""
    return evaluate_request(with_server_defaults(payload), max_trials=max_trials())


def error_body(exc: UncertaintyError) -> dict:
    """The API's 400 body: the offending input's field path and the reason."""
    body: dict[str, Any] = {"field": exc.field, "detail": exc.message}
    if exc.column is not None:
        body["column"] = exc.column
    return body


def error_text(exc: UncertaintyError) -> str:
    return f"{exc.field}: {exc.message}" if exc.field else exc.message


def budgets_of(result: Mapping[str, Any]) -> list[Budget]:
    return [Budget.from_dict(b) for b in result.get("budgets") or ()]


def budget_file(result: Mapping[str, Any], fmt: str) -> tuple[bytes, str]:
    """(file bytes, content type) of the result's budgets in the JJF 1059.1 layout."""
    content_type, writer = FILE_TYPES[fmt]
    return writer(budgets_of(result)), content_type


@dataclass
class BodyError(Exception):
    status: int
    field: str | None
    detail: str

    def body(self) -> dict:
        return {"field": self.field, "detail": self.detail}


def _no_constants(name: str):
    raise ValueError(f"{name} is not a JSON number")


def read_json_body(request) -> Any:
    """The request's JSON body, read up to the configured limit (413 beyond it, 400 if it is not JSON)."""
    limit = max_body_bytes()
    raw_request = getattr(request, "_request", request)
    try:
        declared = int(raw_request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    too_large = BodyError(413, None, _("The request body is larger than the limit of %(limit)d bytes.")
                          % {"limit": limit})
    if declared > limit:
        raise too_large
    body = raw_request.read(limit + 1)
    if len(body) > limit:
        raise too_large
    try:
        return json.loads(body.decode("utf-8"), parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BodyError(400, None, _("The body is not valid JSON: %(reason)s") % {"reason": exc}) from None
