"""Generating the OpenAPI schema in English must not leave English filter labels for Chinese users.

drf-spectacular reads every FilterSet's filters to describe the API; django-filter computes a filter's
label on first access and caches it on the (class-level) filter, so the first language to ask won for the
whole process: after one visit to /api/docs/ in English, every Chinese list showed "Status", "Usage",
"Mms status" until a restart.
"""

import re

import pytest
from django.utils import translation


@pytest.fixture
def province_client(client, world):
    client.force_login(world.users["province"])
    return client


def _labels(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", label).strip() for label in re.findall(r"<label[^>]*>(.*?)</label>", html, re.S)]


@pytest.mark.parametrize("url, english, chinese", [
    ("/registry/instruments/", "Usage", "用途"),
    ("/registry/organisations/", "Measurement management system", "测量管理体系"),
    ("/verification/work-orders/", "Status", "状态"),
])
def test_list_in_chinese_after_schema_generated_in_english(province_client, url, english, chinese):
    province_client.cookies["django_language"] = "en"
    assert province_client.get("/api/schema/").status_code == 200
    english_page = province_client.get(url).content.decode()
    assert english in _labels(english_page)

    province_client.cookies["django_language"] = "zh-hans"
    page = province_client.get(url).content.decode()
    labels = _labels(page)
    assert not [lab for lab in labels if re.search(r"[A-Za-z]{3,}", lab)], labels
    assert any(chinese in lab for lab in labels), labels


def test_schema_generated_in_english_in_process_does_not_fix_labels(world):
    """The same, without HTTP: the generator run under English, then a filter form built under Chinese."""
    from drf_spectacular.generators import SchemaGenerator

    from jiliang.registry.filters import InstrumentFilterSet

    with translation.override("en"):
        SchemaGenerator().get_schema(request=None, public=True)
    with translation.override("zh-hans"):
        label = str(InstrumentFilterSet().form.fields["usage"].label)
    assert label != "Usage" and "用途" in label
