"""Markets' services: stalls, scales registered centrally and fair scales (Zhejiang Art. 29), moving and taking off
scales, the five unifications with their documents, and the bad input of issue 15 (a market scale registered to
two stalls, a stall of another market)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jiliang.core.audit import audit_context
from jiliang.core.models import AuditEntry
from jiliang.livelihood import market_services as ms
from jiliang.livelihood.models import Market, MarketScale, UnificationCheck
from jiliang.registry.models import Instrument

from .conftest import TODAY

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n% a small evidence file\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def scale(lw, stall=None, serial="MS-0001", fair=False, user="market_ks", **kw):
    actor = lw.users[user]
    with audit_context(actor=actor, channel="web"):
        return ms.register_scale(market=lw.market_ks, stall=stall, fair_scale=fair, manufacturer="凯丰衡器",
                                 model="ACS-30", serial_number=serial, actor=actor, **kw)


def test_register_creates_the_instrument_of_the_operator(lworld):
    s = scale(lworld, lworld.stalls[0])
    inst = s.instrument
    assert inst.owner == lworld.operator_ks and inst.usage == "trade" and inst.category.code == "nawi-price-scale"
    assert inst.region_id == "320583" and inst.mandatory
    assert inst.supervision.status == "never_verified"  # supervision's state, kept by its signal
    assert AuditEntry.objects.filter(object_type="livelihood.marketscale", object_id=str(inst.pk)).exists()


def test_a_scale_is_never_on_two_stalls(lworld):
    a, b = lworld.stalls
    s = scale(lworld, a)
    with pytest.raises(ValidationError) as exc:
        ms.register_scale(market=lworld.market_ks, stall=b, instrument=s.instrument, actor=lworld.users["market_ks"])
    assert "A-01" in str(exc.value) and "instrument" in exc.value.message_dict
    # the same scale described again (manufacturer, model, serial) is refused with its stall too
    with pytest.raises(ValidationError) as exc:
        scale(lworld, b)
    assert "A-01" in str(exc.value)
    assert MarketScale.objects.get().stall == a


def test_stall_of_another_market(lworld):
    with audit_context(actor=lworld.admin, channel="command"):
        other = ms.create_market(operator=lworld.operator_ks, name="城西农贸市场", region="320583", actor=lworld.admin)
        stall = ms.add_stall(market=other, number="B-01", trader="摊主", actor=lworld.admin)
    with pytest.raises(ValidationError) as exc:
        scale(lworld, stall)
    assert "B-01" in exc.value.message_dict["stall"][0] and "城西农贸市场" in exc.value.message_dict["stall"][0]
    assert not Instrument.objects.filter(serial_number="MS-0001").exists()  # nothing half-made


def test_fair_scale_and_move_and_take_off(lworld):
    a, b = lworld.stalls
    fair = scale(lworld, fair=True, serial="FAIR-1")
    assert fair.stall is None and fair.fair_scale
    with pytest.raises(ValidationError):
        scale(lworld, a, fair=True, serial="X")
    s = scale(lworld, a)
    s = ms.move_scale(s, stall=b, actor=lworld.users["market_ks"])
    assert MarketScale.objects.get(pk=s.pk).stall == b
    ms.move_scale(s, fair_scale=True, actor=lworld.users["market_ks"])
    assert MarketScale.objects.get(pk=s.pk).fair_scale
    ms.remove_scale(s, actor=lworld.users["market_ks"], reason="broken")
    assert not MarketScale.objects.filter(pk=s.pk).exists() and Instrument.objects.filter(pk=s.pk).exists()
    entry = AuditEntry.objects.filter(object_type="livelihood.marketscale", action="delete").get()
    assert "broken" in entry.message


def test_link_existing_instrument_rules(lworld):
    w = lworld.world
    with pytest.raises(ValidationError) as exc:  # another owner's scale
        ms.register_scale(market=lworld.market_ks, stall=lworld.stalls[0], instrument=w.instrument_ks,
                          actor=lworld.admin)
    assert w.ent_ks.name in exc.value.message_dict["instrument"][0]
    with pytest.raises(ValidationError):
        scale(lworld, lworld.stalls[0], category="pressure-gauge-safety")


def test_scope_of_the_writers(lworld):
    for user in ("water_ks", "xuanwu", "institute", "enterprise"):
        with pytest.raises(PermissionDenied):
            scale(lworld, lworld.stalls[0], user=user)
    s = scale(lworld, lworld.stalls[0], user="kunshan")  # the county bureau may register for the market
    assert s.instrument.owner == lworld.operator_ks


def test_create_market_needs_an_operator(lworld):
    with pytest.raises(ValidationError):
        ms.create_market(operator=lworld.water_ks, name="X", region="320583", actor=lworld.admin)
    with pytest.raises(PermissionDenied):
        ms.create_market(operator=lworld.operator_ks, name="X", region="320583", actor=lworld.users["xuanwu"])
    m = ms.create_market(operator=lworld.operator_ks, name="新市场", region="320583", actor=lworld.users["market_ks"])
    assert Market.objects.filter(pk=m.pk).exists()
    with pytest.raises(ValidationError):
        ms.add_stall(market=lworld.market_ks, number="A-01", trader="重复", actor=lworld.users["market_ks"])


def test_unifications_evidence_then_confirmation(lworld):
    op, ks = lworld.users["market_ks"], lworld.users["kunshan"]
    with audit_context(actor=op, channel="web"):
        c = ms.record_unification(market=lworld.market_ks, item="verification", met=True, responsible="昆山计量所",
                                  detail="2026-05 批量检定", evidence_date=dt.date(2026, 5, 20),
                                  document=("report.pdf", PDF), actor=op, today=TODAY)
    assert c.document.name.endswith(".pdf")
    with pytest.raises(PermissionDenied):
        ms.confirm_unification(c, actor=op)
    with pytest.raises(PermissionDenied):
        ms.confirm_unification(c, actor=lworld.users["xuanwu"])
    c = ms.confirm_unification(c, actor=ks, today=TODAY)
    assert c.checked_by == ks and c.checked_on == TODAY
    # changing the evidence withdraws the confirmation
    c = ms.record_unification(market=lworld.market_ks, item="verification", met=True, responsible="昆山计量所",
                              detail="2026-06 批量检定", evidence_date=dt.date(2026, 6, 1), actor=op, today=TODAY)
    assert c.checked_by is None and UnificationCheck.objects.count() == 1


@pytest.mark.parametrize(("name", "data", "word"), [
    ("a.exe", b"MZ\x90\x00", "PDF"), ("big.pdf", b"%PDF-" + b"0" * (10 * 2**20), "10 MB"), ("e.pdf", b"", "empty")])
def test_document_limits(lworld, name, data, word):
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as exc:
        ms.record_unification(market=lworld.market_ks, item="rotation", met=True, document=(name, data),
                              actor=lworld.users["market_ks"], today=TODAY)
    assert word in str(exc.value)
    assert not UnificationCheck.objects.exists()


def test_evidence_date_in_the_future(lworld):
    with pytest.raises(ValidationError) as exc:
        ms.record_unification(market=lworld.market_ks, item="rotation", met=True,
                              evidence_date=TODAY + dt.timedelta(days=1), actor=lworld.users["market_ks"], today=TODAY)
    assert "evidence_date" in exc.value.message_dict
