"""Evaluation of measurement uncertainty (PURE: no Django).

GUM uncertainty framework (JCGM 100:2008 = JJF 1059.1-2012) and the Monte Carlo method
(JCGM 101:2008 = JJF 1059.2-2012) for measurement models given as expressions or Python
callables, with one or several outputs.

Modules: :mod:`.expression` (safe parsing, evaluation, symbolic derivatives), :mod:`.model`,
:mod:`.distributions` (JCGM 101 clause 6), :mod:`.correlation`, :mod:`.sampling`, :mod:`.gum`,
:mod:`.montecarlo`, :mod:`.validation` (JCGM 101 clause 8), :mod:`.rounding` (JJF 1059.1
5.3.8), :mod:`.budget`, :mod:`.template`, :mod:`.export` (Excel, PDF) and :mod:`.api`.

Request for :func:`evaluate_request`::

    {"model": "V / I",                       # or a list of expressions, or {"R": "...", "X": "..."}
     "inputs": {
        "V": {"value": 5.0, "u": 0.003, "dof": 9},          # estimate + standard uncertainty
        "I": {"distribution": "rectangular", "low": 0.0195, "high": 0.0205},
        "T": {"observations": [20.1, 20.3, 20.2]},          # Type A
     },
     "correlations": [["V", "I", 0.2]],       # r, or "observations" for two Type A inputs
     "coverage_probability": 0.95,
     "k": 2,                                  # optional: fixed coverage factor (JJF 1059.1)
     "second_order": false,                   # JCGM 100 5.1.2 Note
     "monte_carlo": {"trials": 1000000, "seed": 1, "adaptive": false, "ndig": 2},   # or null
     "validation": {"ndig": 2, "interval": "shortest"},
     "rounding": {"digits": 2, "mode": "half_even"},
     "unit": "Ω"}

Distributions: normal (value, u | U and k, dof), t (value, scale, dof), type_a (observations),
rectangular / triangular / arcsine (low, high | value, half_width), trapezoidal (+ beta),
curvilinear_trapezoid (+ d). Any Type B input may carry ``dof`` (JCGM 100 G.4.2).
"""

from .api import evaluate_request
from .budget import Budget, BudgetRow, build_budget
from .distributions import (
    Arcsine,
    CurvilinearTrapezoid,
    Distribution,
    Normal,
    Rectangular,
    StudentT,
    Trapezoidal,
    Triangular,
    TypeA,
    distribution_from_dict,
)
from .errors import UncertaintyError
from .export import export_excel, export_pdf
from .gum import GumOutput, GumResult, coverage_factor, evaluate_gum, welch_satterthwaite
from .model import Model
from .montecarlo import (
    MonteCarloOutput,
    MonteCarloResult,
    coverage_intervals,
    numerical_tolerance,
    run_monte_carlo,
)
from .template import BudgetTemplate
from .validation import Validation, validate_gum

__all__ = [
    "Arcsine", "Budget", "BudgetRow", "BudgetTemplate", "CurvilinearTrapezoid", "Distribution", "GumOutput",
    "GumResult", "Model", "MonteCarloOutput", "MonteCarloResult", "Normal", "Rectangular", "StudentT",
    "Trapezoidal", "Triangular", "TypeA", "UncertaintyError", "Validation", "build_budget", "coverage_factor",
    "coverage_intervals", "distribution_from_dict", "evaluate_gum", "evaluate_request", "export_excel",
    "export_pdf", "numerical_tolerance", "run_monte_carlo", "validate_gum", "welch_satterthwaite",
]
