"""GB/T 2260 regions of Jiangsu as shipped (source: core/data/README.md)."""

import pytest
from django.utils import translation

from jiliang.core.models import Region
from jiliang.core.regions import subtree_codes


@pytest.mark.django_db
def test_province_cities_and_counties_are_all_there():
    current = Region.objects.filter(is_current=True)
    assert current.count() == 109
    assert current.filter(level="province").get().code == "320000"
    assert current.filter(level="prefecture").count() == 13
    county_level = current.filter(level__in=["district", "county-level-city", "county"])
    assert county_level.count() == 95
    assert county_level.filter(level="district").count() == 55
    assert county_level.filter(level="county-level-city").count() == 21
    assert county_level.filter(level="county").count() == 19


@pytest.mark.django_db
def test_tree_and_names_with_their_city():
    kunshan = Region.objects.get(pk="320583")
    assert kunshan.parent_id == "320500" and kunshan.parent.parent_id == "320000"
    # 鼓楼区 exists in Nanjing and in Xuzhou: the display name carries the city, in the reader's language.
    with translation.override("zh-hans"):
        assert str(Region.objects.get(pk="320106")) == "南京市 鼓楼区"
        assert str(Region.objects.get(pk="320302")) == "徐州市 鼓楼区"
    with translation.override("en"):
        assert str(Region.objects.get(pk="320106")) == "Gulou District, Nanjing"
        assert str(Region.objects.get(pk="320500")) == "Suzhou"


@pytest.mark.django_db
def test_subtree_of_a_city_includes_its_counties_and_retired_codes():
    codes = subtree_codes("320600")
    assert "320600" in codes and "320613" in codes and "320685" in codes
    assert "320602" in codes  # retired 崇川区 code, kept so old records stay in Nantong's scope
    assert "320583" not in codes
    assert subtree_codes("320583") == ["320583"]
    assert len(subtree_codes("320000")) == Region.objects.count()


@pytest.mark.django_db
def test_retired_codes_point_at_their_successor():
    haimen = Region.objects.get(pk="320684")
    assert not haimen.is_current and haimen.successor_id == "320614" and haimen.retired_year == 2020


@pytest.mark.django_db
def test_region_code_must_have_six_digits():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        Region(code="32058", name="x", level="county").full_clean()
    assert "code" in exc.value.message_dict
