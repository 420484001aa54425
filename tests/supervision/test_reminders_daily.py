"""Due-soon and overdue reminders of the daily run (supervision/reminders.py): sent once per instrument and due
date, grouped per owner, in the app (verification.Notification) and by e-mail; the county bureau is told of
overdue instruments."""

import datetime as dt

from django.core import mail
from django.db import transaction

from jiliang.registry.models import Instrument
from jiliang.supervision import daily, state
from jiliang.supervision.models import InstrumentState, Reminder, SupervisionSettings, VerificationEvent
from jiliang.verification.models import Notification

DUE = dt.date(2025, 7, 10)


def _verified(world, inst, n, next_due=DUE, today=dt.date(2025, 6, 1)):
    VerificationEvent.objects.create(institution=world.inst_p, number=f"R-{n}", instrument=inst, source="reported",
                                     kind="periodic", verified_on=next_due - dt.timedelta(days=365), result="pass",
                                     next_due=next_due)
    state.refresh([inst.pk], today)


def _second(world):
    return Instrument.objects.create(owner=world.ent_ks, category=world.scale, manufacturer="M", model="P",
                                     serial_number="KS-0002", usage="trade", region_id="320583",
                                     status="in_service", mandatory=True)


def _run(day, captured):
    with captured():
        daily.run(day)


def test_due_soon_once_per_instrument_grouped_per_owner_by_mail(world, settings, django_capture_on_commit_callbacks):
    settings.LANGUAGE_CODE = "en"
    world.ent_ks.contact_email = "owner@ks.example"
    world.ent_ks.save()
    second = _second(world)
    _verified(world, world.instrument_ks, 1)
    _verified(world, second, 2)
    assert InstrumentState.objects.get(pk=world.instrument_ks.pk).next_due == DUE
    SupervisionSettings.objects.filter(pk=1).update(lead_days=30)
    mail.outbox.clear()

    progress = []
    with django_capture_on_commit_callbacks(execute=True):
        out = daily.run(dt.date(2025, 6, 5), lambda *a: progress.append(a))  # 35 days before: not yet
    assert out["due-soon reminders"] == 0 and not Reminder.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        out = daily.run(dt.date(2025, 6, 15), lambda *a: progress.append(a))
    assert out["due-soon reminders"] == 2
    assert Reminder.objects.filter(kind="due_soon", due=DUE).count() == 2
    assert len(mail.outbox) == 1  # one message for both instruments
    msg = mail.outbox[0]
    assert msg.to == ["owner@ks.example"] and "2 instrument(s)" in msg.subject
    assert "KS-0001" in msg.body and "KS-0002" in msg.body and "2025-07-10" in msg.body
    note = Notification.objects.get(organisation=world.ent_ks)
    assert note.emailed_to == "owner@ks.example" and "KS-0002" in note.message
    assert any(p[0] == "due-soon reminders" for p in progress)

    with django_capture_on_commit_callbacks(execute=True):
        again = daily.run(dt.date(2025, 6, 16))
    assert again["due-soon reminders"] == 0
    assert len(mail.outbox) == 1 and Notification.objects.filter(organisation=world.ent_ks).count() == 1


def test_overdue_tells_owner_and_county_bureau_once(world, settings, django_capture_on_commit_callbacks):
    settings.LANGUAGE_CODE = "en"
    world.ent_ks.contact_email = "owner@ks.example"
    world.ent_ks.save()
    world.bureau_ks.contact_email = "jl@ks-amr.example"
    world.bureau_ks.save()
    _verified(world, world.instrument_ks, 1)
    _verified(world, world.instrument_xw, 2)  # another county, another owner
    mail.outbox.clear()
    for day in (dt.date(2025, 7, 11), dt.date(2025, 7, 12)):
        with django_capture_on_commit_callbacks(execute=True):
            daily.run(day)
    assert Reminder.objects.filter(kind="overdue").count() == 2
    to = sorted(addr for m in mail.outbox for addr in m.to)
    assert to == ["jl@ks-amr.example", "owner@ks.example"]  # ent_xw and bureau_xw have no address
    assert all("overdue" in m.subject for m in mail.outbox)
    assert Notification.objects.filter(organisation=world.bureau_ks).count() == 1
    assert Notification.objects.filter(organisation=world.bureau_xw).count() == 1
    assert Notification.objects.filter(organisation=world.ent_xw).count() == 1
    assert "XW-0001" not in Notification.objects.get(organisation=world.bureau_ks).message


def test_chinese_message_in_the_site_language(world, django_capture_on_commit_callbacks):
    _verified(world, world.instrument_ks, 1)
    with django_capture_on_commit_callbacks(execute=True):
        daily.run(dt.date(2025, 6, 20))
    note = Notification.objects.get(organisation=world.ent_ks)
    assert "即将到期" in note.message, note.message


def test_a_rolled_back_run_sends_nothing_and_the_next_one_does(world, django_capture_on_commit_callbacks):
    _verified(world, world.instrument_ks, 1)
    mail.outbox.clear()
    try:
        with transaction.atomic():
            daily.run(dt.date(2025, 6, 20))
            raise RuntimeError
    except RuntimeError:
        pass
    assert not Reminder.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        daily.run(dt.date(2025, 6, 20))
    assert Reminder.objects.count() == 1
