"""Change history in words with names and labels (使用单位：A → B), and recent changes that link to their objects."""

import re

import pytest
from django.utils import translation

from jiliang.core import services
from jiliang.core.changes import describe
from jiliang.core.models import AuditEntry


@pytest.fixture
def moved(world):
    """The Kunshan instrument moved to another category and use, its range widened."""
    return services.update_record(world.instrument_ks, {"usage": "safety", "range_max": "30",
                                                        "category": world.gauge}, actor=world.admin)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("lang, usage", [
    ("zh-hans", "用途：贸易结算 → 安全防护"),
    ("en", "Usage: trade settlement → safety protection"),
])
def test_detail_history_in_words(client, world, moved, lang, usage):
    client.force_login(world.users["province"])
    client.cookies["django_language"] = lang
    html = client.get(f"/registry/instruments/{world.instrument_ks.pk}/").content.decode()
    history = html[html.index("history-changes"):]
    text = _text(history)
    assert usage in text, text[:400]
    with translation.override(lang):
        assert world.scale.short_name in text and world.gauge.short_name in text  # names, not ids
    assert "category_id=" not in html and "owner_id=" not in html and "usage=" not in html
    assert "30" in text and "30.000000" not in text


def test_create_entry_names_the_owner(world):
    entry = AuditEntry.objects.filter(object_type="registry.instrument", object_id=str(world.instrument_ks.pk),
                                      action="create").get()
    with translation.override("zh-hans"):
        lines = [str(c) for c in describe([entry])[entry.pk]]
    assert f"使用单位：{world.ent_ks.name}" in lines or any(world.ent_ks.name in line for line in lines), lines
    assert not any("_id" in line for line in lines), lines


def test_home_recent_changes_link_to_their_objects(client, world, moved):
    client.force_login(world.users["province"])
    html = client.get("/").content.decode()
    rows = re.findall(r'<tr class="recent-change">(.*?)</tr>', html, re.S)
    assert rows
    assert any(f'href="/registry/instruments/{world.instrument_ks.pk}/"' in r for r in rows), rows[:2]


def test_home_does_not_link_what_the_user_may_not_see(client, world, moved):
    """The Xuanwu bureau sees no Kunshan records, so no link to them."""
    client.force_login(world.users["xuanwu"])
    html = client.get("/").content.decode()
    assert f'href="/registry/instruments/{world.instrument_ks.pk}/"' not in html


def test_audit_detail_lists_changes(client, world, moved):
    client.force_login(world.users["province"])
    client.cookies["django_language"] = "zh-hans"
    entry = AuditEntry.objects.filter(object_type="registry.instrument", action="update").latest("id")
    html = client.get(f"/audit/{entry.pk}/").content.decode()
    card = _text(html[html.index('id="audit-changes"'):])
    assert "用途" in card and "贸易结算" in card and "安全防护" in card
    assert f'href="/registry/instruments/{world.instrument_ks.pk}/"' in html
