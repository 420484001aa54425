"""The uncertainty budget as data (the table of uncertainty components of JJF 1059.1-2012).

One row per input quantity: source, estimate x_i, standard uncertainty u(x_i), distribution,
sensitivity coefficient c_i, contribution |c_i| u(x_i) (JCGM 100 5.1.3), degrees of freedom ν_i
and share of the variance (c_i u(x_i))²/u_c²(y). With correlated inputs or higher-order terms
the shares do not add up to one; the rest is reported as ``other_share``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from . import rounding
from .distributions import Distribution
from .errors import UncertaintyError
from .gum import GumOutput


def _dof_out(dof: float) -> float | None:
    """None for an infinite ν, and for a ν_eff that was not evaluated (NaN; see ``dof_evaluated``)."""
    return None if math.isinf(dof) or math.isnan(dof) else float(dof)


def _dof_in(value: Any) -> float:
    return math.inf if value is None else float(value)


@dataclass(frozen=True)
class BudgetRow:
    source: str
    estimate: float
    std_uncertainty: float
    distribution: str
    distribution_label: str
    sensitivity: float
    contribution: float
    #: None means infinite
    dof: float | None
    share: float
    description: str = ""
    unit: str = ""

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BudgetRow:
        try:
            return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})
        except TypeError as exc:
            raise UncertaintyError(f"budget row is incomplete: {exc}", "budget.rows") from None


@dataclass(frozen=True)
class Budget:
    output: str
    rows: tuple[BudgetRow, ...]
    y: float
    u: float
    dof: float | None
    k: float
    U: float
    p: float | None
    interval: tuple[float, float]
    display: dict = field(default_factory=dict)
    unit: str = ""
    other_share: float = 0.0
    notes: tuple[str, ...] = ()
    model: str = ""
    #: False when ν_eff was not evaluated (correlated finite-ν inputs with a fixed k, JCGM 100 G.4)
    dof_evaluated: bool = True

    def to_dict(self) -> dict:
        return {
            "output": self.output, "model": self.model, "unit": self.unit,
            "rows": [r.to_dict() for r in self.rows],
            "y": self.y, "u": self.u, "dof": self.dof, "k": self.k, "U": self.U, "p": self.p,
            "interval": list(self.interval), "display": dict(self.display),
            "other_share": self.other_share, "notes": list(self.notes), "dof_evaluated": self.dof_evaluated,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Budget:
        try:
            return cls(
                output=data["output"], model=data.get("model", ""), unit=data.get("unit", ""),
                rows=tuple(BudgetRow.from_dict(r) for r in data["rows"]),
                y=float(data["y"]), u=float(data["u"]), dof=data.get("dof"), k=float(data["k"]),
                U=float(data["U"]), p=data.get("p"), interval=tuple(data["interval"]),  # type: ignore[arg-type]
                display=dict(data.get("display", {})), other_share=float(data.get("other_share", 0.0)),
                notes=tuple(data.get("notes", ())), dof_evaluated=bool(data.get("dof_evaluated", True)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise UncertaintyError(f"not a budget: {exc}", "budget") from None


def build_budget(
    gum: GumOutput,
    inputs: Mapping[str, Distribution],
    *,
    descriptions: Mapping[str, Mapping[str, Any]] | None = None,
    unit: str = "",
    model: str = "",
    digits: int = 2,
    mode: str = "half_even",
    notes: tuple[str, ...] = (),
) -> Budget:
    """The budget table of one GUM output."""
    descriptions = descriptions or {}
    variance = gum.u**2
    rows = []
    for name, c in gum.sensitivities.items():
        dist = inputs[name]
        contribution = abs(gum.components[name])
        meta = descriptions.get(name, {})
        rows.append(BudgetRow(
            source=name,
            estimate=dist.estimate,
            std_uncertainty=dist.std_uncertainty,
            distribution=dist.kind,
            distribution_label=f"{dist.name_zh} {dist.name_en}",
            sensitivity=c,
            contribution=contribution,
            dof=_dof_out(dist.dof),
            share=contribution**2 / variance if variance > 0 else 0.0,
            description=str(meta.get("description") or meta.get("label") or meta.get("source") or ""),
            unit=str(meta.get("unit") or ""),
        ))
    other = 1.0 - sum(r.share for r in rows) if variance > 0 else 0.0
    return Budget(
        output=gum.name, rows=tuple(rows), y=gum.y, u=gum.u, dof=_dof_out(gum.dof), k=gum.k, U=gum.U, p=gum.p,
        interval=gum.interval, display=rounding.display(gum.y, gum.u, gum.U, gum.k, digits=digits, mode=mode),
        unit=unit, other_share=other, notes=notes, model=model, dof_evaluated=not math.isnan(gum.dof),
    )


def dof_value(dof: float | None) -> float:
    """Budget dof (None = infinite) as a float."""
    return _dof_in(dof)
