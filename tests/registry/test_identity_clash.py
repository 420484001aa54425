"""A registered identity gives one answer wherever the registered record is (issue 11, item 16): registering,
through the API, a page or an import, an instrument or organisation whose identity is already in the register
answers the same whether that record is in the user's scope or not, and never says where it is. A clash with a
record outside the user's scope is noted for the bureau holding it (an audit entry it sees on its home page), and
not for the submitter's county nor the holder."""

import io

from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook
from tests.conftest import _user, client_for, web_client_for

from jiliang.core.identities import CLASH_MESSAGE
from jiliang.core.models import AuditEntry
from jiliang.core.roles import Role
from jiliang.core.scoping import VIEW
from jiliang.core.tabular import read_table
from jiliang.registry import models as m
from jiliang.registry.importing import InstrumentImporter, OrganisationImporter


def _instrument_payload(world, like):
    return {"owner": world.ent_ks.pk, "category": world.scale.pk, "manufacturer": like.manufacturer,
            "model": like.model, "serial_number": like.serial_number, "usage": "trade", "region": "320583",
            "measuring_range": {"min": "0", "max": "15", "unit": "kg"}}


def _notices(obj):
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk), message=CLASH_MESSAGE)


def test_api_create_answers_the_same_in_and_out_of_scope_and_tells_the_holding_bureau(world):
    client = client_for(world.users["kunshan"])
    with translation.override("zh-hans"):
        inside = client.post("/api/instruments/", _instrument_payload(world, world.instrument_ks), format="json",
                             HTTP_ACCEPT_LANGUAGE="zh-hans")
        outside = client.post("/api/instruments/", _instrument_payload(world, world.instrument_xw), format="json",
                              HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert inside.status_code == outside.status_code == 400
    assert inside.json() == outside.json() == {"serial_number": [inside.json()["serial_number"][0]]}
    text = outside.content.decode()
    assert "联系" in text and "区" not in text and "玄武" not in text and "outside" not in text
    assert m.Instrument.objects.filter(serial_number="XW-0001").count() == 1
    # The in-scope clash is no news to anyone; the out-of-scope one is noted for Xuanwu's bureau only.
    assert not _notices(world.instrument_ks).exists()
    notice = _notices(world.instrument_xw).get()
    assert notice.region_code == "320102" and notice.organisation_id is None
    assert notice.actor == world.users["kunshan"]
    assert "kunshan" in notice.after["identity_submitted_by"]
    assert AuditEntry.objects.restrict(world.users["xuanwu"], VIEW).filter(pk=notice.pk).exists()
    for role in ("kunshan", "enterprise"):
        assert not AuditEntry.objects.restrict(world.users[role], VIEW).filter(pk=notice.pk).exists()
    holder = _user("ent-xw", Role.ENTERPRISE, "320102", world.ent_xw)
    assert not AuditEntry.objects.restrict(holder, VIEW).filter(pk=notice.pk).exists()


def test_the_holding_bureau_sees_the_notice_on_its_home_page_and_nobody_else_does(world):
    client_for(world.users["kunshan"]).post("/api/instruments/", _instrument_payload(world, world.instrument_xw),
                                            format="json")
    holder = _user("ent-xw", Role.ENTERPRISE, "320102", world.ent_xw)
    detail = reverse("instruments-detail", args=[world.instrument_xw.pk])
    for user, sees in ((world.users["xuanwu"], True), (world.users["province"], True),
                       (world.users["kunshan"], False), (holder, False)):
        client = web_client_for(user)
        with translation.override("zh-hans"):
            home = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert ("kunshan" in home and "重复登记被拒" in home) is sees, user
        if user is holder:  # the holder opens its instrument, whose history does not carry the notice
            page = client.get(detail).content.decode()
            assert "重复登记被拒" not in page and "kunshan" not in page


def test_api_change_to_a_registered_identity_answers_the_same(world):
    client = client_for(world.users["kunshan"])
    other = client.post("/api/instruments/", {**_instrument_payload(world, world.instrument_ks),
                                              "serial_number": "KS-0002"}, format="json")
    assert other.status_code == 201
    url = f"/api/instruments/{other.json()['id']}/"
    inside = client.patch(url, {"serial_number": "KS-0001"}, format="json")
    outside = client.patch(url, {"serial_number": "XW-0001"}, format="json")
    assert inside.status_code == outside.status_code == 400
    assert inside.json() == outside.json()
    assert _notices(world.instrument_xw).count() == 1
    assert m.Instrument.objects.get(pk=other.json()["id"]).serial_number == "KS-0002"


def test_api_organisation_with_a_registered_code_answers_the_same(world):
    client = client_for(world.users["kunshan"])
    body = {"name": "新单位", "kind": "enterprise", "region": "320583"}
    inside = client.post("/api/organisations/", {**body, "uscc": world.ent_ks.uscc}, format="json")
    outside = client.post("/api/organisations/", {**body, "uscc": world.ent_xw.uscc.lower()}, format="json")
    assert inside.status_code == outside.status_code == 400
    assert inside.json() == outside.json() and list(inside.json()) == ["uscc"]
    assert _notices(world.ent_xw).get().region_code == "320102"


def test_page_form_answers_the_same(world):
    client = web_client_for(world.users["kunshan"])
    url = reverse("instruments-add")
    answers = []
    for like in (world.instrument_ks, world.instrument_xw):
        response = client.post(url, {"owner": world.ent_ks.pk, "category": world.scale.pk,
                                     "manufacturer": like.manufacturer, "model": like.model,
                                     "serial_number": like.serial_number, "usage": "trade", "region": "320583",
                                     "status": "registered"})
        assert response.status_code == 200
        answers.append(str(response.context["form"].errors))
    assert answers[0] == answers[1] and str(m.Instrument.identity_taken_message) in answers[0]
    assert _notices(world.instrument_xw).count() == 1


def _xlsx(importer, rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append([c.header() for c in importer.columns])
    for values in rows:
        ws.append([values.get(c.key) for c in importer.columns])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_import_answers_like_the_api_and_tells_the_holding_bureau_once(world):
    row = {"owner_uscc": world.ent_ks.uscc, "category_code": "nawi-price-scale", "manufacturer": "凯丰衡器",
           "model": "ACS-15", "serial_number": "XW-0001", "usage": "trade", "region_code": "320583"}
    data = _xlsx(InstrumentImporter, [row])
    api = client_for(world.users["kunshan"]).post("/api/instruments/", _instrument_payload(world, world.instrument_ks),
                                                  format="json").json()
    for _ in range(2):  # previewed, then applied: one notice
        report = InstrumentImporter(world.users["kunshan"]).plan(read_table("i.xlsx", data))
        assert [(e.row, e.reason) for e in report.errors] == [(2, api["serial_number"][0])]
    assert "outside" not in report.errors[0].reason
    notice = _notices(world.instrument_xw).get()
    assert notice.channel and notice.region_code == "320102"
    assert AuditEntry.objects.restrict(world.users["xuanwu"], VIEW).filter(pk=notice.pk).exists()
    assert not AuditEntry.objects.restrict(world.users["kunshan"], VIEW).filter(pk=notice.pk).exists()


def test_organisation_import_answers_the_same_in_and_out_of_scope(world):
    base = {"name": "某单位", "kind": "enterprise", "region_code": "320583"}
    reasons = []
    for org in (world.ent_xw, world.bureau_p):  # another county's enterprise; the province's own bureau
        report = OrganisationImporter(world.users["kunshan"]).plan(
            read_table("o.xlsx", _xlsx(OrganisationImporter, [{**base, "uscc": org.uscc}])))
        reasons.append([e.reason for e in report.errors])
    assert reasons[0] == reasons[1] == [str(m.Organisation.identity_taken_message)]
    assert _notices(world.ent_xw).get().region_code == "320102"
    assert _notices(world.bureau_p).get().region_code == "320000"
