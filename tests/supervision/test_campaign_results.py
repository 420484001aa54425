"""Campaign results against a hand computation (counts, rates and Wilson intervals to 4 decimals), the Wilson
interval against published values, and the report read back (PDF text, Excel rows)."""

import io
import math

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from tests.supervision.campaign_fixtures import finding, provincial_campaign

from jiliang.core.pdf_fonts import cjk_text
from jiliang.supervision import campaign_report
from jiliang.supervision import campaign_results as cr
from jiliang.supervision.models import CampaignTarget, FindingKind, TargetStatus


def hand_wilson(k, n):
    """Wilson (1927) in its other textbook form, (k + z²/2 ± z√n·√(p(1−p) + z²/4n)) / (n + z²), with the exact
    0.975 normal quantile (z = 1.96 would differ in the 4th decimal)."""
    z = 1.959963984540054
    p = k / n
    centre = (k + z * z / 2) / (n + z * z)
    half = z * math.sqrt(n) / (n + z * z) * math.sqrt(p * (1 - p) + z * z / (4 * n))
    return round(centre - half, 4), round(centre + half, 4)


@pytest.mark.parametrize("k, n, low, high", [
    # Newcombe (1998), Statistics in Medicine 17:857-872, examples of method 3 (score interval without continuity
    # correction), quoted from the paper; the paper itself was not re-read through the search tool here
    (81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718),
])
def test_wilson_against_published_values(k, n, low, high):
    lo, hi = cr.wilson(k, n)
    assert (round(lo, 4), round(hi, 4)) == (low, high)


def test_wilson_z_196_cases_and_edges():
    # z = 1.96 examples published with the codegolf "Wilson score interval" challenge (10 of 100, 1 of 11)
    assert cr.wilson(10, 100, z=1.96) == pytest.approx((0.05522854161313612, 0.1743673043676654), abs=1e-12)
    assert cr.wilson(1, 11, z=1.96) == pytest.approx((0.016231752262825982, 0.3773646254862038), abs=1e-12)
    assert cr.wilson(0, 0) is None
    assert cr.percent(None) == "—" and cr.interval_text(None) == "—"
    assert cr.wilson(5, 5)[1] == 1.0


def test_aggregation_against_a_hand_computation(cworld):
    w = cworld
    c = provincial_campaign(w, sample_size=12, min_per_county=2)
    targets = list(c.targets.select_related("instrument").order_by("position"))
    # The plan, by position: checked with findings (kinds), checked by status only, unreachable, untouched.
    plan = {1: ["conforming"], 2: ["overdue"], 3: ["conforming", "seal_broken"], 4: ["conforming", "conforming"],
            5: ["unverified"], 6: ["conforming"], 7: "checked", 8: "unreachable"}
    for t in targets:
        what = plan.get(t.position)
        if isinstance(what, list):
            for kind in what:
                finding(t, kind)
            CampaignTarget.objects.filter(pk=t.pk).update(status=TargetStatus.CHECKED)
        elif what:
            CampaignTarget.objects.filter(pk=t.pk).update(status=what)
    # by hand: checked 1..7, nonconforming 2, 3, 5
    expected = {}
    for t in targets:
        e = expected.setdefault(t.county_id, [0, 0, 0])
        e[0] += 1
        if t.position <= 7:
            e[1] += 1
        if t.position in (2, 3, 5):
            e[2] += 1
    res = cr.results(c)
    assert (res.total.targets, res.total.checked, res.total.nonconforming) == (12, 7, 3)
    assert round(res.total.rate, 4) == round(3 / 7, 4) == 0.4286
    assert tuple(round(x, 4) for x in res.total.interval) == hand_wilson(3, 7) == (0.1582, 0.7495)
    got = {r.key: [r.targets, r.checked, r.nonconforming] for r in res.by_county}
    assert got == expected
    for r in res.by_county:
        if r.checked:
            assert tuple(round(x, 4) for x in r.interval) == hand_wilson(r.nonconforming, r.checked)
        else:
            assert r.rate is None and r.rate_text == "—" and r.interval_text == "—"
    assert [(r.key, r.targets) for r in res.by_city] == [("320500", 12)]
    assert [(r.label, r.checked, r.nonconforming) for r in res.by_category] == [(w.scale.display_name, 7, 3)]  # with its second level: 水表 is two entries


def test_owner_targets_are_nonconforming_if_any_finding_is(cworld):
    w = cworld
    c = provincial_campaign(w, target_kind="owners", sample_size=3, min_per_county=1)
    ks = c.targets.get(organisation=w.owners["320583"])
    cs = c.targets.get(organisation=w.owners["320581"])
    from jiliang.supervision.models import Finding

    for inst, kind in ((w.made["320583"][0], "conforming"), (w.made["320583"][1], "overdue")):
        Finding.objects.create(instrument=inst, found_on=inst.created.date(), kind=kind, campaign=c, target=ks)
    # a finding naming only the campaign counts against the owner's target
    Finding.objects.create(instrument=w.made["320581"][0], found_on=inst.created.date(), kind="conforming",
                           campaign=c)
    res = cr.results(c)
    assert (res.total.targets, res.total.checked, res.total.nonconforming) == (3, 2, 1)
    rows = {r.key: (r.checked, r.nonconforming) for r in res.by_county}
    assert rows == {"320583": (1, 1), "320581": (1, 0), "320585": (0, 0)}
    assert cs.pk != ks.pk


def _checked_campaign(w):
    c = provincial_campaign(w, sample_size=6, min_per_county=2, exclude_own_county=True)
    for t in c.targets.order_by("position")[:4]:
        finding(t, FindingKind.CONFORMING if t.position % 2 else FindingKind.OVERDUE)
    return c


def test_pdf_report_reads_back(cworld):
    c = _checked_campaign(cworld)
    data = campaign_report.pdf(c, c.targets.all())
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    flat = text.replace("\n", "").replace(" ", "")
    assert "监督抽查报告" in flat
    assert c.number in flat and "fixed-seed" in flat
    assert c.population_sha256[:16] in flat
    assert "昆山市" in flat and "常熟市" in flat
    assert "Wilson" in text
    res = campaign_report.content(c, c.targets.all()).results
    assert cjk_text(cr.interval_text(res.total.interval)).replace(" ", "") in flat  # "15.0-85.0%" (2 of 4)
    assert "15.0-85.0%" in flat
    # the time of the draw in Beijing time, as on the campaign's page (stored in UTC)
    from django.utils import timezone

    assert f"{timezone.localtime(c.drawn_at):%Y-%m-%d%H:%M}" in flat


def test_excel_report_reads_back(cworld):
    c = _checked_campaign(cworld)
    wb = load_workbook(io.BytesIO(campaign_report.xlsx(c, c.targets.all())))
    assert len(wb.sheetnames) == 6
    county, city, category, inspector, targets = (wb[n] for n in wb.sheetnames[:5])
    rows = list(targets.iter_rows(values_only=True))
    assert len(rows) == 1 + 6 and [r[0] for r in rows[1:]] == [1, 2, 3, 4, 5, 6]
    total = list(county.iter_rows(values_only=True))[-1]
    assert total[1:4] == (6, 4, 2)
    assert total[4] == "50.0 %"
    assert sum(r[1] for r in list(inspector.iter_rows(values_only=True))[1:]) == 6
    about = dict(wb[wb.sheetnames[5]].iter_rows(values_only=True))
    assert c.population_sha256 in about.values()
