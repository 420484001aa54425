"""Conformity of verified instruments: MPE tables as data per regulation edition, decision rules, risk.

Pure: no Django imports.

* :mod:`.loader` -- the data files ``data/<id>.json`` (one per regulation edition, e.g.
  ``JJG539-2016``), checked for shape and meaning before use.
* :mod:`.conformity` -- :func:`find_mpe`, :func:`decide_point`, :func:`decide_instrument`.
* :mod:`.editions` -- :func:`edition_on`: the edition of a regulation in force on the day of measurement.
* :mod:`.periods` -- :func:`verification_period`: the row of the period table whose condition the
  instrument meets (exactly one, or a refusal).
* :mod:`.decision` -- ILAC-G8:09/2019 decision rules (simple acceptance, guarded acceptance w = U with
  an optional conditional zone) and the specific risks of JCGM 106:2012 9.3; :class:`RuleError`.

Numbers come only from ``shared/reference/legal-metrology.md``, each with its confidence mark
(V1, V2, M) as the reference gives it; anything marked M is unverified and flagged in the decisions.
"""

from .conformity import (
    MPE,
    GroupDecision,
    Instrument,
    InstrumentDecision,
    Measurement,
    PointDecision,
    QuantityValue,
    RequiredTestPoint,
    Stage,
    TestPoint,
    Uncertainty,
    decide_instrument,
    decide_point,
    find_mpe,
    required_test_points,
)
from .decision import (
    Decision,
    DecisionRule,
    GuardBand,
    Outcome,
    RiskKind,
    RuleError,
    conformance_probability,
    decide,
)
from .editions import Edition, edition_on, editions
from .loader import Regulation, available_regulations, load_regulation, load_regulation_file
from .periods import verification_period

__all__ = [
    "MPE",
    "Decision",
    "DecisionRule",
    "Edition",
    "GroupDecision",
    "GuardBand",
    "Instrument",
    "InstrumentDecision",
    "Measurement",
    "Outcome",
    "PointDecision",
    "QuantityValue",
    "Regulation",
    "RequiredTestPoint",
    "RiskKind",
    "RuleError",
    "Stage",
    "TestPoint",
    "Uncertainty",
    "available_regulations",
    "conformance_probability",
    "decide",
    "decide_instrument",
    "decide_point",
    "edition_on",
    "editions",
    "find_mpe",
    "load_regulation",
    "load_regulation_file",
    "required_test_points",
    "verification_period",
]
