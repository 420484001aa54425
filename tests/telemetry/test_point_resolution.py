"""Points are resolved in one place for every channel (#12 item 3): JSON readings by point code and DL/T 645
frames by meter address, through ingest's PointDirectory, only among the points of the sending enterprise."""

from __future__ import annotations

import datetime as dt
import json

from tests.telemetry.conftest import T0

from jiliang.telemetry.ingest import ingest
from jiliang.telemetry.models import Reading
from jiliang.telemetry.protocols import dlt645
from jiliang.telemetry.topics import groups_from_messages


def _frame(uscc: str, address: str, ts: dt.datetime, value: str):
    frame = dlt645.encode_read_reply(address, 0x00010000, value).hex(" ")
    return f"jiliang/{uscc}/frames/dlt645", json.dumps({"ts": ts.isoformat(), "frame": frame}).encode()


def _readings(uscc: str, point: str, ts: dt.datetime, value: int):
    return f"jiliang/{uscc}/readings", json.dumps({"point": point, "ts": ts.isoformat(), "value": value}).encode()


def test_frames_and_codes_resolve_to_the_senders_points_in_ingest(energy):
    ks, xw = energy.world.ent_ks.uscc, energy.world.ent_xw.uscc
    t = T0 + dt.timedelta(hours=1)
    messages = [(mid, *m) for mid, m in enumerate([
        _frame(ks, "000102030425", t, "1234.00"),  # Kunshan's incoming point
        _frame(ks, "999999999999", t, "1.00"),  # no point of Kunshan has this meter
        _readings(ks, "E-SUB1", t, 5),
        _readings(ks, "E-NONE", t, 5),
        _frame(xw, "000102030425", t, "1.00"),  # Kunshan's meter, sent under Xuanwu's topic
        _readings(xw, "E-IN", t, 7),  # Xuanwu's own E-IN, not Kunshan's
    ], start=1)]
    groups, unroutable = groups_from_messages(messages, t + dt.timedelta(minutes=5))
    assert unroutable == []
    results = ingest(groups, channel="mqtt", received_at=t + dt.timedelta(minutes=5))
    rows = {(r.batch.enterprise.uscc, x.position): (x.point, x.status, x.reason) for r in results for x in r.rows}
    assert rows[(ks, "message 1")] == ("E-IN", "accepted", "")
    assert rows[(ks, "message 2")] == ("999999999999", "rejected", "unknown_meter")
    assert [v for (uscc, pos), v in rows.items() if uscc == ks and pos.startswith("message 3")] == [
        ("E-SUB1", "accepted", "")]
    assert [v for (uscc, pos), v in rows.items() if uscc == ks and pos.startswith("message 4")] == [
        ("E-NONE", "rejected", "unknown_point")]
    assert rows[(xw, "message 5")] == ("000102030425", "rejected", "unknown_meter")
    assert [v for (uscc, pos), v in rows.items() if uscc == xw and pos.startswith("message 6")] == [
        ("E-IN", "accepted", "")]
    stored = {(r.point_id, r.value) for r in Reading.objects.all()}
    assert stored == {(energy.e_in_ks.pk, 1234), (energy.e_sub_ks.pk, 5), (energy.e_in_xw.pk, 7)}
    batch_ks = next(r.batch for r in results if r.batch.enterprise.uscc == ks)
    assert {x["reason"] for x in batch_ks.rejections} == {"unknown_meter", "unknown_point"}
    assert any("has no point with dlt645 meter 999999999999" in x["detail"] for x in batch_ks.rejections)
