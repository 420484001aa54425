"""/api/livelihood/markets/, stalls/ and market-scales/: the access matrix over the livelihood roles, nested stalls and
scales with their status, the figures, and registering, moving and taking off a scale through the API."""

import pytest
from tests.conftest import check_api_read, client_for

from jiliang.core.audit import audit_context
from jiliang.livelihood import market_services as ms
from jiliang.livelihood.models import MarketScale

from .conftest import ROLES

pytestmark = pytest.mark.django_db
VISIBLE = {"province", "suzhou", "kunshan", "market_ks"}


@pytest.fixture
def scaled(lworld):
    with audit_context(actor=lworld.admin, channel="command"):
        s = ms.register_scale(market=lworld.market_ks, stall=lworld.stalls[0], manufacturer="凯丰衡器",
                              model="ACS-30", serial_number="API-1", actor=lworld.admin)
    lworld.scale = s
    return lworld


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(scaled, role):
    user = scaled.users[role]
    visible = role in VISIBLE
    check_api_read(user, role, "api:livelihood-markets", scaled.market_ks.pk, visible)
    check_api_read(user, role, "api:livelihood-stalls", scaled.stalls[0].pk, visible)
    check_api_read(user, role, "api:livelihood-market-scales", scaled.scale.pk, visible)
    if role == "anonymous":
        return
    client = client_for(user)
    r = client.post("/api/livelihood/market-scales/", {"market": scaled.market_ks.pk, "stall": scaled.stalls[1].pk,
                                                       "manufacturer": "凯丰衡器", "model": "ACS-30",
                                                       "serial_number": f"API-{role}"}, format="json")
    assert r.status_code == (201 if visible else 404), r.content
    r = client.post(f"/api/livelihood/market-scales/{scaled.scale.pk}/move/", {"stall": scaled.stalls[1].pk},
                    format="json")
    assert r.status_code == (200 if visible else 404)


def test_nested_market_and_figures(scaled):
    client = client_for(scaled.users["market_ks"])
    r = client.get(f"/api/livelihood/markets/{scaled.market_ks.pk}/", {"period": "2026"})
    assert r.status_code == 200
    body = r.json()
    assert [s["number"] for s in body["stalls"]] == ["A-01", "A-02"]
    [scale] = body["stalls"][0]["scales"]
    assert scale["id"] == scaled.scale.pk and scale["status"] == "never_verified" and scale["instrument_code"]
    assert body["figures"]["period"] == "2026"
    assert body["figures"]["score"]["version"].startswith("jiliang-market-score")
    assert body["figures"]["verification_rate"]["version"]  # supervision's definition, named
    r = client.get("/api/livelihood/markets/", {"period": "2026"})
    assert r.json()["results"][0]["figures"]["scales"] == 1
    assert client.get("/api/livelihood/markets/", {"period": "20x6"}).status_code == 400


def test_register_twice_and_other_market_stall(scaled):
    client = client_for(scaled.users["market_ks"])
    r = client.post("/api/livelihood/market-scales/", {"market": scaled.market_ks.pk, "stall": scaled.stalls[1].pk,
                                                       "instrument": scaled.scale.pk}, format="json")
    assert r.status_code == 400 and "A-01" in r.content.decode()
    with audit_context(actor=scaled.admin, channel="command"):
        other = ms.create_market(operator=scaled.operator_ks, name="城西", region="320583", actor=scaled.admin)
        far = ms.add_stall(market=other, number="B-01", trader="t", actor=scaled.admin)
    r = client.post("/api/livelihood/market-scales/", {"market": scaled.market_ks.pk, "stall": far.pk,
                                                       "manufacturer": "凯丰衡器", "model": "ACS-30",
                                                       "serial_number": "NEW"}, format="json")
    assert r.status_code == 400 and "B-01" in r.content.decode()
    r = client.post("/api/livelihood/stalls/", {"market": scaled.market_ks.pk, "number": "A-09", "trader": "李"},
                    format="json")
    assert r.status_code == 201
    r = client.delete(f"/api/livelihood/market-scales/{scaled.scale.pk}/")
    assert r.status_code == 204 and not MarketScale.objects.filter(pk=scaled.scale.pk).exists()
