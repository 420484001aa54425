"""The demo's traceability hierarchy (traceability/coverage_demo.py, order 70): NIM → provincial → city → county
standards → instruments for mass, pressure and electrical energy, one broken link, one lapsing standard, the external
nodes, and the province's coverage against the plan's 98 %."""

import datetime as dt

from django.core.management import call_command
from django.utils import timezone

from jiliang.registry.models import MeasurementStandard, Organisation
from jiliang.traceability import coverage as cov
from jiliang.traceability import tree as trees
from jiliang.traceability.coverage_demo import CNAS_LAB, NIM, UNKNOWN_LAB
from jiliang.traceability.models import ExternalKind, ExternalNode, Link, LinkSource


def test_demo_hierarchy(reference_data):
    call_command("demo", scale=800, seed=7)
    today = timezone.localdate()
    nim, lab = ExternalNode.objects.get(name=NIM), ExternalNode.objects.get(name=CNAS_LAB)
    assert nim.accepted and nim.kind == ExternalKind.NATIONAL_INSTITUTE
    assert lab.kind == ExternalKind.CNAS_LAB and lab.accreditation_no and lab.scope_text and lab.accepted
    counties = Organisation.objects.filter(kind="institute", name__endswith="计量检定测试所")
    assert counties.count() == 13 and counties.filter(region_id="320583").exists()
    admin = None  # the province's tree as an unrestricted reader
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.get(username="demo-province")
    for parameter in ("质量", "压力", "电能"):
        t = trees.build(parameter, admin, today)
        assert t.counts["external"] >= 1 and t.counts["provincial"] >= 1, parameter
        assert t.counts["city"] >= 13 and t.counts["county"] == 13 and t.counts["instruments"] > 0, parameter
        assert not t.cycles
        # a county standard sits four levels down: root → NIM → provincial → city → county
        path = _depth_of_tier(t.data, "county")
        assert path == 4 or (parameter == "压力" and t.counts["broken"] == 1), (parameter, path)
    # the broken link: one county pressure standard calibrated by an unknown laboratory
    broken = Link.objects.filter(parent_id__isnull=True, parent_name=UNKNOWN_LAB, source=LinkSource.CALIBRATION)
    assert broken.count() == 1
    assert MeasurementStandard.objects.get(pk=broken.get().child_id).parameter == "压力"
    # the lapsing standard: a county energy standard's assessment certificate ends within 60 days
    lapsing = MeasurementStandard.objects.filter(institute__in=counties, valid_until__gte=today,
                                                 valid_until__lte=today + dt.timedelta(days=60))
    assert [s.parameter for s in lapsing] == ["电能"]
    assert Link.objects.filter(source=LinkSource.IMPORTED).count() > 0
    # coverage of the province against the plan's 98 %
    c = cov.compute("320000", today)
    assert c.target is not None and str(c.target.target_percent) == "98.00"
    assert 0 < c.result.total.served <= c.result.total.in_use
    assert any(g.laboratories for g in c.result.gaps) or not c.result.gaps


def _depth_of_tier(node, tier, depth=0):
    if node.get("tier") == tier:
        return depth
    for child in node.get("children", ()):
        found = _depth_of_tier(child, tier, depth + 1)
        if found is not None:
            return found
    return None
