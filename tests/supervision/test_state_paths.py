"""Every path that writes instruments or verifications keeps the supervision state current: a form or API save, an
Excel import (bulk, announced by core.signals.records_written), a certificate issued and revoked, a deletion, the
daily run for instruments that have no state yet."""

import datetime as dt

from django.core.management import call_command
from django.utils import translation
from tests.registry.test_import import HEADERS, row, xlsx

from jiliang.core.tabular import read_table
from jiliang.registry import models as m
from jiliang.registry.importing import InstrumentImporter
from jiliang.supervision import state
from jiliang.supervision.models import InstrumentState, StatusCount, VerificationEvent


def total_counted():
    return sum(StatusCount.objects.values_list("n", flat=True))


def test_saved_and_imported_instruments_get_a_state_and_are_counted(world):
    assert InstrumentState.objects.filter(pk=world.instrument_ks.pk, status="never_verified").exists()
    with translation.override("en"):
        report = InstrumentImporter(world.users["kunshan"]).plan(
            read_table("i.xlsx", xlsx(HEADERS, [row(world, "ST-1"), row(world, "ST-2", usage="other")])))
        InstrumentImporter(world.users["kunshan"]).apply(report, valid_only=True)
    imported = {i.serial_number: i for i in m.Instrument.objects.filter(serial_number__startswith="ST-")}
    states = {s.instrument.serial_number: s for s in InstrumentState.objects.filter(pk__in=[i.pk for i in
                                                                                           imported.values()])}
    assert states["ST-1"].status == "never_verified" and states["ST-1"].key_supervised
    assert states["ST-2"].status == "not_counted"  # a scale not used for trade is not under mandatory verification
    assert total_counted() == InstrumentState.objects.count()


def test_deleting_an_instrument_takes_it_out_of_the_counters(world):
    before = total_counted()
    world.instrument_xw.delete()
    assert total_counted() == before - 1 and not InstrumentState.objects.filter(pk=world.instrument_xw.pk).exists()


def test_the_daily_run_gives_instruments_written_behind_its_back_a_state(world, capsys):
    m.Instrument.objects.bulk_create([m.Instrument(
        owner=world.ent_ks, category=world.scale, manufacturer="M", model="B", serial_number="BULK-1",
        usage="trade", region_id="320583", status="in_service", mandatory=True)])
    assert state.missing()
    call_command("supervision-daily", "--date", "2026-01-05")
    assert not state.missing() and "states of new instruments: 1" in capsys.readouterr().out
    call_command("supervision-daily", "--date", "2026-01-05")
    assert "states of new instruments: 0" in capsys.readouterr().out


def test_the_calendar_moves_valid_to_due_soon_to_overdue_once(world, capsys):
    inst = world.instrument_ks
    VerificationEvent.objects.create(institution=world.inst_p, number="R-1", instrument=inst, source="reported",
                                     kind="periodic", verified_on=dt.date(2025, 1, 10), result="pass",
                                     next_due=dt.date(2026, 1, 9))
    state.refresh([inst.pk], dt.date(2025, 6, 1))
    assert InstrumentState.objects.get(pk=inst.pk).status == "valid"
    assert state.advance_calendar(dt.date(2025, 12, 15)) == 1
    assert InstrumentState.objects.get(pk=inst.pk).status == "due_soon"
    assert state.advance_calendar(dt.date(2025, 12, 15)) == 0  # idempotent
    assert state.advance_calendar(dt.date(2026, 1, 10)) == 1
    s = InstrumentState.objects.get(pk=inst.pk)
    assert s.status == "overdue" and s.next_due == dt.date(2026, 1, 9)
    assert StatusCount.objects.get(region_id="320583", category=world.scale, usage="trade", owner_kind="enterprise",
                                   key_supervised=True, status="overdue").n == 1
    assert not StatusCount.objects.filter(status="due_soon", n__gt=0).exists()
