"""Access matrix of /api/supervision/states/ (an instrument's status, next due, latest event, filing state): the
state of an instrument is seen by whom sees the instrument. Written out by hand: the Kunshan scale, verified by the
provincial institute, by the province, Suzhou, Kunshan, the institute and its owner; the Xuanwu scale by the
province and Xuanwu only (and its own enterprise). Anonymous gets 401/403."""

import datetime as dt

import pytest
from django.urls import reverse
from tests.conftest import ROLES, _user, client_for

from jiliang.core.roles import Role

from .display_helpers import reported

pytestmark = pytest.mark.django_db(transaction=False)

ALL_ROLES = [*ROLES, "other_enterprise"]
VISIBLE = {
    "ks": {"province", "suzhou", "kunshan", "institute", "enterprise"},
    "xw": {"province", "xuanwu", "other_enterprise"},
}
CASES = [(rec, role) for rec in VISIBLE for role in ALL_ROLES]


@pytest.fixture
def records(flow):
    w = flow.world
    cert = flow.issued()
    on = flow.today - dt.timedelta(days=20)
    reported(w, w.instrument_xw, on=on, next_due=on + dt.timedelta(days=365))
    w.users["other_enterprise"] = _user("xw-ent", Role.ENTERPRISE, "320102", w.ent_xw)
    return {"ks": w.instrument_ks, "xw": w.instrument_xw, "cert": cert}


@pytest.mark.parametrize(("record", "role"), CASES)
def test_states_api_access(flow, records, record, role):
    user = flow.world.users[role]
    client = client_for(user)
    pk = records[record].pk
    detail = client.get(reverse("api:instrumentstate-detail", args=[pk]))
    listing = client.get(reverse("api:instrumentstate-list"), {"page_size": 1000})
    if role == "anonymous":
        assert detail.status_code in (401, 403) and listing.status_code in (401, 403)
        return
    visible = role in VISIBLE[record]
    assert detail.status_code == (200 if visible else 404)
    assert listing.status_code == 200
    assert (pk in {row["instrument"] for row in listing.json()["results"]}) == visible


def test_state_names_status_next_due_last_event_and_filing(flow, records):
    client = client_for(flow.world.users["kunshan"])
    cert = records["cert"]
    body = client.get(reverse("api:instrumentstate-detail", args=[records["ks"].pk])).json()
    assert body["status"] == "valid" and body["next_due"] == cert.valid_until.isoformat()
    assert body["last_event"]["number"] == cert.number and body["last_event"]["source"] == "certificate"
    assert body["last_event"]["institution_name"] == "江苏省计量科学研究院" and body["last_event"]["result"] == "pass"
    assert body["filing_state"] == "unfiled"
    province = client_for(flow.world.users["province"])
    only = province.get(reverse("api:instrumentstate-list"), {"status": "valid", "region": "320102"}).json()
    assert [r["instrument"] for r in only["results"]] == [records["xw"].pk]
    assert province.get(reverse("api:instrumentstate-list"), {"status": "bogus"}).status_code == 400
