"""Reported verification records that name the instrument by its code (issue #14, item 1): found by the code as
printed, cross-checked against owner, maker, model and serial where those are given too, and a clear answer for
an unknown or misread code."""

import pytest

from jiliang.registry import codes
from jiliang.supervision.models import VerificationEvent

from .records_helpers import record
from .test_records_service import _english, report  # noqa: F401 (English messages for every test of this module)

pytestmark = pytest.mark.django_db


def test_a_record_naming_the_instrument_by_its_code_is_stored_against_it(world):
    code = world.instrument_ks.instrument_code
    [r] = report(world, [record(world, instrument=None, instrument_code=codes.group(code).lower())])
    assert r.status == "created", r.errors
    assert VerificationEvent.objects.get(pk=r.event).instrument_id == world.instrument_ks.pk
    # The same record again, now by maker, model and serial: the same event, unchanged.
    [again] = report(world, [record(world, instrument=None, owner_uscc=world.ent_ks.uscc, manufacturer="凯丰衡器",
                                    model="ACS-15", serial_number="KS-0001")])
    assert again.status == "unchanged" and again.event == r.event


def test_code_and_identity_given_together_must_name_the_same_instrument(world):
    code = world.instrument_ks.instrument_code
    [ok] = report(world, [record(world, number="A", instrument=None, instrument_code=code,
                                 owner_uscc=world.ent_ks.uscc.lower(), serial_number="KS-0001")])
    assert ok.status == "created", ok.errors
    [r] = report(world, [record(world, number="B", instrument=None, instrument_code=code, serial_number="XW-0001",
                                owner_uscc=world.ent_xw.uscc)])
    assert r.status == "error"
    [problem] = r.errors
    assert problem.field == "owner_uscc, serial_number" and code in problem.message


def test_unknown_and_misread_codes_are_named(world):
    code = world.instrument_ks.instrument_code
    wrong = code[:-1] + codes.ALPHABET[(codes.ALPHABET.index(code[-1]) + 1) % 31]
    unknown, misread = report(world, [record(world, number="U", instrument=None, instrument_code="MAKER-404"),
                                      record(world, number="M", instrument=None, instrument_code=wrong)])
    assert [(p.field, p.message) for p in unknown.errors] == [
        ("instrument_code", "no registered instrument has the code MAKER-404")]
    assert [p.field for p in misread.errors] == ["instrument_code"] and "misread" in misread.errors[0].message
    assert not VerificationEvent.objects.filter(number__in=["U", "M"]).exists()


def test_a_code_outside_the_reporters_region_is_refused_like_an_identity(world):
    [r] = report(world, [record(world, instrument=None, instrument_code=world.instrument_xw.instrument_code)],
                 role="kunshan")
    problems = {p.field: p.message for p in r.errors}
    assert r.status == "error" and problems["instrument"] == "the instrument lies outside your region"
