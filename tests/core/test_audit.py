"""The audit trail: who, when, from where, what changed; hash-chained; `jiliang verify-audit`."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from tests.conftest import client_for, web_client_for

from jiliang.core import audit
from jiliang.core.models import AuditEntry


def entries_for(obj):
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("id")


def test_api_change_records_who_where_and_what(world):
    client = client_for(world.users["kunshan"])
    url = reverse("api:instrument-detail", args=[world.instrument_ks.pk])
    response = client.patch(url, {"accuracy_class": "IIII", "address": "昆山市前进路1号"}, format="json",
                            REMOTE_ADDR="10.1.2.3", HTTP_X_REQUEST_ID="req-42")
    assert response.status_code == 200
    entry = entries_for(world.instrument_ks).last()
    assert entry.action == "update" and entry.channel == "api"
    assert entry.actor == world.users["kunshan"] and entry.actor_name == "kunshan"
    assert entry.remote_addr == "10.1.2.3" and entry.request_id == "req-42"
    assert entry.before == {"accuracy_class": "III", "address": ""}
    assert entry.after == {"accuracy_class": "IIII", "address": "昆山市前进路1号"}
    assert entry.region_code == "320583" and entry.organisation_id == world.ent_ks.pk


def test_web_create_and_delete_are_audited(world):
    client = web_client_for(world.users["province"])
    response = client.post(reverse("people-add"), {"name": "王核验", "organisation": world.inst_p.pk})
    assert response.status_code == 302
    from jiliang.registry.models import Person

    person = Person.objects.get(name="王核验")
    created = entries_for(person).get()
    assert created.action == "create" and created.channel == "web" and created.after["name"] == "王核验"
    response = client.post(reverse("people-delete", args=[person.pk]))
    assert response.status_code == 302
    deleted = AuditEntry.objects.filter(object_type="registry.person", object_id=str(person.pk), action="delete").get()
    assert deleted.before["name"] == "王核验" and deleted.actor == world.users["province"]


def test_unchanged_save_writes_no_entry(world):
    client = client_for(world.users["province"])
    before = AuditEntry.objects.count()
    url = reverse("api:instrument-detail", args=[world.instrument_ks.pk])
    assert client.patch(url, {"accuracy_class": "III"}, format="json").status_code == 200
    assert AuditEntry.objects.count() == before


def test_chain_verifies_and_reports_the_first_altered_row(world, capsys):
    call_command("verify-audit")
    assert "audit chain intact" in capsys.readouterr().out
    victim = AuditEntry.objects.order_by("id")[3]
    with connection.cursor() as cur:  # an attacker edits a row behind the application's back
        cur.execute("UPDATE core_auditentry SET object_repr = %s WHERE id = %s", ["forged", victim.pk])
    with pytest.raises(CommandError, match=rf"entry #{victim.pk}: content does not match its hash"):
        call_command("verify-audit")


def test_chain_detects_a_deleted_row(world):
    victim = AuditEntry.objects.order_by("id")[2]
    with connection.cursor() as cur:
        cur.execute("DELETE FROM core_auditentry WHERE id = %s", [victim.pk])
    checked, brk = audit.verify_chain()
    assert brk is not None and brk.entry_id > victim.pk and "previous-hash" in brk.reason


def test_chain_detects_truncation_at_the_end(world):
    last = AuditEntry.objects.order_by("-id").first()
    with connection.cursor() as cur:
        cur.execute("DELETE FROM core_auditentry WHERE id = %s", [last.pk])
    _, brk = audit.verify_chain()
    assert brk is not None and "head" in brk.reason


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit.record(None, "action", object_type="x", object_id="1", message="no transaction")
    assert not AuditEntry.objects.exists()


def test_audit_list_is_scoped(world):
    kunshan = web_client_for(world.users["kunshan"]).get(reverse("audit-list"), {"per_page": 200})
    body = kunshan.content.decode()
    assert "KS-0001" in body and "XW-0001" not in body
    enterprise = web_client_for(world.users["enterprise"]).get(reverse("audit-list"), {"per_page": 200}).content.decode()
    assert "昆山精密机械有限公司" in enterprise and "玄武食品有限公司" not in enterprise
