"""Budget fixtures: institutes in Kunshan and Xuanwu beside the world's provincial and Nanjing institutes,
and one template and one saved budget per institute, built through the services."""

from __future__ import annotations

import copy

import pytest
from tests.conftest import _org, _user

from jiliang.budgets import services
from jiliang.budgets.models import BudgetTemplate
from jiliang.core import services as core
from jiliang.core.audit import audit_context
from jiliang.core.roles import Role

EXAMPLE = {
    "model": "V / I",
    "inputs": {"V": {"value": 5.0, "u": 0.003, "dof": 9},
               "I": {"distribution": "rectangular", "low": 0.0195, "high": 0.0205}},
    "correlations": [["V", "I", 0.2]],
    "coverage_probability": 0.95,
    "k": 2,
    "monte_carlo": {"trials": 1000000, "seed": 1},
}
SMALL = {**EXAMPLE, "monte_carlo": {"trials": 20000, "seed": 7}}
TEMPLATE = {
    "model": "m_x + dm",
    "inputs": {"m_x": {"value": None, "u": 0.00005, "dof": None},
               "dm": {"distribution": "rectangular", "value": 0.0, "half_width": 0.0001}},
    "correlations": [],
    "options": {"monte_carlo": {"trials": 20000, "seed": 3}},
}


@pytest.fixture(autouse=True)
def _evaluation_slots(settings):
    """The test processes (pytest-xdist) share var/run/: give them slots enough that one test's evaluation never
    waits for another's (the slot rule itself is tested with its own settings)."""
    settings.JILIANG_UNCERTAINTY_MAX_CONCURRENT = 16


def example(**changes) -> dict:
    payload = copy.deepcopy(EXAMPLE)
    payload.update(changes)
    return payload


@pytest.fixture
def budgets_world(world):
    """world + ``inst_ks`` (Kunshan), ``inst_xw`` (Xuanwu) and their users; a template and a budget per institute."""
    w = world
    with audit_context(actor=w.admin, channel="command"):
        w.inst_ks = _org(w.admin, "昆山市计量测试所", "institute", "320583", 21, "12")
        w.inst_xw = _org(w.admin, "玄武区计量检定所", "authorised", "320102", 22, "12")
        w.templates, w.budgets = {}, {}
        for key in ("p", "nj", "ks", "xw"):
            inst = getattr(w, f"inst_{key}")
            w.templates[key] = core.create_record(BudgetTemplate, {
                "institute": inst, "name": f"砝码校准 {key}", "procedure": "JJG 99", "template": copy.deepcopy(TEMPLATE)},
                actor=w.admin)
            w.budgets[key] = services.save_budget(actor=w.admin, institute=inst, title=f"电阻 {key}",
                                                  payload=copy.deepcopy(SMALL))
    w.users["institute_ks"] = _user("institute_ks", Role.INSTITUTE, "320583", w.inst_ks)
    return w

