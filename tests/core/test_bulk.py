"""fast_insert: COPY on PostgreSQL, bulk_create elsewhere; ids come back, fields round-trip exactly."""

import datetime as dt
from decimal import Decimal

from django.db import connection

from jiliang.core.bulk import fast_insert
from jiliang.registry import models as m


def test_fast_insert_returns_ids_and_stores_every_field(world):
    objs = [m.Instrument(owner=world.ent_ks, category=world.scale, manufacturer="友声", model="TCS-30",
                         serial_number=f"BULK-{i}", range_min=Decimal("0"), range_max=Decimal("30.5"),
                         range_unit="kg", usage="trade", region_id="320583", installation_date=dt.date(2024, 2, 29),
                         status="in_service", mandatory=True, address="人民路'1号\t\\") for i in range(3)]
    fast_insert(m.Instrument, objs)
    assert all(o.pk for o in objs) and len({o.pk for o in objs}) == 3
    stored = m.Instrument.objects.get(pk=objs[1].pk)
    assert stored.serial_number == "BULK-1" and stored.range_max == Decimal("30.5")
    assert stored.installation_date == dt.date(2024, 2, 29) and stored.address == "人民路'1号\t\\"
    assert stored.created is not None
    # The sequence moved past the ids taken, so an ordinary insert after it does not collide.
    later = m.Instrument.objects.create(owner=world.ent_ks, category=world.scale, manufacturer="友声", model="TCS-30",
                                        serial_number="AFTER", usage="trade", region_id="320583")
    assert later.pk > max(o.pk for o in objs)
    assert connection.vendor in ("postgresql", "sqlite")


def test_prototype_builds_what_the_model_builds(world):
    """core.bulk.Prototype: the same field values and cached related objects as calling the model, fresh mutable
    defaults per instance, and instances fast_insert writes like any other."""
    from jiliang.core.bulk import Prototype
    from jiliang.supervision.models import VerificationEvent

    make = Prototype(m.Instrument, owner=world.ent_ks, usage="trade", range_unit="kg")
    built = make({"category": world.scale}, category_id=world.scale.pk, manufacturer="友声", model="TCS-30",
                 serial_number="PROTO-1", region_id="320583", mandatory=True)
    called = m.Instrument(owner=world.ent_ks, usage="trade", range_unit="kg", category=world.scale,
                          manufacturer="友声", model="TCS-30", serial_number="PROTO-1", region_id="320583",
                          mandatory=True)
    fields = lambda o: {k: v for k, v in vars(o).items() if k != "_state"}  # noqa: E731
    assert fields(built) == fields(called)
    assert built.owner is world.ent_ks and built.category is world.scale and str(built) == str(called)
    assert built._state.adding and built._state.db == called._state.db

    events = Prototype(VerificationEvent)
    a, b = events(), events()
    assert a.received == {} and a.received is not b.received  # default=dict: one per instance

    fast_insert(m.Instrument, [built])
    assert m.Instrument.objects.get(pk=built.pk).serial_number == "PROTO-1"


def test_existing_finds_the_taken_keys_among_many(world):
    """core.bulk.existing: the same answer as an IN list (one array parameter on PostgreSQL, IN lists of ``step``
    elsewhere), flat or as tuples, restricted by the queryset's own filters."""
    from jiliang.core.bulk import existing

    objs = [m.Instrument(owner=world.ent_ks, category=world.scale, manufacturer="友声", model="TCS-30",
                         serial_number=f"EX-{i}", usage="trade", region_id="320583") for i in range(7)]
    fast_insert(m.Instrument, objs)
    asked = [f"EX-{i}" for i in range(0, 20, 2)] + ["EX-1", "NONE"]
    everything = m.Instrument._base_manager.all()
    assert existing(everything, "serial_number", asked) == {"EX-0", "EX-2", "EX-4", "EX-6", "EX-1"}
    assert existing(everything, "serial_number", asked, step=3) == {"EX-0", "EX-2", "EX-4", "EX-6", "EX-1"}
    assert existing(everything.filter(model="TCS-30"), "serial_number", ["EX-3", "EX-9"], "model", "serial_number") \
        == {("TCS-30", "EX-3")}
    assert existing(everything.filter(model="other"), "serial_number", asked) == set()
    assert existing(everything, "serial_number", []) == set()
    codes = [o.instrument_code for o in m.Instrument.objects.filter(pk__in=[o.pk for o in objs[:3]])]
    assert existing(everything, "instrument_code", [*codes, "JL0000000000X"]) == set(codes)


def test_fast_insert_stamps_the_batch_and_writes_json_as_django_does(world):
    """created / last_updated: set on the objects as stored (one instant for the rows of one COPY); JSON values (nested,
    CJK, quotes, tabs, backslashes) read back as they were written."""
    from jiliang.supervision.models import VerificationEvent

    inst = m.Instrument.objects.filter(owner=world.ent_ks).first()
    received = [{"a": [1, 2.5, None, True], "名": "水表\t\"引号\"\\", "nested": {"x": {}}}, {}, ["list", 3], "text"]
    events = [VerificationEvent(institution=world.inst_p, number=f"J-{i}", instrument=inst, source="reported",
                                kind="first", verified_on=dt.date(2025, 1, 1 + i), result="pass", received=value)
              for i, value in enumerate(received)]
    fast_insert(VerificationEvent, events)
    stored = {e.pk: e for e in VerificationEvent.objects.filter(pk__in=[e.pk for e in events])}
    assert [stored[e.pk].received for e in events] == received
    assert all(stored[e.pk].created == e.created and stored[e.pk].last_updated == e.last_updated for e in events)
    if connection.vendor == "postgresql":  # (bulk_create elsewhere: Django's pre_save per row)
        assert len({e.created for e in events}) == 1 and events[0].created is not None


def test_id_chunks_select_exactly_the_ids_given(world):
    """core.bulk.id_chunks: every step's condition selects its ids and no other, whether the ids are one run (a
    range on PostgreSQL), have gaps or come unsorted (an array); SQLite gets IN lists."""
    from jiliang.core.bulk import id_chunks

    objs = [m.Instrument(owner=world.ent_ks, category=world.scale, manufacturer="友声", model="TCS-30",
                         serial_number=f"IC-{i}", usage="trade", region_id="320583") for i in range(12)]
    ids = [o.pk for o in fast_insert(m.Instrument, objs)]
    cases = {"run": ids[2:9], "gaps": ids[::3], "unsorted": [ids[5], ids[1], ids[4], ids[2], ids[3]]}
    with connection.cursor() as cur:
        for name, asked in cases.items():
            got, forms = [], []
            for where, params in id_chunks(asked, step=4):
                forms.append(where)
                cur.execute(f"SELECT id FROM registry_instrument WHERE {where.format(col='id')}", params)  # noqa: S608
                got += [r[0] for r in cur.fetchall()]
            assert sorted(got) == sorted(asked), name
            if connection.vendor == "postgresql":
                assert len(forms) == -(-len(asked) // 4), name
                if name == "gaps":
                    assert all("ANY" in f and "BETWEEN" not in f for f in forms), forms
                else:  # sorted first, so an unsorted run is a run too; never both forms in one condition
                    assert all("BETWEEN" in f and "ANY" not in f for f in forms), forms
            else:
                assert all(" IN (" in f for f in forms)


def test_hash_joins_turns_nested_loops_off_and_back(world):
    """core.bulk.hash_joins: nested loops off inside (PostgreSQL), the setting as it was afterwards, also after
    an error, in the caller's transaction."""
    from django.db import transaction

    from jiliang.core.bulk import hash_joins

    if connection.vendor != "postgresql":
        with connection.cursor() as cur, hash_joins(cur):
            cur.execute("SELECT 1")
        return

    def setting(cur):
        cur.execute("SELECT current_setting('enable_nestloop')")
        return cur.fetchone()[0]

    with transaction.atomic(), connection.cursor() as cur:
        assert setting(cur) == "on"
        with hash_joins(cur):
            assert setting(cur) == "off"
        assert setting(cur) == "on"
        try:
            with hash_joins(cur):
                raise ValueError("a failing step")
        except ValueError:
            pass
        assert setting(cur) == "on"
