"""Filing (登记造册、备案, 1987 measures Art. 5; 细则 Art. 11): file → accept with designation → state; return with a
reason → refile; the refusals, each named."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jiliang.core.models import AuditEntry
from jiliang.supervision import filing
from jiliang.supervision.models import FilingEntry, FilingState, InstitutionDesignation, InstrumentState

from .filing_helpers import add_instrument, non_mandatory


@pytest.fixture(autouse=True)
def _english():
    """The messages are read in English here; the pages test both languages."""
    from django.utils import translation

    with translation.override("en"):
        yield


def _state(inst):
    return InstrumentState.objects.get(pk=inst.pk)


def test_file_accept_with_designation_shows_in_state(world):
    w = world
    ent, ks = w.users["enterprise"], w.users["kunshan"]
    second = add_instrument(w, w.ent_ks, "320583", "KS-0002")
    res = filing.file_instruments(w.ent_ks, [w.instrument_ks, second], ent, note="年度登记")
    assert not res.refused and res.filed == 2 and len(res.filings) == 1
    f = res.filings[0]
    assert f.bureau_region_id == "320583" and f.owner == w.ent_ks
    assert _state(w.instrument_ks).filing_state == FilingState.SUBMITTED
    assert AuditEntry.objects.filter(action="file", object_id=str(f.pk)).exists()

    entries = list(f.entries.order_by("id"))
    filing.decide(entries[:1], ks, filing.ACCEPT, institution=w.inst_p)
    s = _state(entries[0].instrument)
    assert s.filing_state == FilingState.ACCEPTED and s.designated_institution == w.inst_p
    assert _state(entries[1].instrument).filing_state == FilingState.SUBMITTED

    # Accepted without its own designation: the owner's designation for the category applies, now and later.
    filing.decide(entries[1:], ks, filing.ACCEPT)
    assert _state(entries[1].instrument).designated_institution is None
    filing.designate(w.ent_ks, w.inst_nj, ks, category=w.scale)
    assert _state(entries[1].instrument).designated_institution == w.inst_nj
    assert _state(entries[0].instrument).designated_institution == w.inst_p  # its own designation stays
    assert InstitutionDesignation.objects.get(owner=w.ent_ks, category=w.scale).institution == w.inst_nj


def test_owner_wide_designation_applies_on_acceptance(world):
    w = world
    filing.designate(w.ent_ks, w.inst_p, w.users["kunshan"])
    res = filing.file_instruments(w.ent_ks, [w.instrument_ks], w.users["enterprise"])
    filing.decide(res.filings[0].entries.all(), w.users["kunshan"], filing.ACCEPT)
    assert _state(w.instrument_ks).designated_institution == w.inst_p


def test_return_with_reason_then_refile_keeps_history(world):
    w = world
    ent, ks = w.users["enterprise"], w.users["kunshan"]
    first = filing.file_instruments(w.ent_ks, [w.instrument_ks], ent).filings[0]
    entry = first.entries.get()
    filing.decide([entry], ks, filing.RETURN, reasons={entry.pk: "出厂编号与铭牌不符"})
    entry.refresh_from_db()
    assert entry.state == FilingState.RETURNED and entry.reason == "出厂编号与铭牌不符"
    assert _state(w.instrument_ks).filing_state == FilingState.RETURNED
    again = filing.file_instruments(w.ent_ks, [w.instrument_ks], ent)
    assert again.filed == 1
    assert list(FilingEntry.objects.filter(instrument=w.instrument_ks).order_by("id")
                .values_list("state", flat=True)) == [FilingState.RETURNED, FilingState.SUBMITTED]
    assert _state(w.instrument_ks).filing_state == FilingState.SUBMITTED


def test_refusals_are_named_and_the_rest_is_filed(world):
    w = world
    nm = non_mandatory(w)
    res = filing.file_instruments(w.ent_ks, [w.instrument_ks, w.instrument_xw, nm, 999999], w.users["enterprise"])
    assert res.filed == 1
    reasons = {r.as_dict()["instrument"]: r.reason for r in res.refused}
    assert "not an instrument of" in reasons[w.instrument_xw.pk]
    assert reasons[nm.pk] == "not under mandatory verification"
    assert reasons[999999] == "no such instrument"
    again = filing.file_instruments(w.ent_ks, [w.instrument_ks], w.users["enterprise"])
    assert again.filed == 0 and again.refused[0].reason == "already filed and awaiting the bureau"
    filing.decide(FilingEntry.objects.filter(instrument=w.instrument_ks), w.users["kunshan"], filing.ACCEPT)
    third = filing.file_instruments(w.ent_ks, [w.instrument_ks], w.users["enterprise"])
    assert third.refused[0].reason == "filing already accepted"


@pytest.mark.parametrize("who", ["enterprise_xw", "kunshan", "province", "institute"])
def test_only_the_owner_files(world, who):
    w = world
    from tests.conftest import _user

    users = dict(w.users)
    users["enterprise_xw"] = _user("ent_xw", "enterprise", "320102", w.ent_xw)
    with pytest.raises(PermissionDenied):
        filing.file_instruments(w.ent_ks, [w.instrument_ks], users[who])


@pytest.mark.parametrize("who", ["xuanwu", "suzhou", "province", "enterprise", "institute"])
def test_decision_outside_the_county_is_refused(world, who):
    w = world
    f = filing.file_instruments(w.ent_ks, [w.instrument_ks], w.users["enterprise"]).filings[0]
    with pytest.raises(PermissionDenied):
        filing.decide(f.entries.all(), w.users[who], filing.ACCEPT)
    assert _state(w.instrument_ks).filing_state == FilingState.SUBMITTED


def test_return_without_reason_names_the_instrument(world):
    w = world
    second = add_instrument(w, w.ent_ks, "320583", "KS-0002")
    f = filing.file_instruments(w.ent_ks, [w.instrument_ks, second], w.users["enterprise"]).filings[0]
    e1, e2 = f.entries.order_by("id")
    with pytest.raises(ValidationError) as err:
        filing.decide([e1, e2], w.users["kunshan"], filing.RETURN, reasons={e1.pk: "铭牌缺失", e2.pk: "  "})
    assert "KS-0002" in str(err.value) and "say why it is returned" in str(err.value)
    assert set(f.entries.values_list("state", flat=True)) == {FilingState.SUBMITTED}


def test_designating_a_non_institution_is_refused(world):
    w = world
    f = filing.file_instruments(w.ent_ks, [w.instrument_ks], w.users["enterprise"]).filings[0]
    for org in (w.ent_xw, w.bureau_ks):
        with pytest.raises(ValidationError) as err:
            filing.decide(f.entries.all(), w.users["kunshan"], filing.ACCEPT, institution=org)
        assert "is not a verification institution" in str(err.value)
        with pytest.raises(ValidationError):
            filing.designate(w.ent_ks, org, w.users["kunshan"], category=w.scale)
    assert not InstitutionDesignation.objects.exists()


def test_decided_entry_is_not_decided_again(world):
    w = world
    f = filing.file_instruments(w.ent_ks, [w.instrument_ks], w.users["enterprise"]).filings[0]
    filing.decide(f.entries.all(), w.users["kunshan"], filing.ACCEPT)
    with pytest.raises(ValidationError) as err:
        filing.decide(f.entries.all(), w.users["kunshan"], filing.RETURN, reasons="x")
    assert "already decided" in str(err.value)
