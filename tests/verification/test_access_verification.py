"""The access matrix of verification: every endpoint and page with every role (tests/test_access_matrix.py style).

Expected visibility is written out by hand: a work order of the Kunshan enterprise addressed to the
provincial institute is seen by the province, Suzhou (the city above Kunshan), Kunshan, the enterprise
and the institute; a Xuanwu enterprise's order to the Nanjing institute only by the province and Xuanwu.
"""

import pytest
from django.urls import reverse
from tests.conftest import ROLES, check_api_read, client_for, web_client_for

from jiliang.registry.models import Instrument
from jiliang.verification import services
from jiliang.verification.models import WorkOrder

VISIBLE = {
    "wo_ks": {"province", "suzhou", "kunshan", "institute", "enterprise"},
    "wo_xw": {"province", "xuanwu"},
    "cert_ks": {"province", "suzhou", "kunshan", "institute", "enterprise"},
    "cal_p": {"province", "institute"},
}
API = {"wo": "api:workorder", "cert": "api:certificate", "cal": "api:standardcalibration"}
PAGE = {"wo": "work-orders", "cert": "certificates", "cal": "standard-calibrations"}
CASES = [(rec, role) for rec in VISIBLE for role in ROLES]


@pytest.fixture
def records(flow):
    w = flow.world
    cert = flow.issued()
    wo_xw = services.request_work(actor=w.users["xuanwu"], owner=w.ent_xw, institute=w.inst_nj, kind="verification",
                                  items=[{"instrument": w.instrument_xw, "regulation": "JJG539-2016"}])
    return {"wo_ks": cert.item.work_order, "wo_xw": wo_xw, "cert_ks": cert, "cal_p": flow.calibration}


@pytest.mark.parametrize(("record", "role"), CASES)
def test_api_read(flow, records, record, role):
    check_api_read(flow.world.users[role], role, API[record.split("_")[0]], records[record].pk,
                   role in VISIBLE[record])


@pytest.mark.parametrize(("record", "role"), CASES)
def test_pages(flow, records, record, role):
    obj = records[record]
    slug = PAGE[record.split("_")[0]]
    client = web_client_for(flow.world.users[role])
    listing = client.get(reverse(f"{slug}-list"))
    detail = client.get(reverse(f"{slug}-detail", args=[obj.pk]))
    export = client.get(reverse(f"{slug}-list"), {"export": "xlsx"})
    if role == "anonymous":
        assert all(r.status_code == 302 for r in (listing, detail, export))
        return
    assert listing.status_code == 200 and export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert (f'href="{reverse(f"{slug}-detail", args=[obj.pk])}"' in listing.content.decode()) == \
        (role in VISIBLE[record])
    assert detail.status_code == (200 if role in VISIBLE[record] else 404)


# role -> expected status of POST /api/work-orders/<wo_ks>/accept/ on a fresh request
ACCEPT = {"province": 403, "suzhou": 403, "kunshan": 403, "xuanwu": 404, "institute": 200, "enterprise": 403}


@pytest.mark.parametrize("role", ROLES)
def test_only_the_institute_takes_institute_steps(flow, role):
    wo = flow.request()
    client = client_for(flow.world.users[role])
    response = client.post(reverse("api:workorder-accept", args=[wo.pk]), {}, format="json")
    wo.refresh_from_db()
    if role == "anonymous":
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == ACCEPT[role], response.content
    assert wo.status == ("accepted" if role == "institute" else "requested")


@pytest.mark.parametrize("role", ROLES)
def test_workflow_button_pages(flow, role):
    wo = flow.request()
    client = web_client_for(flow.world.users[role])
    response = client.post(reverse("work-orders-step", args=[wo.pk, "accept"]))
    wo.refresh_from_db()
    if role == "anonymous":
        assert response.status_code == 302 and "login" in response["Location"]
    elif role == "xuanwu":
        assert response.status_code == 404
    else:
        assert response.status_code == 302
    assert wo.status == ("accepted" if role == "institute" else "requested")


def test_institute_sees_the_instruments_of_its_work_orders(flow):
    inst = flow.institute_user
    assert not Instrument.objects.restrict(inst).filter(pk=flow.world.instrument_ks.pk).exists()
    flow.request()
    assert Instrument.objects.restrict(inst).filter(pk=flow.world.instrument_ks.pk).exists()
    assert not Instrument.objects.restrict(inst).filter(pk=flow.world.instrument_xw.pk).exists()


def test_generic_writes_are_refused(flow, records):
    client = client_for(flow.world.users["province"])
    url = reverse("api:workorder-detail", args=[records["wo_ks"].pk])
    assert client.patch(url, {"status": "issued"}, format="json").status_code == 405
    assert client.delete(url).status_code == 405
    assert WorkOrder.objects.get(pk=records["wo_ks"].pk).status == "issued"


@pytest.mark.parametrize("role", ROLES)
def test_pages_of_the_app(flow, records, role):
    client = web_client_for(flow.world.users[role])
    cert = records["cert_ks"]
    wo = records["wo_ks"]
    queue = client.get(reverse("work-queue"))
    req = client.get(reverse("work-orders-request"))
    instrument = client.get(reverse("instruments-detail", args=[flow.world.instrument_ks.pk]))
    public = client.get(f"/verify/{cert.number}")
    assert public.status_code == 200
    if role == "anonymous":
        assert queue.status_code == 302 and req.status_code == 302
        return
    assert queue.status_code == 200 and req.status_code == 200
    visible = role in VISIBLE["wo_ks"]
    assert instrument.status_code == (200 if visible else 404)
    if visible:
        assert cert.number in instrument.content.decode()  # the instrument's verification history
        assert client.get(reverse("work-orders-detail", args=[wo.pk])).status_code == 200
        assert client.get(reverse("certificates-pdf", args=[cert.pk])).status_code == 200
    else:
        assert client.get(reverse("certificates-pdf", args=[cert.pk])).status_code == 404
