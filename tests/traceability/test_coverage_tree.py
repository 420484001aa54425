"""The province view per parameter (traceability/tree.py): NIM → provincial → city → county standards → instrument
counts from the Link table, broken and missing calibrations, a cycle in imported data, the counts scoped to the
reader, and the page and the API."""

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from tests.conftest import client_for, uscc_for, web_client_for

from jiliang.core import services as core
from jiliang.registry import models as rm
from jiliang.traceability import tree as trees
from jiliang.traceability.models import Link, LinkSource, NodeKind
from jiliang.verification import services


def _county_institute(w):
    inst = core.create_record(rm.Organisation, {"name": "江宁区计量所", "uscc": uscc_for("12", "320115", 99),
                                                "kind": "institute", "region_id": "320115"}, actor=w.admin)
    return core.create_record(rm.MeasurementStandard, {
        "institute": inst, "name": "F2级砝码", "domain": "mechanics", "parameter": "质量", "uncertainty": Decimal("1"),
        "uncertainty_unit": "mg", "coverage_factor": Decimal("2"), "level": "social_public",
        "certificate_no": "[2025]江宁001", "valid_from": dt.date(2025, 1, 1),
        "valid_until": tworld_today() + dt.timedelta(days=30)}, actor=w.admin)


def tworld_today():
    from django.utils import timezone

    return timezone.localdate()


def _hierarchy(tworld):
    w, today = tworld.world, tworld.flow.today
    tworld.certify()  # the Kunshan scale verified with the provincial E2 weights (calibrated by NIM)
    services.record_standard_calibration(w.standard_nj, actor=w.admin, certificate_no="JSJL-1", laboratory=w.inst_p.name,
                                         calibrated_on=today - dt.timedelta(days=10),
                                         valid_until=today + dt.timedelta(days=355))
    county = _county_institute(w)
    services.record_standard_calibration(county, actor=w.admin, certificate_no="NJ-1", laboratory=w.inst_nj.name,
                                         calibrated_on=today - dt.timedelta(days=5),
                                         valid_until=today + dt.timedelta(days=360))
    Link.objects.create(child_kind=NodeKind.INSTRUMENT, child_id=w.instrument_xw.pk, parent_kind=NodeKind.STANDARD,
                        parent_id=county.pk, on=today, source=LinkSource.IMPORTED, certificate_no="JN-JD-1",
                        parameter="质量", region_id="320102", organisation_id=w.ent_xw.pk)
    tworld.rebuild()
    return county


def _walk(node, depth=0):
    yield node, depth
    for child in node.get("children", ()):
        yield from _walk(child, depth + 1)


def test_the_tree_from_nim_to_instruments(tworld):
    w = tworld.world
    county = _hierarchy(tworld)
    t = trees.build("质量", w.users["province"], tworld.flow.today)
    assert t.counts["external"] == 1 and t.counts["provincial"] == 1 and t.counts["city"] == 1
    assert t.counts["county"] == 1 and t.counts["instruments"] == 2 and t.counts["broken"] == 0 and not t.cycles
    nodes = {(n.get("tier"), n.get("id")): d for n, d in _walk(t.data)}
    assert nodes[("external", None)] == 1  # NIM under the parameter's root
    assert nodes[("provincial", w.standard_p.pk)] == 2
    assert nodes[("city", w.standard_nj.pk)] == 3
    assert nodes[("county", county.pk)] == 4
    county_node = next(n for n, _d in _walk(t.data) if n.get("id") == county.pk)
    assert county_node["lapsing"] is True  # its assessment certificate ends within 60 days
    assert [c["tier"] for c in county_node["children"]] == ["instruments"]


def test_counts_are_the_readers_and_bad_links_are_shown(tworld):
    w = tworld.world
    _hierarchy(tworld)
    kunshan = trees.build("质量", w.users["kunshan"], tworld.flow.today)
    xuanwu = trees.build("质量", w.users["xuanwu"], tworld.flow.today)
    assert kunshan.counts["instruments"] == 1 and xuanwu.counts["instruments"] == 1
    assert kunshan.counts["provincial"] == xuanwu.counts["provincial"] == 1  # standards are the public directory's
    # a calibration by an unknown laboratory, newer than the good one: the city standard hangs under "broken"
    services.record_standard_calibration(w.standard_nj, actor=w.admin, certificate_no="X-1", laboratory="某不知名实验室",
                                         calibrated_on=tworld.flow.today - dt.timedelta(days=1),
                                         valid_until=tworld.flow.today + dt.timedelta(days=300))
    tworld.rebuild()
    t = trees.build("质量", w.users["province"], tworld.flow.today)
    assert t.counts["broken"] == 1
    broken = next(n for n in t.data["children"] if n["tier"] == "broken")
    assert "某不知名实验室" in broken["name"] and broken["children"][0]["id"] == w.standard_nj.pk


def test_a_cycle_in_imported_links_is_reported_not_walked(tworld):
    w = tworld.world
    today = tworld.flow.today
    for child, parent in ((w.standard_p, w.standard_nj), (w.standard_nj, w.standard_p)):
        Link.objects.create(child_kind=NodeKind.STANDARD, child_id=child.pk, parent_kind=NodeKind.STANDARD,
                            parent_id=parent.pk, on=today, source=LinkSource.IMPORTED, certificate_no="LOOP",
                            parameter="质量", region_id=child.institute.region_id, organisation_id=child.institute_id)
    t = trees.build("质量", w.users["province"], today)
    assert sorted(x[0] for x in t.cycles) == sorted([w.standard_p.pk, w.standard_nj.pk])


def test_tree_page_and_api(tworld):
    w = tworld.world
    _hierarchy(tworld)
    page = web_client_for(w.users["suzhou"]).get(reverse("traceability-tree"), {"parameter": "质量"})
    assert page.status_code == 200 and b'id="chart-tree"' in page.content and b"data-tree" in page.content
    assert web_client_for(w.users["suzhou"]).get(reverse("traceability-tree"), {"parameter": "无此参量"}).status_code == 400
    body = client_for(w.users["institute"]).get("/api/traceability/tree/", {"parameter": "质量"}).json()
    assert body["counts"]["county"] == 1 and body["tree"]["name"] == "质量"
    bad = client_for(w.users["institute"]).get("/api/traceability/tree/", {"parameter": ""})
    assert bad.status_code == 400 and bad.json()["field"] == "parameter"
    assert web_client_for(w.users["enterprise"]).get(reverse("traceability-tree")).status_code == 403
