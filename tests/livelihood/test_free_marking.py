"""Marking verifications free (free_services.mark_free): who may, the programme's rule and its refusals, the fee
from the schedule, the audit trail; the bulk file with bad rows; reported free records attached automatically."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import Workbook
from tests.conftest import client_for, web_client_for
from tests.livelihood import free_world

from jiliang.core.models import AuditEntry
from jiliang.livelihood import free_scope, free_services
from jiliang.livelihood.models import FreeVerification, ProgrammeKind

pytestmark = pytest.mark.django_db
fworld = free_world.fworld  # the fixture, for this module


def test_institution_marks_its_event_with_the_scheduled_fee(fworld):
    w = fworld
    free = free_services.mark_free(w.events.scale_ok, w.market, actor=w.users["institute"])
    w.events.scale_ok.refresh_from_db()
    assert w.events.scale_ok.free_of_charge is True
    assert free.fee_waived == Decimal("10.00") and free.fee_basis == "测试数据 (synthetic)"
    assert free.marked_by == w.users["institute"]
    assert AuditEntry.objects.filter(object_type="livelihood.freeverification", object_id=str(free.pk)).exists()
    assert AuditEntry.objects.filter(object_type="supervision.verificationevent", object_id=str(free.pk),
                                     action="update").exists()


def test_entered_fee_wins_and_is_checked(fworld):
    w = fworld
    free = free_services.mark_free(w.events.bp_ks, w.clinic, "¥12.5", "省收费目录 某项", actor=w.users["kunshan"])
    assert free.fee_waived == Decimal("12.50") and free.fee_basis == "省收费目录 某项"
    with pytest.raises(ValidationError) as exc:
        free_services.mark_free(w.events.scale_ok, w.market, "abc", actor=w.users["kunshan"])
    assert "fee_waived" in exc.value.message_dict


@pytest.fixture
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


def test_refusals_name_the_reason(fworld, english):
    w = fworld
    cases = [
        (w.events.ent, w.market, "not a market"),  # enterprise's scale
        (w.events.bp_xw, w.clinic, "city district"),  # Xuanwu hospital
        (w.events.th_ks, w.clinic, "covers only these categories"),  # thermometer
    ]
    for event, programme, reason in cases:
        with pytest.raises(ValidationError) as exc:
            free_services.mark_free(event, programme, "5", actor=w.users["province"])
        assert reason in " ".join(exc.value.message_dict["programme"]), exc.value
    # no fee entered and none in the schedule
    with pytest.raises(ValidationError) as exc:
        free_services.mark_free(w.events.bp_ks, w.clinic, actor=w.users["province"])
    assert "fee schedule" in exc.value.message_dict["fee_waived"][0]
    # before the programme started
    w.market.starts_on = dt.date(2026, 3, 1)
    w.market.save()
    with pytest.raises(ValidationError) as exc:
        free_services.mark_free(w.events.scale_ok, w.market, actor=w.users["province"])
    assert "before the programme starts" in exc.value.message_dict["programme"][0]
    # marked twice
    free_services.mark_free(w.events.scale_late, w.market, actor=w.users["province"])
    with pytest.raises(ValidationError) as exc:
        free_services.mark_free(w.events.scale_late, w.market, actor=w.users["province"])
    assert "already marked free" in exc.value.message_dict["event"][0]


@pytest.mark.parametrize("role,allowed", [("province", True), ("suzhou", True), ("kunshan", True),
                                          ("xuanwu", False), ("institute", True), ("enterprise", False),
                                          ("market_ks", False), ("water_ks", False)])
def test_who_may_mark(fworld, role, allowed):
    w = fworld
    if allowed:
        assert free_services.mark_free(w.events.scale_ok, w.market, actor=w.users[role]).pk
    else:
        with pytest.raises(PermissionDenied):
            free_services.mark_free(w.events.scale_ok, w.market, actor=w.users[role])
        assert not FreeVerification.objects.exists()


def test_rule_as_instrument_filter(fworld):
    from jiliang.registry.models import Instrument

    w = fworld
    market = set(Instrument.objects.filter(free_scope.instruments_q(w.market)).values_list("pk", flat=True))
    assert market == {s.pk for s in w.scales}  # owned by the market operator (2 also on stalls); not the enterprise
    clinic = set(Instrument.objects.filter(free_scope.instruments_q(w.clinic)).values_list("pk", flat=True))
    assert clinic == {w.bp_ks.pk}


def test_other_programme_needs_owners_or_categories(fworld):
    w = fworld
    with pytest.raises(ValidationError):
        free_services.create_programme({"code": "x", "name": "其他", "kind": ProgrammeKind.OTHER}, actor=w.admin)
    p = free_services.create_programme({"code": "x", "name": "其他", "kind": ProgrammeKind.OTHER}, actor=w.admin,
                                       m2m={"owners": [w.world.ent_ks]})
    assert free_services.mark_free(w.events.ent, p, "3", actor=w.users["kunshan"]).pk
    with pytest.raises(PermissionDenied):
        free_services.create_programme({"code": "y", "name": "其他", "kind": ProgrammeKind.MARKET},
                                       actor=w.users["kunshan"])


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_bulk_file_marks_good_rows_and_reports_bad_ones(fworld):
    w = fworld
    data = _xlsx([
        ["证书编号", "检定机构统一社会信用代码", "项目代码", "减免费用（元）", "收费依据"],
        ["JD-1", "", "market", "", ""],  # 2: good, fee from the schedule
        ["JD-4", w.world.inst_p.uscc, "clinic", 15, "某收费项"],  # 3: good
        ["JD-3", "", "market", "", ""],  # 4: enterprise's scale: not covered
        ["NOPE", "", "market", "", ""],  # 5: unknown number
        ["JD-2", "", "nosuch", "", ""],  # 6: unknown programme
        ["JD-2", "", "market", "x", ""],  # 7: bad fee
        ["JD-1", "", "market", "", ""],  # 8: already marked (by row 2)
    ])
    client = web_client_for(w.users["kunshan"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    resp = client.post(reverse("free-bulk"), {"file": SimpleUploadedFile("free.xlsx", data)})
    assert resp.status_code == 200
    rows = {r.row: r for r in resp.context["rows"]}
    assert [r for r in rows if rows[r].status == "marked"] == [2, 3]
    assert rows[4].errors[0][0] == "programme" and "不是集贸市场" in rows[4].errors[0][1]
    assert rows[5].errors[0][0] == "number"
    assert rows[6].errors[0][0] == "programme"
    assert rows[7].errors[0][0] == "fee_waived"
    assert rows[8].errors[0][0] == "event"
    assert FreeVerification.objects.count() == 2
    assert FreeVerification.objects.get(pk=w.events.bp_ks.pk).fee_waived == Decimal("15.00")
    assert "已标记免费 2 条，5 行有错误" in resp.content.decode()


def test_bulk_file_without_required_columns(fworld, english):
    w = fworld
    with pytest.raises(ValidationError) as exc:
        free_services.mark_from_file("x.xlsx", _xlsx([["编号", "费用"], ["JD-1", 1]]), actor=w.users["province"])
    assert "number" in exc.value.messages[0] and "programme" in exc.value.messages[0]


def test_reported_free_records_attach_to_the_one_matching_programme(fworld):
    w = fworld
    scale = w.scales[2]
    covered = w.report("JD-10", scale, dt.date(2026, 5, 1), free=True)  # market: exactly one programme
    uncovered = w.report("JD-11", w.ent_scale, dt.date(2026, 5, 1), free="是")  # no programme covers it
    plain = w.report("JD-12", w.bp_ks, dt.date(2026, 5, 2))  # not free
    free = FreeVerification.objects.get(pk=covered.pk)
    assert free.programme == w.market and free.fee_waived == Decimal("10.00")
    uncovered.refresh_from_db()
    assert uncovered.free_of_charge is True and not FreeVerification.objects.filter(pk=uncovered.pk).exists()
    assert not FreeVerification.objects.filter(pk=plain.pk).exists()
    # a sphygmomanometer reported free: the clinic programme matches, the schedule has no fee: left empty
    bp = w.report("JD-13", w.bp_ks, dt.date(2026, 6, 1), free=True)
    assert FreeVerification.objects.get(pk=bp.pk).fee_waived is None
    # two programmes cover it: not attached
    free_services.create_programme({"code": "market2", "name": "又一个", "kind": ProgrammeKind.MARKET},
                                   actor=w.admin)
    two = w.report("JD-14", scale, dt.date(2026, 7, 1), free=True)
    assert not FreeVerification.objects.filter(pk=two.pk).exists()


def test_reported_free_flag_is_checked(fworld):
    from jiliang.supervision import records

    w = fworld
    [r] = records.report_records([{"institution_uscc": w.world.inst_p.uscc, "number": "Z", "instrument": w.bp_ks.pk,
                                   "kind": "first", "verified_on": "2026-05-01", "result": "pass",
                                   "free_of_charge": "maybe"}], actor=w.users["institute"])
    assert r.status == "error" and r.errors[0].field == "free_of_charge"


def test_api_marks_and_refuses(fworld):
    w = fworld
    url = reverse("api:free-verification-list")
    resp = client_for(w.users["institute"]).post(url, {"event": w.events.scale_ok.pk, "programme": "market"},
                                                 format="json")
    assert resp.status_code == 201, resp.content
    assert resp.json()["fee_waived"] == "10.00" and resp.json()["programme_code"] == "market"
    resp = client_for(w.users["kunshan"]).post(url, {"event": w.events.ent.pk, "programme": "market"},
                                               format="json")
    assert resp.status_code == 400 and "不是集贸市场" in str(resp.json())
    resp = client_for(w.users["xuanwu"]).post(url, {"event": w.events.bp_ks.pk, "programme": "clinic",
                                                    "fee_waived": "5"}, format="json")
    assert resp.status_code == 404  # not an event Xuanwu may see
    resp = client_for(w.users["enterprise"]).post(url, {"event": w.events.ent.pk, "programme": "market"},
                                                  format="json")
    assert resp.status_code == 403


def test_mark_page_in_both_languages(fworld, settings):
    w = fworld
    client = web_client_for(w.users["kunshan"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    resp = client.get(reverse("free-mark"))
    assert resp.status_code == 200 and "Mark a verification free" in resp.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    resp = client.get(reverse("free-mark"))
    assert "标记免费" in resp.content.decode()
    resp = client.post(reverse("free-mark"), {"number": "JD-3", "programme": w.market.pk})
    assert resp.status_code == 200 and "programme" in resp.context["form"].errors
    resp = client.post(reverse("free-mark"), {"number": "JD-1", "programme": w.market.pk, "fee_waived": "8"})
    assert resp.status_code == 302
    assert FreeVerification.objects.get(pk=w.events.scale_ok.pk).fee_waived == Decimal("8.00")
