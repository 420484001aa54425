"""The verification fixtures (a work order driven to issue) for tests of events from certificates, and supervision records for the notice, finding, reminder and late-request tests: one of each in Kunshan (the
Kunshan enterprise's instrument) and in Xuanwu (the Xuanwu enterprise's), and a second enterprise user (Xuanwu's); the known history of the dashboard tests (test_dashboard_pages.py
explains its figures)."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone
from tests.conftest import _user
from tests.supervision.campaign_fixtures import cworld  # noqa: F401
from tests.verification.fixtures import flow  # noqa: F401

from jiliang.core.roles import Role
from jiliang.registry.models import Instrument
from jiliang.supervision import notices, state
from jiliang.supervision.models import Reminder, SupervisionSettings, VerificationEvent
from jiliang.verification.models import WorkOrder

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
TODAY = dt.date(2025, 6, 15)
ROLES8 = ["province", "suzhou", "kunshan", "xuanwu", "institute", "enterprise", "other_enterprise", "anonymous"]


def overdue(world, inst, n):
    """``inst`` verified once, valid until 2025-07-10: overdue today."""
    VerificationEvent.objects.create(institution=world.inst_p, number=f"OLD-{n}", instrument=inst, source="reported",
                                     kind="periodic", verified_on=dt.date(2024, 7, 11), result="pass",
                                     next_due=dt.date(2025, 7, 10))
    state.refresh([inst.pk])


def work_order(world, number, owner, institute, received, result, location="laboratory"):
    tz = timezone.get_current_timezone()
    return WorkOrder.objects.create(
        number=number, owner=owner, institute=institute, kind="verification", location=location, status="issued",
        requested_at=dt.datetime.combine(received, dt.time(9), tz),
        accepted_at=dt.datetime.combine(received, dt.time(10), tz),
        issued_at=dt.datetime.combine(result, dt.time(16), tz))


@pytest.fixture
def sup(world):
    w = world
    w.users["other_enterprise"] = _user("ent_xw", Role.ENTERPRISE, "320102", w.ent_xw)
    overdue(w, w.instrument_ks, 1)
    overdue(w, w.instrument_xw, 2)
    deadline = timezone.localdate() + dt.timedelta(days=30)
    notice_ks = notices.issue_notice(actor=w.users["kunshan"], owner=w.ent_ks, instruments=[w.instrument_ks],
                                     deadline=deadline)
    notice_xw = notices.issue_notice(actor=w.users["xuanwu"], owner=w.ent_xw, instruments=[w.instrument_xw],
                                     deadline=deadline)
    today = timezone.localdate()
    finding_ks = notices.record_finding(actor=w.users["kunshan"], instrument=w.instrument_ks, found_on=today,
                                       kind="overdue", measure="停止使用", photos=[PNG], notice=notice_ks)
    finding_xw = notices.record_finding(actor=w.users["xuanwu"], instrument=w.instrument_xw, found_on=today,
                                        kind="overdue", photos=[JPEG])
    reminder_ks = Reminder.objects.create(instrument=w.instrument_ks, kind="overdue", due=dt.date(2025, 7, 10))
    reminder_xw = Reminder.objects.create(instrument=w.instrument_xw, kind="overdue", due=dt.date(2025, 7, 10))
    SupervisionSettings.objects.update_or_create(pk=1, defaults={"laboratory_working_days": 7,
                                                                 "on_site_working_days": 10})
    # received Friday 2025-01-24, result Tuesday 2025-02-11: 8 working days across Spring Festival (limit 7)
    wo_ks = work_order(w, "WO-KS-LATE", w.ent_ks, w.inst_p, dt.date(2025, 1, 24), dt.date(2025, 2, 11))
    wo_ks_ok = work_order(w, "WO-KS-OK", w.ent_ks, w.inst_p, dt.date(2025, 1, 24), dt.date(2025, 2, 10))
    wo_xw = work_order(w, "WO-XW-LATE", w.ent_xw, w.inst_nj, dt.date(2025, 3, 3), dt.date(2025, 3, 20), "on_site")
    return SimpleNamespace(world=w, notice_ks=notice_ks, notice_xw=notice_xw, finding_ks=finding_ks,
                           finding_xw=finding_xw, reminder_ks=reminder_ks, reminder_xw=reminder_xw, wo_ks=wo_ks,
                           wo_ks_ok=wo_ks_ok, wo_xw=wo_xw)


@pytest.fixture
def history(world):
    def make(owner, region, serial, installed, events):
        inst = Instrument.objects.create(owner=owner, category=world.scale, manufacturer="M", model="P",
                                         serial_number=serial, usage="trade", region_id=region,
                                         status="in_service", mandatory=True, installation_date=installed)
        for n, (on, ok, valid) in enumerate(events):
            VerificationEvent.objects.create(institution=world.inst_p, number=f"{serial}-{n}", instrument=inst,
                                             source="reported", kind="periodic", verified_on=on,
                                             result="pass" if ok else "fail", next_due=valid)
        return inst

    d = dt.date
    world.k = [
        make(world.ent_ks, "320583", "K1", d(2021, 3, 1), [(d(2021, 2, 20), True, d(2022, 2, 19))]),
        make(world.ent_ks, "320583", "K2", d(2021, 3, 1), [(d(2021, 3, 10), True, d(2022, 3, 9))]),
        make(world.ent_ks, "320583", "K3", d(2021, 3, 1), []),
        make(world.ent_ks, "320583", "K4", d(2021, 2, 25) + dt.timedelta(4), [(d(2021, 2, 25), False, None)]),
    ]
    world.x1 = make(world.ent_xw, "320102", "X1", d(2021, 5, 1), [(d(2021, 4, 20), True, d(2021, 10, 31))])
    state.refresh([i.pk for i in Instrument.objects.all()], TODAY)
    return world
