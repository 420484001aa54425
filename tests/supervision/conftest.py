"""The known history of the dashboard tests (tests/supervision/test_dashboard_pages.py explains its figures)."""

import datetime as dt

import pytest

from jiliang.registry.models import Instrument
from jiliang.supervision import state
from jiliang.supervision.models import VerificationEvent

TODAY = dt.date(2025, 6, 15)


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
