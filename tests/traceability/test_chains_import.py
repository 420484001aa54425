"""Importing links from a table (traceability/link_import.py): bad rows reported by row and field and left out,
good rows kept, cycles refused with their members named, a cycle already in the data found without looping."""

import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from jiliang.traceability import chain_check, link_import
from jiliang.traceability.models import Link, LinkSource, NodeKind

HEAD = "child,parent,date,valid_until,certificate_no,parameter,range_min,range_max,unit,U,U_unit,k\n"


def csv(*rows) -> bytes:
    return (HEAD + "\n".join(rows) + "\n").encode()


def test_good_rows_are_kept_and_bad_rows_named(tworld):
    w = tworld.world
    data = csv(
        f"{w.standard_nj.certificate_no},{w.standard_p.name},2026-01-05,2027-01-04,JSJL-9,质量,0,20,kg,0.5,mg,2",  # 2
        f"{w.standard_nj.name},某不知名标准装置,2026-01-05,2027-01-04,X-1,质量,,,,,,",                             # 3
        f"{w.standard_nj.name},NIM,2026-13-05,2027-01-04,X-2,质量,,,,,,",                                         # 4
        f"{w.standard_nj.name},NIM,2026-01-05,2025-01-04,,质量,,,,abc,,",                                         # 5
        f"{w.instrument_ks.instrument_code},{w.standard_nj.name},2026-02-01,2027-01-31,KS-1,质量,0,15,kg,,,",     # 6
        "不存在的器具,NIM,2026-01-05,2027-01-04,X-3,,,,,,,",                                                     # 7
    )
    report = link_import.import_links("links.csv", data, actor=w.admin)
    assert report.written == 2
    by_row = {}
    for e in report.errors:
        by_row.setdefault(e["row"], set()).add(e["field"])
    assert by_row == {3: {"parent"}, 4: {"date"}, 5: {"valid_until", "certificate_no", "U"}, 7: {"child"}}
    msg = next(e["message"] for e in report.errors if e["row"] == 3)
    assert "某不知名标准装置" in msg and "外部机构" in msg  # the site language: Chinese
    link = Link.objects.get(certificate_no="JSJL-9")
    assert (link.source, link.child_kind, link.child_id, link.parent_kind, link.parent_id) == (
        LinkSource.IMPORTED, NodeKind.STANDARD, w.standard_nj.pk, NodeKind.STANDARD, w.standard_p.pk)
    assert link.organisation_id == w.inst_nj.pk and str(link.uncertainty) .startswith("0.5")


def test_an_xlsx_with_chinese_headers(tworld):
    w = tworld.world
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["被校对象", "校准方", "校准日期", "有效期至", "证书编号", "参数"])
    ws.append([w.standard_nj.name, "中国计量院", "2026-01-05", "2027-01-04", "NIM-9", "质量"])
    buf = io.BytesIO()
    wb.save(buf)
    report = link_import.import_links("links.xlsx", buf.getvalue(), actor=w.users["province"])
    assert report.errors == [] and report.written == 1
    assert Link.objects.get(certificate_no="NIM-9").parent_id == tworld.nim.pk


def test_a_missing_column_is_named(tworld):
    report = link_import.import_links("links.csv", b"child,parent,date\nx,y,2026-01-01\n",
                                      actor=tworld.world.admin)
    assert {e["field"] for e in report.errors} == {"valid_until", "certificate_no"} and report.written == 0


def test_a_row_closing_a_cycle_is_refused_with_its_members(tworld):
    w = tworld.world
    data = csv(f"{w.standard_nj.name},{w.standard_p.name},2026-01-05,2027-01-04,A-1,质量,,,,,,",
               f"{w.standard_p.name},{w.standard_nj.name},2026-01-06,2027-01-05,A-2,质量,,,,,,")
    report = link_import.import_links("links.csv", data, actor=w.admin)
    assert report.written == 1
    (err,) = report.errors
    assert err["row"] == 3 and err["field"] == "parent"
    assert f"{w.standard_p.name} → {w.standard_nj.name} → {w.standard_p.name}" in err["message"]


def test_a_cycle_already_in_the_data_is_found_and_the_chain_ends(tworld):
    w = tworld.world
    common = {"source": LinkSource.IMPORTED, "parameter": "质量", "region_id": "320000",
              "organisation_id": w.inst_p.pk, "child_kind": NodeKind.STANDARD, "parent_kind": NodeKind.STANDARD}
    import datetime as dt

    Link.objects.bulk_create([
        Link(child_id=w.standard_p.pk, parent_id=w.standard_nj.pk, on=dt.date(2026, 1, 1),
             valid_until=dt.date(2030, 1, 1), certificate_no="C-1", **common),
        Link(child_id=w.standard_nj.pk, parent_id=w.standard_p.pk, on=dt.date(2026, 1, 1),
             valid_until=dt.date(2030, 1, 1), certificate_no="C-2", **common)])
    cycles = link_import.graph_cycles()
    assert len(cycles) == 1 and set(cycles[0]) == {(NodeKind.STANDARD, w.standard_p.pk),
                                                   (NodeKind.STANDARD, w.standard_nj.pk)}
    answer = chain_check.check_standard(w.standard_p, dt.date(2026, 6, 1))
    assert not answer["traceable"]
    codes = [p["code"] for s in answer["steps"] for p in s["problems"]]
    assert "cycle" in codes


def test_only_the_province_and_institutes_import(tworld):
    with pytest.raises(PermissionDenied):
        link_import.import_links("links.csv", csv(), actor=tworld.world.users["kunshan"])
    # an institute imports for its own standards only
    w = tworld.world
    report = link_import.import_links("links.csv", csv(
        f"{w.standard_nj.name},NIM,2026-01-05,2027-01-04,N-1,质量,,,,,,",
        f"{w.standard_p.name},NIM,2026-01-05,2027-01-04,N-2,质量,,,,,,"), actor=w.users["institute"])
    assert report.written == 1 and [(e["row"], e["field"]) for e in report.errors] == [(2, "child")]
