"""The home panels moved from verification read supervision's state: a record reported by an institution that
does not issue through jiliang counts, and a meter past its service life is its own column, in both languages."""

import datetime as dt
import re

import pytest

from .display_helpers import page, reported, text, water_meter

pytestmark = pytest.mark.django_db(transaction=False)


def region_row(html: str, code: str) -> list[str]:
    row = re.search(rf'<tr class="region-row" data-region="{code}">(.*?)</tr>', html, re.S).group(1)
    return [text(c).strip() for c in re.findall(r"<td.*?</td>", row, re.S)]


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_bureau_panel_counts_reported_records_and_ended_service_life(world, lang):
    today = dt.date.today()
    reported(world, world.instrument_ks, on=today - dt.timedelta(days=10), next_due=today + dt.timedelta(days=20))
    meter = water_meter(world, "WM-OLD")
    reported(world, meter, on=today - dt.timedelta(days=2300), next_due=today - dt.timedelta(days=3))
    html = page(world.users["kunshan"], "/", lang)
    # region, instruments, valid, due soon, overdue, failed, never verified, service life ended
    assert region_row(html, "320583")[1:] == ["2", "0", "1", "0", "0", "0", "1"]
    assert ("service life ended" if lang == "en" else "使用期满") in text(html)


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_enterprise_panel_shows_supervision_status(world, lang):
    today = dt.date.today()
    meter = water_meter(world, "WM-OLD")
    reported(world, meter, on=today - dt.timedelta(days=2300), next_due=today - dt.timedelta(days=3))
    html = page(world.users["enterprise"], "/", lang)
    rows = [text(r) for r in re.findall(r'<tr class="instrument-row".*?</tr>', html, re.S)]
    assert "WM-OLD" in rows[0] and ("service life ended" if lang == "en" else "使用期满") in rows[0]
    assert 'data-state="life_ended"' in html and "KS-0001" in rows[1]
    assert ("never verified" if lang == "en" else "从未检定") in rows[1]
