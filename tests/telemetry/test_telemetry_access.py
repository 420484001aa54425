"""The access matrix for telemetry: every new API endpoint and page, every role (tests/test_access_matrix.py
style). Expected visibility is written out by hand: Kunshan's records are seen by the province, Suzhou,
Kunshan and the Kunshan enterprise; Xuanwu's by the province and Xuanwu; the institute sees neither."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from tests.conftest import ROLES, check_api_read, client_for, web_client_for

from jiliang.telemetry.ingest import Group, ingest
from jiliang.telemetry.models import Anomaly, IngestBatch, ReadingConflict
from jiliang.telemetry.parsing import RawReading

T0 = dt.datetime(2026, 11, 23, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
KS = {"province", "suzhou", "kunshan", "enterprise"}
XW = {"province", "xuanwu"}
VISIBLE = {"point_ks": KS, "point_xw": XW, "batch_ks": KS, "batch_xw": XW, "anomaly_ks": KS, "anomaly_xw": XW,
           "conflict_ks": KS, "conflict_xw": XW}
API = {"point": "api:meteringpoint", "batch": "api:ingestbatch", "anomaly": "api:anomaly",
       "conflict": "api:readingconflict"}
PAGE = {"point": "metering-points", "batch": "ingest-batches", "anomaly": "anomalies", "conflict": "reading-conflicts"}
CASES = [(rec, role) for rec in VISIBLE for role in ROLES]


@pytest.fixture
def records(energy):
    out = {"point_ks": energy.e_in_ks, "point_xw": energy.e_in_xw}
    for tag, org, point in (("ks", energy.world.ent_ks, energy.e_in_ks), ("xw", energy.world.ent_xw, energy.e_in_xw)):
        rows = [RawReading("row 1", "E-IN", T0, Decimal(10)), RawReading("row 2", "E-IN", T0 + dt.timedelta(hours=2),
                                                                         Decimal(11))]
        ingest([Group(org, rows)], channel="file")
        [res] = ingest([Group(org, [RawReading("row 1", "E-IN", T0, Decimal(12))])], channel="file")
        out[f"batch_{tag}"] = res.batch
        out[f"anomaly_{tag}"] = Anomaly.objects.get(point=point, kind="gap")
        out[f"conflict_{tag}"] = ReadingConflict.objects.get(point=point)
    return out


@pytest.mark.parametrize(("record", "role"), CASES)
def test_api_read(energy, records, record, role):
    check_api_read(energy.world.users[role], role, API[record.split("_")[0]], records[record].pk,
                   role in VISIBLE[record])


@pytest.mark.parametrize(("record", "role"), CASES)
def test_pages(energy, records, record, role):
    obj = records[record]
    slug = PAGE[record.split("_")[0]]
    client = web_client_for(energy.world.users[role])
    listing = client.get(reverse(f"{slug}-list"))
    detail = client.get(reverse(f"{slug}-detail", args=[obj.pk]))
    if role == "anonymous":
        assert listing.status_code == 302 and detail.status_code == 302
        return
    assert listing.status_code == 200
    href = f'href="{reverse(f"{slug}-detail", args=[obj.pk])}"'
    assert (href in listing.content.decode()) == (role in VISIBLE[record])
    assert detail.status_code == (200 if role in VISIBLE[record] else 404)
    assert client.get(reverse(f"{slug}-list"), {"export": "xlsx"}).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_readings_and_rollups_are_scoped(energy, records, role):
    client = client_for(energy.world.users[role])
    for name in ("api:reading-list", "api:pointrollup-list", "api:enterpriserollup-list"):
        r = client.get(reverse(name), {"page_size": 1000})
        if role == "anonymous":
            assert r.status_code in (401, 403)
            continue
        rows = r.json()["results"]
        key = "enterprise" if name == "api:enterpriserollup-list" else "point"
        seen = {row[key] for row in rows}
        ks = energy.world.ent_ks.pk if key == "enterprise" else energy.e_in_ks.pk
        xw = energy.world.ent_xw.pk if key == "enterprise" else energy.e_in_xw.pk
        assert (ks in seen) == (role in KS), (name, role)
        assert (xw in seen) == (role in XW), (name, role)


@pytest.mark.parametrize("role", ROLES)
def test_point_write(energy, records, role):
    client = client_for(energy.world.users[role])
    for rec in ("point_ks", "point_xw"):
        obj = records[rec]
        r = client.patch(reverse("api:meteringpoint-detail", args=[obj.pk]), {"description": role}, format="json")
        if role == "anonymous":
            assert r.status_code in (401, 403)
        elif role in VISIBLE[rec] and role != "institute":
            assert r.status_code == 200, r.content
        else:
            assert r.status_code in (403, 404)


@pytest.mark.parametrize("role", ROLES)
def test_anomaly_state_change(energy, records, role):
    client = client_for(energy.world.users[role])
    for rec in ("anomaly_ks", "anomaly_xw"):
        obj = records[rec]
        r = client.post(reverse("api:anomaly-move", args=[obj.pk]), {"state": "acknowledged", "note": "seen"},
                        format="json")
        obj.refresh_from_db()
        if role == "anonymous":
            assert r.status_code in (401, 403)
        elif role in VISIBLE[rec]:
            assert r.status_code == 200, r.content
            assert obj.state == "acknowledged" and obj.owner == energy.world.users[role]
        else:  # the institute's role never changes anomalies (403); others do not see this one (404)
            assert r.status_code == (403 if role == "institute" else 404) and obj.state == "open"


@pytest.mark.parametrize("role", ROLES)
def test_energy_pages(energy, records, role):
    client = web_client_for(energy.world.users[role])
    dash = client.get(reverse("energy-dashboard"))
    ks = client.get(reverse("energy-enterprise", args=[energy.world.ent_ks.pk]))
    if role == "anonymous":
        assert dash.status_code == 302 and ks.status_code == 302
        return
    assert dash.status_code == 200
    assert (energy.world.ent_ks.name in dash.content.decode()) == (role in KS)
    assert ks.status_code == (200 if role in KS else 404)


def test_batches_are_never_edited_by_hand(energy, records):
    client = client_for(energy.world.users["province"])
    r = client.patch(reverse("api:ingestbatch-detail", args=[records["batch_ks"].pk]), {"accepted": 0}, format="json")
    assert r.status_code in (403, 405)  # nobody's role writes batches; the viewset has no write methods
    assert IngestBatch.objects.get(pk=records["batch_ks"].pk).duplicate == 0  # unchanged
