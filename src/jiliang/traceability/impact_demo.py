"""The demo's out-of-tolerance event (DemoStep ``traceability-impact``, after verification's certificates): the links
are rebuilt from the certificates and calibrations, and the provincial institute's E1 weights, which measured the
demo's scale certificates and calibrated the city institutes' mass standards, are found out of tolerance today."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone

from jiliang.core.audit import audit_context
from jiliang.registry.models import MeasurementStandard

from . import graph, impact

REASON = "期间核查发现E1级砝码组中 1 kg 砝码示值偏差 +1.6 mg，超出最大允许误差 ±0.5 mg（JJG 99-2022）"


def build(ctx: dict, rng, scale: int, progress) -> None:
    progress(0, 2)
    graph.rebuild()
    progress(1, 2)
    staff = get_user_model().objects.filter(username="demo-institute").first()
    std = (MeasurementStandard.objects.select_related("institute")
           .filter(institute=ctx["institute"], name="E1级砝码标准装置").first())
    if std is not None and staff is not None:
        with audit_context(actor=staff, channel="command"):
            impact.open_standard_case(std, actor=staff, found_on=timezone.localdate(), reason=REASON)
    progress(2, 2)
