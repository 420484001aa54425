"""The provincial administrator's supervision settings: changing the key supervised set moves the instruments'
key_supervised flag and the counters at once (the key-supervised switch of the dashboard follows)."""

import pytest
from django.urls import reverse
from tests.conftest import web_client_for
from tests.supervision.test_dashboard_pages import _doc, _rates

from jiliang.supervision.models import InstrumentState, StatusCount, SupervisionSettings


def _post(user, **data):
    return web_client_for(user).post(reverse("supervision-settings"), {"lead_days": 30, **data})


def test_key_set_change_refreshes_flags_and_counters(history):
    province = history.users["province"]
    # by default every mandatory usage is key supervised: the key switch changes nothing
    assert _rates(_doc(province, period="2021", key="1"), "regions", "total")[0] == "50.0 %"
    response = _post(province, key_usages=["safety"])
    assert response.status_code == 302
    assert SupervisionSettings.current().key_usages == ["safety"]
    assert not InstrumentState.objects.filter(key_supervised=True).exists()  # all of them are trade scales
    assert not StatusCount.objects.filter(key_supervised=True, n__gt=0).exists()
    assert _rates(_doc(province, period="2021", key="1"), "regions", "total")[0] == "—"
    assert _rates(_doc(province, period="2021"), "regions", "total")[0] == "50.0 %"  # the whole set is unchanged
    _post(province, key_usages=["trade"])
    assert _rates(_doc(province, period="2021", key="1"), "regions", "total")[0] == "50.0 %"


def test_bad_settings_are_refused_with_the_field(history):
    response = _post(history.users["province"], lead_days=0)
    assert response.status_code == 200 and "lead_days" in response.content.decode()
    assert SupervisionSettings.current().lead_days == 30


@pytest.mark.parametrize("role", ["suzhou", "kunshan", "institute", "enterprise"])
def test_only_the_province_changes_settings(history, role):
    assert _post(history.users[role], key_usages=["safety"]).status_code == 403
    assert SupervisionSettings.current().key_usages != ["safety"]
