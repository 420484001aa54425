"""Ingest answers stay small and one sender cannot take every worker (issue #11 item 9).

A body of many rejected rows used to come back as a per-row list larger than the body; now at most
``JILIANG_TELEMETRY_MAX_RESULT_ROWS`` rows are listed (problems first), with counts by reason for all of them.
An enterprise may have ``JILIANG_TELEMETRY_MAX_CONCURRENT_PER_SENDER`` ingest requests running at once; more
are answered 429 with Retry-After, and nothing of theirs is stored.
"""

from __future__ import annotations

import datetime as dt
import json

import psycopg
import pytest
from django.db import connection
from tests.conftest import client_for

from jiliang.telemetry import senders
from jiliang.telemetry.models import IngestBatch, Reading

T0 = dt.datetime(2026, 11, 23, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
URL = "/api/telemetry/readings"


def post(client, rows):
    return client.generic("POST", URL, json.dumps(rows), content_type="application/json")


def test_a_large_body_of_rejected_rows_gets_a_small_answer_with_counts_by_reason(energy, settings):
    settings.JILIANG_TELEMETRY_MAX_RESULT_ROWS = 50
    bad_point = [{"point": "NOPE", "ts": (T0 + dt.timedelta(minutes=15 * i)).isoformat(), "value": 1}
                 for i in range(3000)]
    bad_value = [{"point": "E-IN", "ts": (T0 + dt.timedelta(minutes=15 * i)).isoformat(), "value": "x"}
                 for i in range(2000)]
    good = [{"point": "E-IN", "ts": (T0 + dt.timedelta(minutes=15 * i)).isoformat(), "value": 1000 + i}
            for i in range(10)]
    body = json.dumps(good + bad_point + bad_value)
    r = client_for(energy.user_ks).generic("POST", URL, body, content_type="application/json")
    assert r.status_code == 200, r.content[:500]
    answer = r.json()
    assert len(r.content) < len(body) / 10
    assert answer["rows"] == 5010 and answer["counts"]["accepted"] == 10 and answer["counts"]["rejected"] == 5000
    assert sum(answer["rejected_by_reason"].values()) == 5000 and len(answer["rejected_by_reason"]) == 2
    assert answer["results_total"] == 5010 and answer["results_truncated"] is True
    assert len(answer["results"]) == 50
    assert all(x["status"] == "rejected" for x in answer["results"])  # problems first when cut
    positions = [int(x["position"].split()[1]) for x in answer["results"]]
    assert positions == sorted(positions) and positions[0] == 11  # body order: the first rejected item
    assert Reading.objects.filter(point=energy.e_in_ks).count() == 10  # the good rows are kept


def test_an_answer_under_the_cap_lists_every_row_in_body_order(energy):
    rows = [{"point": "E-IN", "ts": (T0 + dt.timedelta(minutes=15 * i)).isoformat(), "value": 1000 + i}
            for i in range(3)] + [{"point": "NOPE", "ts": T0.isoformat(), "value": 1}]
    answer = post(client_for(energy.user_ks), rows).json()
    assert [x["position"] for x in answer["results"]] == ["item 1", "item 2", "item 3", "item 4"]
    assert answer["results_truncated"] is False and answer["results_total"] == 4


def _hold_slots(enterprise_id: int, n: int):
    """Take ``n`` of the enterprise's slots from outside the request: another connection on PostgreSQL
    (advisory locks are per session), the process counter on SQLite. Returns a release function."""
    if connection.vendor == "postgresql":
        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        other = psycopg.connect(**{k: v for k, v in params.items() if k in ("dbname", "user", "host", "port",
                                                                           "password")}, autocommit=True)
        for slot in range(n):
            other.execute("SELECT pg_advisory_lock(%s, %s)", [senders.LOCK_NAMESPACE, senders._key(enterprise_id, slot)])
        return other.close
    senders._held[enterprise_id] = senders._held.get(enterprise_id, 0) + n

    def release():
        senders._held[enterprise_id] -= n
    return release


def test_a_sender_over_its_concurrency_limit_is_told_to_retry(energy, settings):
    settings.JILIANG_TELEMETRY_MAX_CONCURRENT_PER_SENDER = 2
    rows = [{"point": "E-IN", "ts": T0.isoformat(), "value": 1000}]
    client = client_for(energy.user_ks)
    release = _hold_slots(energy.world.ent_ks.pk, 2)
    try:
        r = post(client, rows)
        assert r.status_code == 429 and r["Retry-After"] == "1"
        assert r.json()["reason"] == "too_many_requests"
        assert not IngestBatch.objects.filter(enterprise=energy.world.ent_ks).exists()
        # another enterprise is not held up by this one's requests
        other = post(client_for(energy.user_xw), [{"point": "E-IN", "ts": T0.isoformat(), "value": 5}])
        assert other.status_code == 200
    finally:
        release()
    assert post(client, rows).status_code == 200  # a slot is free again
    release = _hold_slots(energy.world.ent_ks.pk, 1)  # one slot taken, one free: served
    try:
        assert post(client, [{"point": "E-IN", "ts": (T0 + dt.timedelta(minutes=15)).isoformat(),
                              "value": 1001}]).status_code == 200
    finally:
        release()


@pytest.mark.parametrize("role", ["province", "kunshan", "institute"])
def test_only_enterprises_send_readings(energy, role):
    assert post(client_for(energy.world.users[role]), [{"point": "E-IN", "ts": T0.isoformat(), "value": 1}]
                ).status_code == 403
