"""The filing API (/api/supervision/filings, filing-entries, designations): the flow, bad input and the access
matrix of every endpoint for every role."""

from __future__ import annotations

import pytest
from django.urls import reverse
from tests.conftest import check_api_read, client_for

from jiliang.supervision.models import FilingEntry, FilingState, InstitutionDesignation, InstrumentState

from .filing_helpers import ROLES, add_instrument, filed_world, non_mandatory, with_other_enterprise

VISIBLE = {  # written out by hand: Kunshan lies in Suzhou; Xuanwu in Nanjing
    "filing_ks": {"province", "suzhou", "kunshan", "enterprise"},
    "filing_xw": {"province", "xuanwu", "enterprise_xw"},
    "entry_ks": {"province", "suzhou", "kunshan", "enterprise"},
    "entry_xw": {"province", "xuanwu", "enterprise_xw"},
    "designation_xw": {"province", "xuanwu", "enterprise_xw"},
}
API = {"filing": "api:filing", "entry": "api:filingentry", "designation": "api:institutiondesignation"}


@pytest.fixture
def fw(world):
    return filed_world(world)


@pytest.mark.parametrize(("record", "role"), [(r, role) for r in VISIBLE for role in ROLES])
def test_api_read(fw, record, role):
    check_api_read(fw.users[role], role, API[record.split("_")[0]], getattr(fw, record).pk, role in VISIBLE[record])


# Who may decide on the pending Kunshan entry: only the Kunshan county bureau; those who cannot see it get 404.
DECIDE = {"province": 403, "suzhou": 403, "kunshan": 200, "xuanwu": 404, "institute": 404, "enterprise": 403,
          "enterprise_xw": 404, "anonymous": 401}


@pytest.mark.parametrize("role", ROLES)
def test_decide_matrix(fw, role):
    r = client_for(fw.users[role]).post(reverse("api:filingentry-decide-one", args=[fw.entry_ks.pk]),
                                        {"decision": "accept", "designated_institution": fw.inst_p.pk}, format="json")
    assert r.status_code in ((DECIDE[role],) if role != "anonymous" else (401, 403))
    fw.entry_ks.refresh_from_db()
    assert (fw.entry_ks.state == FilingState.ACCEPTED) == (role == "kunshan")


# Who may file the Kunshan enterprise's instrument: only its own staff; others do not see the owner (404) or may
# not act for it (403).
FILE = {"province": 403, "suzhou": 403, "kunshan": 403, "xuanwu": 404, "institute": 404, "enterprise": 201,
        "enterprise_xw": 404, "anonymous": 401}


@pytest.mark.parametrize("role", ROLES)
def test_file_matrix(world, role):
    w = with_other_enterprise(world)
    r = client_for(w.users[role]).post(reverse("api:filing-list"), {"owner": w.ent_ks.pk,
                                                                     "instruments": [w.instrument_ks.pk]},
                                       format="json")
    assert r.status_code in ((FILE[role],) if role != "anonymous" else (401, 403))
    assert FilingEntry.objects.filter(instrument=w.instrument_ks).exists() == (role == "enterprise")


DESIGNATE = {"province": 403, "suzhou": 403, "kunshan": 201, "xuanwu": 404, "institute": 404, "enterprise": 403,
             "enterprise_xw": 404, "anonymous": 401}


@pytest.mark.parametrize("role", ROLES)
def test_designate_matrix(world, role):
    w = with_other_enterprise(world)
    r = client_for(w.users[role]).post(reverse("api:institutiondesignation-list"),
                                       {"owner": w.ent_ks.pk, "institution": w.inst_p.pk, "category": w.scale.pk},
                                       format="json")
    assert r.status_code in ((DESIGNATE[role],) if role != "anonymous" else (401, 403))
    assert InstitutionDesignation.objects.filter(owner=w.ent_ks).exists() == (role == "kunshan")


def test_flow_over_the_api(world):
    w = world
    second = add_instrument(w, w.ent_ks, "320583", "KS-0002")
    nm = non_mandatory(w)
    ent, ks = client_for(w.users["enterprise"]), client_for(w.users["kunshan"])
    r = ent.post(reverse("api:filing-list"), {"instruments": [w.instrument_ks.pk, second.pk, nm.pk, w.instrument_xw.pk],
                                              "note": "2026年度"}, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert len(body["filings"]) == 1 and len(body["filings"][0]["entries"]) == 2
    refused = {x["instrument"]: x["reason"] for x in body["refused"]}
    assert refused[nm.pk] == "不属于强制检定" and w.instrument_xw.pk in refused  # the site's language
    e1, e2 = sorted(e["id"] for e in body["filings"][0]["entries"])

    queue = ks.get(reverse("api:filingentry-list"), {"state": "submitted"}).json()
    assert {e["id"] for e in queue["results"]} == {e1, e2}

    # A return needs a reason per entry; a non-institution cannot be designated.
    r = ks.post(reverse("api:filingentry-decide"), {"entries": [e1, e2], "decision": "return",
                                                         "reasons": {str(e1): "铭牌缺失"}}, format="json")
    assert r.status_code == 400 and "KS-0002" in str(r.json())
    r = ks.post(reverse("api:filingentry-decide"), {"entries": [e1], "decision": "accept",
                                                         "designated_institution": w.ent_xw.pk}, format="json")
    assert r.status_code == 400 and "designated_institution" in r.json()

    r = ks.post(reverse("api:filingentry-decide"), {"entries": [e1], "decision": "accept",
                                                         "designated_institution": w.inst_p.pk}, format="json")
    assert r.status_code == 200 and r.json()[0]["state"] == "accepted"
    r = ks.post(reverse("api:filingentry-decide-one", args=[e2]), {"decision": "return", "reason": "编号不符"},
                format="json")
    assert r.status_code == 200 and r.json()[0]["reason"] == "编号不符"
    s1 = InstrumentState.objects.get(pk=w.instrument_ks.pk)
    assert s1.filing_state == FilingState.ACCEPTED and s1.designated_institution == w.inst_p
    assert InstrumentState.objects.get(pk=second.pk).filing_state == FilingState.RETURNED

    r = ent.post(reverse("api:filing-list"), {"instruments": [second.pk]}, format="json")
    assert r.status_code == 201
    history = ent.get(reverse("api:filingentry-list"), {"instrument_id": second.pk}).json()["results"]
    assert sorted(e["state"] for e in history) == ["returned", "submitted"]


def test_nothing_filed_is_a_400_naming_each(world):
    w = world
    nm = non_mandatory(w)
    r = client_for(w.users["enterprise"]).post(reverse("api:filing-list"), {"instruments": [nm.pk]}, format="json")
    assert r.status_code == 400
    assert r.json()["refused"] == [{"instrument": nm.pk, "label": str(nm), "reason": "不属于强制检定"}]


def test_deciding_an_entry_outside_scope_in_bulk_is_404(world):
    w = filed_world(world)
    r = client_for(w.users["kunshan"]).post(reverse("api:filingentry-decide"),
                                            {"entries": [w.entry_ks.pk, w.entry_xw.pk], "decision": "accept"},
                                            format="json")
    assert r.status_code == 404
    w.entry_ks.refresh_from_db()
    assert w.entry_ks.state == FilingState.SUBMITTED
