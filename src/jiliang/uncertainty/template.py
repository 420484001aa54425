"""Budget templates: the model and input definitions of a calibration procedure, filled per calibration.

A template is an :func:`evaluate_request` payload in which some parameter values are ``None``
(to be filled: the day's observations, the reading, the air density). :meth:`BudgetTemplate.fill`
returns a complete payload; :meth:`BudgetTemplate.missing` lists what is still open. Templates are
plain dicts on the way in and out, so a Django layer can keep them in a JSON field.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .distributions import ALIASES, ALLOWED_KEYS, DESCRIPTIVE_KEYS, KINDS
from .errors import UncertaintyError
from .model import Model

#: request options a template may carry
OPTION_KEYS = frozenset({"coverage_probability", "k", "second_order", "monte_carlo", "validation", "rounding",
                         "unit", "ensembles", "truncate_dof"})


@dataclass
class BudgetTemplate:
    name: str
    model: str | list[str] | dict[str, str]
    inputs: dict[str, dict[str, Any]]
    correlations: list[list[Any]] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    description: str = ""

    def __post_init__(self) -> None:
        self.check()

    def check(self) -> None:
        """The model parses, every input is used, and every parameter is known for its distribution."""
        parsed = Model.from_expression(self.model)
        if not isinstance(self.inputs, Mapping):
            raise UncertaintyError("inputs must be an object of input definitions", "inputs")
        parsed.check_inputs(self.inputs.keys())
        for name, spec in self.inputs.items():
            if not isinstance(spec, Mapping):
                raise UncertaintyError("an input must be an object with its parameters", f"inputs.{name}")
            raw = spec.get("distribution") or ("type_a" if "observations" in spec else "normal")
            kind = ALIASES.get(str(raw).lower(), str(raw).lower())
            if kind not in KINDS:
                raise UncertaintyError(f"unknown distribution '{raw}'", f"inputs.{name}.distribution")
            allowed = ALLOWED_KEYS[kind] | DESCRIPTIVE_KEYS | {"distribution"}
            for key in spec:
                if key not in allowed:
                    raise UncertaintyError(f"unknown parameter '{key}' for a {kind} input", f"inputs.{name}.{key}")
        for key in self.options:
            if key not in OPTION_KEYS:
                raise UncertaintyError(f"unknown option '{key}'", f"options.{key}")

    def missing(self) -> list[str]:
        """Field paths still to be filled (parameters whose value is None)."""
        return [f"inputs.{name}.{key}" for name, spec in self.inputs.items() for key, v in spec.items() if v is None]

    def fill(self, values: Mapping[str, Mapping[str, Any]], *, strict: bool = True) -> dict:
        """A complete request payload: the template with ``values[input][parameter]`` filled in.

        Only parameters the template declares may be filled; with ``strict`` every open value
        must be given.
        """
        inputs = copy.deepcopy(self.inputs)
        for name, params in values.items():
            if name not in inputs:
                raise UncertaintyError(f"the template has no input '{name}'", f"inputs.{name}")
            if not isinstance(params, Mapping):
                raise UncertaintyError("fill values must be an object of parameters", f"inputs.{name}")
            for key, value in params.items():
                if key not in inputs[name]:
                    raise UncertaintyError(f"the template does not declare '{key}' for '{name}'",
                                           f"inputs.{name}.{key}")
                inputs[name][key] = value
        payload = {"model": copy.deepcopy(self.model), "inputs": inputs,
                   "correlations": copy.deepcopy(self.correlations), **copy.deepcopy(self.options)}
        if strict:
            still = [f"inputs.{n}.{k}" for n, spec in inputs.items() for k, v in spec.items() if v is None]
            if still:
                raise UncertaintyError(f"still to be filled: {', '.join(still)}", still[0])
        return payload

    def to_dict(self) -> dict:
        return {"name": self.name, "description": self.description, "model": copy.deepcopy(self.model),
                "inputs": copy.deepcopy(self.inputs), "correlations": copy.deepcopy(self.correlations),
                "options": copy.deepcopy(self.options)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BudgetTemplate:
        for key in ("name", "model", "inputs"):
            if key not in data:
                raise UncertaintyError(f"a template needs '{key}'", key)
        unknown = set(data) - {"name", "description", "model", "inputs", "correlations", "options"}
        if unknown:
            key = sorted(unknown)[0]
            raise UncertaintyError(f"unknown template key '{key}'", key)
        return cls(name=str(data["name"]), model=copy.deepcopy(data["model"]), inputs=copy.deepcopy(data["inputs"]),
                   correlations=copy.deepcopy(data.get("correlations") or []),
                   options=copy.deepcopy(data.get("options") or {}), description=str(data.get("description", "")))
