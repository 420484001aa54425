"""HTTP ingest: formats, per-row results, every bad input named in issue #5, dedupe and conflicts."""

from __future__ import annotations

import datetime as dt
import gzip
import json

import pytest
from django.urls import reverse
from tests.conftest import client_for

from jiliang.core.models import AuditEntry
from jiliang.telemetry.models import Anomaly, IngestBatch, PointState, Reading, ReadingConflict

T0 = dt.datetime(2026, 11, 23, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # a Monday, local midnight

URL = "/api/telemetry/readings"


def iso(t: dt.datetime) -> str:
    return t.isoformat()


def post(client, body, content_type="application/json", **extra):
    if not isinstance(body, (bytes, str)):
        body = json.dumps(body)
    return client.generic("POST", URL, body, content_type=content_type, **extra)


def test_url_name():
    assert reverse("api:telemetry-readings") == URL


def test_json_array_accepted(energy):
    client = client_for(energy.user_ks)
    rows = [{"point": "E-IN", "ts": iso(T0 + dt.timedelta(minutes=15 * i)), "value": 1000 + i * 0.5}
            for i in range(4)]
    r = post(client, rows)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["counts"] == {"accepted": 4, "duplicate": 0, "conflict": 0, "rejected": 0}
    assert [x["status"] for x in body["results"]] == ["accepted"] * 4
    assert [x["position"] for x in body["results"]] == ["item 1", "item 2", "item 3", "item 4"]
    assert Reading.objects.filter(point=energy.e_in_ks).count() == 4
    batch = IngestBatch.objects.get(pk=body["batch"])
    assert batch.sender == energy.user_ks and batch.enterprise == energy.world.ent_ks and batch.channel == "http"
    # one audit entry per batch, filed under the enterprise
    entries = AuditEntry.objects.filter(object_type="telemetry.ingestbatch", object_id=str(batch.pk))
    assert entries.count() == 1
    assert entries.get().organisation_id == energy.world.ent_ks.pk and entries.get().channel == "api"
    state = PointState.objects.get(point=energy.e_in_ks)
    assert state.last_ts == T0 + dt.timedelta(minutes=45)


def test_ndjson_csv_and_gzip(energy):
    client = client_for(energy.user_ks)
    nd = "\n".join(json.dumps({"point": "E-IN", "ts": iso(T0 + dt.timedelta(minutes=15 * i)), "value": 10 + i})
                   for i in range(3))
    r = post(client, nd, content_type="application/x-ndjson")
    assert r.json()["counts"]["accepted"] == 3
    assert [x["position"] for x in r.json()["results"]] == ["line 1", "line 2", "line 3"]
    csv_body = "point,ts,value\n" + "".join(f"W-IN,{iso(T0 + dt.timedelta(minutes=15 * i))},{5 + i}.25\n"
                                            for i in range(3))
    r = post(client, csv_body, content_type="text/csv")
    assert r.json()["counts"]["accepted"] == 3, r.json()
    assert r.json()["results"][0]["position"] == "row 2"
    gz = gzip.compress(json.dumps([{"point": "E-IN", "ts": iso(T0 + dt.timedelta(hours=2)), "value": 20}]).encode())
    r = post(client, gz, content_type="application/json")
    assert r.json()["counts"]["accepted"] == 1
    assert Reading.objects.count() == 7


def test_bad_rows_are_rejected_with_reason_and_the_rest_kept(energy):
    client = client_for(energy.user_ks)
    rows = [
        {"point": "E-IN", "ts": iso(T0), "value": 1},
        "not an object",
        {"point": "E-IN", "ts": iso(T0 + dt.timedelta(minutes=15)), "value": "12.5"},  # string for a number
        {"point": "NOPE", "ts": iso(T0), "value": 1},
        {"point": "E-IN", "ts": "yesterday", "value": 1},
        {"point": "E-IN", "ts": "2026-11-23T08:00:00", "value": 1},  # no offset
        {"point": "E-IN", "ts": iso(T0 + dt.timedelta(minutes=30)), "value": None},
        {"point": "E-IN", "ts": iso(T0 + dt.timedelta(minutes=30)), "value": True},
        {"point": "E-IN", "ts": iso(T0 + dt.timedelta(minutes=30)), "value": -4},
        {"point": "E-IN", "ts": iso(T0 + dt.timedelta(minutes=30)), "value": 1e300},
        {"point": "E-IN", "ts": iso(T0 + dt.timedelta(minutes=30)), "value": 1000001},  # ≥ register capacity
        {"point": "E-IN", "ts": iso(dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)), "value": 3},  # future
        {"point": "E-IN", "ts": iso(T0 + dt.timedelta(minutes=45)), "value": 2},
    ]
    r = post(client, rows)
    assert r.status_code == 200
    results = r.json()["results"]
    by_pos = {x["position"]: x for x in results}
    assert by_pos["item 1"]["status"] == "accepted" and by_pos["item 13"]["status"] == "accepted"
    expected = {2: "not_object", 3: "value_type", 4: "unknown_point", 5: "ts_format", 6: "ts_timezone",
                7: "value_type", 8: "value_type", 9: "value_range", 10: "value_range", 11: "value_range",
                12: "future"}
    for n, reason in expected.items():
        assert by_pos[f"item {n}"]["status"] == "rejected" and by_pos[f"item {n}"]["reason"] == reason, by_pos[f"item {n}"]
        assert by_pos[f"item {n}"]["detail"]
    assert r.json()["counts"] == {"accepted": 2, "duplicate": 0, "conflict": 0, "rejected": 11}
    batch = IngestBatch.objects.get(pk=r.json()["batch"])
    assert batch.rejected == 11 and len(batch.rejections) == 11
    assert {x["position"] for x in batch.rejections} == {f"item {n}" for n in expected}
    assert Anomaly.objects.filter(point=energy.e_in_ks, kind="future").exists()


def test_another_enterprises_point_is_rejected(energy):
    """Xuanwu's enterprise sends for Kunshan's water point: its code does not exist for the sender."""
    r = post(client_for(energy.user_xw), [{"point": "W-IN", "ts": iso(T0), "value": 1},
                                          {"point": "E-IN", "ts": iso(T0), "value": 7}])
    results = r.json()["results"]
    assert results[0]["status"] == "rejected" and results[0]["reason"] == "unknown_point"
    assert results[1]["status"] == "accepted"
    # E-IN resolved within the sender's enterprise: the Xuanwu point got it, not Kunshan's
    assert Reading.objects.get().point == energy.e_in_xw
    assert not Reading.objects.filter(point=energy.w_in_ks).exists()


@pytest.mark.parametrize("role", ["province", "suzhou", "institute"])
def test_only_enterprise_accounts_send(energy, role):
    r = post(client_for(energy.world.users[role]), [{"point": "E-IN", "ts": iso(T0), "value": 1}])
    assert r.status_code == 403


def test_anonymous_refused(energy):
    r = post(client_for(None), [{"point": "E-IN", "ts": iso(T0), "value": 1}])
    assert r.status_code in (401, 403)


def test_whole_body_errors(energy):
    client = client_for(energy.user_ks)
    r = post(client, "{not json", content_type="application/json")
    assert r.status_code == 200  # NDJSON sniffed: one bad line
    assert r.json()["results"][0]["reason"] == "json"
    r = post(client, "[1, 2", content_type="application/json")
    assert r.status_code == 400 and r.json()["reason"] == "json"
    r = post(client, json.dumps({"a": [1]}).encode(), content_type="text/csv")
    assert r.status_code == 400 and r.json()["reason"] == "csv"
    r = post(client, b"\x1f\x8b\x08\x00garbage", content_type="application/json")
    assert r.status_code == 400 and r.json()["reason"] == "gzip"


def test_100_mb_body_is_413(energy, settings):
    settings.JILIANG_TELEMETRY_MAX_BODY_BYTES = 50 * 1024 * 1024
    client = client_for(energy.user_ks)
    body = b"[" + b" " * (100 * 1024 * 1024) + b"]"
    r = post(client, body)
    assert r.status_code == 413
    assert r.json()["reason"] == "too_large" and r.json()["detail"]
    assert r.json()["limit_bytes"] == 50 * 1024 * 1024
    assert not IngestBatch.objects.exists()


def test_gzip_bomb_is_413(energy, settings):
    settings.JILIANG_TELEMETRY_MAX_BODY_BYTES = 1024 * 1024
    bomb = gzip.compress(b"[" + b" " * (20 * 1024 * 1024) + b"]")
    assert len(bomb) < 1024 * 1024
    r = post(client_for(energy.user_ks), bomb)
    assert r.status_code == 413


def test_a_multi_member_gzip_body_is_read_whole(energy):
    client = client_for(energy.user_ks)
    members = [gzip.compress("".join(json.dumps({"point": "E-IN", "ts": iso(T0 + dt.timedelta(minutes=15 * i)),
                                                 "value": 10 + i}) + "\n" for i in range(k, k + 2)).encode())
               for k in (0, 2, 4)]
    r = post(client, b"".join(members), content_type="application/x-ndjson")
    assert r.status_code == 200, r.json()
    assert r.json()["counts"]["accepted"] == 6
    assert Reading.objects.count() == 6


def test_a_multi_member_gzip_body_is_capped_in_total_and_trailing_bytes_are_refused(energy, settings):
    settings.JILIANG_TELEMETRY_MAX_BODY_BYTES = 1024 * 1024
    client = client_for(energy.user_ks)
    # Each member alone inflates to 0.6 MB, under the limit; together they pass it.
    member = gzip.compress(b" " * 600_000)
    r = post(client, member + member, content_type="application/x-ndjson")
    assert r.status_code == 413 and r.json()["reason"] == "too_large"
    good = gzip.compress(json.dumps([{"point": "E-IN", "ts": iso(T0), "value": 1}]).encode())
    r = post(client, good + b"not gzip", content_type="application/json")
    assert r.status_code == 400 and r.json()["reason"] == "gzip" and "after gzip member 1" in r.json()["detail"]
    r = post(client, good + good[:20], content_type="application/json")
    assert r.status_code == 400 and "truncated" in r.json()["detail"]
    assert not Reading.objects.exists()


def test_duplicates_and_conflicts(energy):
    client = client_for(energy.user_ks)
    first = [{"point": "E-IN", "ts": iso(T0 + dt.timedelta(minutes=15 * i)), "value": 100 + i} for i in range(4)]
    assert post(client, first).json()["counts"]["accepted"] == 4
    again = [*first[:2], {"point": "E-IN", "ts": iso(T0 + dt.timedelta(minutes=30)), "value": 999},
             {"point": "E-IN", "ts": iso(T0 + dt.timedelta(minutes=60)), "value": 104},
             {"point": "E-IN", "ts": iso(T0 + dt.timedelta(minutes=60)), "value": 104},  # twice in the batch
             {"point": "E-IN", "ts": iso(T0 + dt.timedelta(minutes=75)), "value": 105},
             {"point": "E-IN", "ts": iso(T0 + dt.timedelta(minutes=75)), "value": 106}]  # differs within batch
    body = post(client, again).json()
    statuses = [x["status"] for x in body["results"]]
    assert statuses == ["duplicate", "duplicate", "conflict", "accepted", "duplicate", "accepted", "rejected"]
    assert body["results"][6]["reason"] == "conflict_in_batch"
    assert body["counts"] == {"accepted": 2, "duplicate": 3, "conflict": 1, "rejected": 1}
    conflict = ReadingConflict.objects.get()
    assert (conflict.stored_value, conflict.received_value) == (102, 999)
    # never overwritten
    assert Reading.objects.get(point=energy.e_in_ks, ts=T0 + dt.timedelta(minutes=30)).value == 102
    assert Reading.objects.filter(point=energy.e_in_ks).count() == 6
    assert Anomaly.objects.get(kind="conflict").evidence["first"]["received"] == "999"


def test_rows_problems_filter(energy):
    client = client_for(energy.user_ks)
    r = client.generic("POST", URL + "?rows=problems",
                       json.dumps([{"point": "E-IN", "ts": iso(T0), "value": 1}, {"point": "X", "ts": iso(T0),
                                                                                   "value": 1}]),
                       content_type="application/json")
    assert [x["position"] for x in r.json()["results"]] == ["item 2"]
