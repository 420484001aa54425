"""A small reverse-traceability world on ``tworld`` (fixture ``icase``): the provincial E2 weights (``standard_p``,
last calibrated by NIM 100 days ago) verified the Kunshan scale today and calibrated Nanjing's F1 weights 10 days
ago, which verified the Xuanwu scale 5 days ago (an imported record). Two links lie outside the windows: a Kunshan
record under the E2 weights 200 days ago, and a Xuanwu record under the F1 weights 20 days ago."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from jiliang.traceability.models import Link, LinkSource, NodeKind
from jiliang.verification import services


def imported(child, parent, on, no, *, kind=NodeKind.INSTRUMENT):
    region = child.region_id if kind == NodeKind.INSTRUMENT else child.institute.region_id
    org = child.owner_id if kind == NodeKind.INSTRUMENT else child.institute_id
    return Link.objects.create(child_kind=kind, child_id=child.pk, parent_kind=NodeKind.STANDARD, parent_id=parent.pk,
                               on=on, valid_until=on + dt.timedelta(days=365), source=LinkSource.IMPORTED,
                               certificate_no=no, parameter="质量", region_id=region, organisation_id=org)


@pytest.fixture
def icase(tworld):
    w, today = tworld.world, tworld.flow.today
    cert = tworld.certify()
    services.record_standard_calibration(w.standard_nj, actor=w.admin, certificate_no="JSJL-NJ-1",
                                         laboratory=w.inst_p.name, calibrated_on=today - dt.timedelta(days=10),
                                         valid_until=today + dt.timedelta(days=355))
    tworld.rebuild()
    old = imported(w.instrument_ks, w.standard_p, today - dt.timedelta(days=200), "OLD-KS-1")
    xw = imported(w.instrument_xw, w.standard_nj, today - dt.timedelta(days=5), "NJ-XW-1")
    early = imported(w.instrument_xw, w.standard_nj, today - dt.timedelta(days=20), "NJ-XW-0")
    return SimpleNamespace(t=tworld, w=w, today=today, cert=cert, old=old, xw=xw, early=early,
                           institute=tworld.flow.institute_user)
