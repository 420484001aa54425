"""Evaluations on this server: the pure engine called under the server's limits, with JSON bodies, files and errors.

The engine itself (:mod:`jiliang.uncertainty`) is pure; this module adds what depends on the deployment:
the cap on Monte Carlo trials (``JILIANG_MC_MAX_TRIALS``), the bounds on one evaluation
(``JILIANG_UNCERTAINTY_MAX_*`` and ``JILIANG_UNCERTAINTY_TIME_LIMIT_S``, see
:class:`jiliang.uncertainty.limits.Limits`), the request body limit (``JILIANG_UNCERTAINTY_MAX_BODY_BYTES``)
— the same on every path that evaluates: the evaluate and export endpoints, saved budgets and templates
through the API and the pages — and turning results back into budget files.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import APIException
from rest_framework.parsers import JSONParser

from jiliang.uncertainty import Budget, UncertaintyError, evaluate_request, export_excel, export_pdf
from jiliang.uncertainty.limits import Limits
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


def limits() -> Limits:
    """This server's bounds on one evaluation (settings with the defaults of :class:`Limits`)."""
    default = Limits()
    time_limit = getattr(settings, "JILIANG_UNCERTAINTY_TIME_LIMIT_S", default.time_limit)
    return Limits(
        max_inputs=int(getattr(settings, "JILIANG_UNCERTAINTY_MAX_INPUTS", default.max_inputs)),
        max_outputs=int(getattr(settings, "JILIANG_UNCERTAINTY_MAX_OUTPUTS", default.max_outputs)),
        max_second_order_terms=int(getattr(settings, "JILIANG_UNCERTAINTY_MAX_SECOND_ORDER_TERMS",
                                           default.max_second_order_terms)),
        max_trials=max_trials(),
        max_sample_values=int(getattr(settings, "JILIANG_UNCERTAINTY_MAX_SAMPLE_VALUES", default.max_sample_values)),
        time_limit=None if time_limit in (None, 0, "") else float(time_limit),
    )


def check_payload_size(payload: Any, field: str | None = None) -> None:
    """A payload that reached the engine by another path (a form, a saved budget, a template) is held to the
    same limit as a request body: its JSON may not exceed JILIANG_UNCERTAINTY_MAX_BODY_BYTES."""
    limit = max_body_bytes()
    try:
        size = len(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    except (TypeError, ValueError):
        return  # not JSON at all: the engine names the field
    if size > limit:
        raise UncertaintyError(f"the request is {size} bytes of JSON, larger than this server's limit of {limit} "
                               "bytes", field)


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


class EvaluatorBusy(UncertaintyError):
    """Every evaluation slot of this host stayed taken for JILIANG_UNCERTAINTY_SLOT_WAIT_S (the API answers 503)."""


def max_concurrent() -> int:
    """JILIANG_UNCERTAINTY_MAX_CONCURRENT, by default one per CPU less one kept for the pages (at least one)."""
    configured = getattr(settings, "JILIANG_UNCERTAINTY_MAX_CONCURRENT", None)
    return max(1, int(configured) if configured else (os.cpu_count() or 1) - 1)


@contextlib.contextmanager
def evaluation_slot() -> Iterator[None]:
    """Hold one of this host's JILIANG_UNCERTAINTY_MAX_CONCURRENT evaluation slots (see :func:`max_concurrent`).

    The slots are lock files under ``var/run/`` taken with ``flock``, so they count across every process and
    thread of the host (WSGI workers, task workers) and are given back by the kernel if a process dies. An
    evaluation waits up to JILIANG_UNCERTAINTY_SLOT_WAIT_S for a slot and is refused after that: CPU-bound
    evaluations beyond the CPUs only slow each other and every page down.
    """
    directory = Path(settings.VAR_DIR) / "run"
    directory.mkdir(parents=True, exist_ok=True)
    slots = max_concurrent()
    wait = float(getattr(settings, "JILIANG_UNCERTAINTY_SLOT_WAIT_S", 10.0))
    give_up = time.monotonic() + wait
    while True:
        for slot in range(slots):
            handle = open(directory / f"uncertainty-slot-{slot}.lock", "a+b")  # noqa: SIM115 - closed below
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            try:
                yield
                return
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
                handle.close()
        if time.monotonic() >= give_up:
            raise EvaluatorBusy(f"all {slots} uncertainty evaluation slots of this server stayed busy for {wait:g} s; "
                                "try again in a minute", None)
        time.sleep(0.05)


def evaluate(payload: Any) -> dict:
    """:func:`jiliang.uncertainty.evaluate_request` under this server's limits (body size, work, time, slots)."""
    check_payload_size(payload)
    payload = with_server_defaults(payload)
    bounds = limits()
    with evaluation_slot():
        return evaluate_request(payload, limits=bounds)


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


class PayloadTooLarge(APIException):
    status_code = 413
    default_code = "payload_too_large"


class LimitedJSONParser(JSONParser):
    """DRF's JSON parser reading at most JILIANG_UNCERTAINTY_MAX_BODY_BYTES (413 beyond), for the budget and
    template endpoints, which evaluate like /api/uncertainty/evaluate and so share its body limit."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = max_body_bytes()
        request = (parser_context or {}).get("request")
        raw_request = getattr(request, "_request", request)
        try:
            declared = int(raw_request.META.get("CONTENT_LENGTH") or 0) if raw_request is not None else 0
        except ValueError:
            declared = 0
        message = _("The request body is larger than the limit of %(limit)d bytes.") % {"limit": limit}
        if declared > limit:
            raise PayloadTooLarge(message)
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise PayloadTooLarge(message)
        return super().parse(io.BytesIO(body), media_type, parser_context)
