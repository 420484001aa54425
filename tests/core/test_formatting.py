"""Times in Asia/Shanghai as 2026-12-04 04:32 in every language and on every page; decimals as entered."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from jiliang.core.formatting import decimal_text, display
from jiliang.core.models import AuditEntry

RAW_TIME = re.compile(r"\d{2}:\d{2}:\d{2}\.\d+|\+00:00|\d{4}年\d{1,2}月\d{1,2}日|a\.m\.|p\.m\.")
PADDED = re.compile(r"\b\d+\.\d*000\b")


@pytest.mark.parametrize("value, text", [
    (Decimal("0.000000"), "0"), (Decimal("30.000000"), "30"), (Decimal("0.500"), "0.5"), (Decimal("1E+3"), "1000"),
    (Decimal("-0.000"), "0"), (Decimal("12.345600"), "12.3456"), (Decimal("100"), "100"),
])
def test_decimal_as_entered(value, text):
    assert decimal_text(value) == text


def test_times_are_local_and_minute_precise():
    utc = dt.datetime(2026, 12, 3, 20, 32, 7, 123456, tzinfo=dt.UTC)
    assert display(utc) == "2026-12-04 04:32"
    assert display(dt.date(2026, 12, 4)) == "2026-12-04"
    assert display(None) == "—"


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_detail_and_list_pages_show_one_format(client, world, lang):
    client.force_login(world.users["province"])
    client.cookies["django_language"] = lang
    entry = AuditEntry.objects.filter(object_type="registry.instrument").order_by("-id").first()
    shown = timezone.localtime(entry.timestamp).strftime("%Y-%m-%d %H:%M")
    for url in (f"/audit/{entry.pk}/", "/audit/", f"/registry/instruments/{world.instrument_ks.pk}/",
                "/registry/instruments/", f"/registry/standards/{world.standard_p.pk}/",
                f"/registry/reference-materials/{world.rm_p.pk}/"):
        html = client.get(url).content.decode()
        assert not RAW_TIME.findall(html), (url, RAW_TIME.findall(html)[:3])
        assert not PADDED.findall(html), (url, PADDED.findall(html)[:3])
        if url.startswith("/audit/"):
            assert shown in html, url
    detail = client.get(f"/registry/instruments/{world.instrument_ks.pk}/").content.decode()
    assert re.search(r"<td>\s*15\s*</td>", detail)  # range_max entered as 15


def test_edit_form_shows_decimals_as_entered(client, world):
    client.force_login(world.users["province"])
    html = client.get(f"/registry/instruments/{world.instrument_ks.pk}/edit/").content.decode()
    assert re.search(r'name="range_max" value="15"', html), re.findall(r'name="range_max"[^>]*', html)
