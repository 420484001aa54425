"""Pages never link to records the viewer cannot open (issue #11 item 16): the detail page links a related
record only when the viewer's scope holds it, so nobody follows a link into a 404 (or learns an id from it)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.conftest import web_client_for

from jiliang.core import services
from jiliang.core.audit import audit_context
from jiliang.registry import models as m


@pytest.fixture
def instrument_in_kunshan_owned_from_xuanwu(world):
    """An instrument located in Kunshan whose owner is registered in Xuanwu (Nanjing): both bureaus see it
    (docs/access.md), only the Xuanwu bureau sees the owner."""
    with audit_context(actor=world.admin, channel="command"):
        return services.create_record(m.Instrument, {
            "owner": world.ent_xw, "category": world.scale, "manufacturer": "凯丰衡器", "model": "ACS-15",
            "serial_number": "LINK-1", "accuracy_class": "III", "range_min": Decimal(0), "range_max": Decimal(15),
            "range_unit": "kg", "usage": "trade", "region_id": "320583", "status": "in_service"}, actor=world.admin)


def owner_link(html: str, org) -> bool:
    return f'href="/registry/organisations/{org.pk}/"' in html


@pytest.mark.parametrize(("role", "sees_owner_link"), [
    ("province", True), ("suzhou", False), ("kunshan", False), ("xuanwu", True), ("enterprise", None),
])
def test_related_records_are_linked_only_where_the_viewer_may_open_them(world, instrument_in_kunshan_owned_from_xuanwu,
                                                                         role, sees_owner_link):
    inst = instrument_in_kunshan_owned_from_xuanwu
    client = web_client_for(world.users[role])
    response = client.get(f"/registry/instruments/{inst.pk}/")
    if sees_owner_link is None:  # the instrument itself is outside the viewer's region or organisation
        assert response.status_code == 404
        return
    assert response.status_code == 200
    html = response.content.decode()
    assert world.ent_xw.name in html  # the owner is named ...
    assert owner_link(html, world.ent_xw) is sees_owner_link  # ... but linked only if it can be opened
    if sees_owner_link is False:
        assert client.get(f"/registry/organisations/{world.ent_xw.pk}/").status_code == 404


def test_a_linked_record_opens(world):
    client = web_client_for(world.users["kunshan"])
    html = client.get(f"/registry/instruments/{world.instrument_ks.pk}/").content.decode()
    assert owner_link(html, world.ent_ks)
    assert client.get(f"/registry/organisations/{world.ent_ks.pk}/").status_code == 200
