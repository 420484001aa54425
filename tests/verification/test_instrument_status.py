"""An instrument's page leads with where it stands in verification: the state (never verified, valid, due soon,
overdue, non-conforming, revoked) with what it means, its last certificate (linked only for whom may open it)
and its next due date; then the registry fields and the change history."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.test import Client
from tests.conftest import _user
from verification_helpers import scale_points

from jiliang.core import services as core_services
from jiliang.core.roles import Role
from jiliang.registry.models import Instrument
from jiliang.verification import services
from jiliang.verification.models import Certificate

pytestmark = pytest.mark.django_db(transaction=False)

FAILING = scale_points([("Min", "0.1", "0.1"), ("500e", "2.5", "2.51"), ("2000e", "10", "10"), ("Max", "15", "15")])


def page(user, instrument, lang="zh-hans") -> str:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    response = client.get(f"/registry/instruments/{instrument.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def block(html: str) -> str:
    match = re.search(r'<section[^>]*id="instrument-status".*?</section>', html, re.S)
    assert match, "no status block"
    return match.group(0)


def state(html: str) -> str:
    return re.search(r'id="instrument-status" data-state="([a-z_]+)"', html).group(1)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_valid_certificate_leads_the_page_with_its_link_result_and_next_due(flow):
    cert = flow.issued()
    html = page(flow.owner_user, flow.world.instrument_ks)
    b = block(html)
    assert state(html) == "valid"
    assert "text-bg-success" in b and "已检定，有效" in text(b)
    assert f'href="/verification/certificates/{cert.pk}/" id="last-certificate-link">{cert.number}</a>' in b
    assert cert.issued_on.isoformat() in b
    assert re.search(r'id="last-result" class="text-success">合格<', b)
    assert re.search(rf'id="next-due" class="">{cert.valid_until.isoformat()}<', b)
    # the status first, then the registry fields, then the change history
    assert html.index('id="instrument-status"') < html.index('id="object-fields"') < html.index('id="change-history"')
    assert html.index('id="object-title"') < html.index('id="instrument-status"')


def test_english_page_says_the_same_in_english(flow):
    cert = flow.issued()
    b = text(block(page(flow.owner_user, flow.world.instrument_ks, "en")))
    assert "Verification status" in b and "verified, valid" in b and "conforming" in b
    assert cert.valid_until.isoformat() in b and "合格" not in b


def test_expired_certificate_makes_the_instrument_overdue(flow):
    cert = flow.issued()
    ended = flow.today - dt.timedelta(days=1)
    Certificate.objects.filter(pk=cert.pk).update(valid_until=ended)
    html = page(flow.owner_user, flow.world.instrument_ks)
    b = block(html)
    assert state(html) == "overdue"
    assert "text-bg-danger" in b and "超期未检" in text(b)
    assert re.search(rf'id="next-due" class="text-danger fw-semibold">{ended.isoformat()}<', b)
    assert "已过期" in text(b)  # the certificate's effective status, from Certificate.effective_status


def test_validity_ending_within_30_days_is_due_soon_and_31_days_is_valid(flow):
    cert = flow.issued()
    Certificate.objects.filter(pk=cert.pk).update(valid_until=flow.today + dt.timedelta(days=30))
    html = page(flow.owner_user, flow.world.instrument_ks)
    assert state(html) == "due_soon" and "text-bg-warning" in block(html) and "30" in text(block(html))
    Certificate.objects.filter(pk=cert.pk).update(valid_until=flow.today + dt.timedelta(days=31))
    assert state(page(flow.owner_user, flow.world.instrument_ks)) == "valid"


def test_notice_of_non_conformity_reads_non_conforming_in_red_with_its_meaning(flow):
    notice = flow.issued(points=FAILING)
    html = page(flow.owner_user, flow.world.instrument_ks)
    b = block(html)
    assert state(html) == "failed"
    assert "text-bg-danger" in b and "不合格" in re.search(r'id="status-badge">([^<]+)<', b).group(1)
    assert re.search(r'id="last-result" class="text-danger">不合格<', b)
    meaning = re.search(r'<p class="([^"]*)" id="status-meaning">([^<]+)</p>', b)
    assert "text-danger" in meaning.group(1) and "不得使用" in meaning.group(2)
    assert notice.number in b and "valid" not in b and "有效" not in text(b)


def test_a_later_pass_ends_the_non_conformity(flow):
    flow.issued(points=FAILING)
    passed = flow.issued()
    html = page(flow.owner_user, flow.world.instrument_ks)
    assert state(html) == "valid" and passed.number in block(html)


def test_never_verified(flow):
    html = page(flow.world.users["province"], flow.world.instrument_xw)
    b = block(html)
    assert state(html) == "never_verified"
    assert "从未检定" in text(b) and "需要首次检定" in text(b) and "last-certificate-link" not in b


def test_never_verified_outside_mandatory_verification_asks_for_nothing(flow):
    w = flow.world
    own = core_services.create_record(Instrument, {
        "owner": w.ent_ks, "category": w.scale, "manufacturer": "凯丰衡器", "model": "ACS-15",
        "serial_number": "KS-OWN-1", "accuracy_class": "III", "usage": "other", "region_id": "320583",
        "status": "in_service"}, actor=w.admin)
    assert not own.mandatory
    b = text(block(page(flow.owner_user, own)))
    assert "从未检定" in b and "没有检定记录。" in b and "首次检定" not in b


def test_revoked_certificate_leaves_no_valid_verification(flow):
    cert = flow.issued()
    services.revoke_certificate(cert, actor=flow.institute_user, reason="issued in error")
    html = page(flow.owner_user, flow.world.instrument_ks)
    assert state(html) == "revoked" and "text-bg-danger" in block(html)


def test_viewer_who_cannot_open_the_certificate_sees_its_number_without_a_link(flow):
    """The Nanjing institute, asked to verify the instrument later, sees the instrument but not the provincial
    institute's certificate: the number is shown, never a link to a page it would get a 404 from."""
    w = flow.world
    cert = flow.issued()
    services.request_work(actor=flow.owner_user, owner=w.ent_ks, institute=w.inst_nj, kind="verification",
                          items=[{"instrument": w.instrument_ks, "regulation": "JJG539-2016"}])
    nanjing = _user("nanjing", Role.INSTITUTE, "320100", w.inst_nj)
    assert not Certificate.objects.restrict(nanjing, "view").filter(pk=cert.pk).exists()
    b = block(page(nanjing, w.instrument_ks))
    assert f'<span id="last-certificate-number">{cert.number}</span>' in b
    assert "last-certificate-link" not in b and f"/verification/certificates/{cert.pk}/" not in b
    assert 'id="last-certificate-link"' in block(page(flow.owner_user, w.instrument_ks))


def test_other_county_gets_no_page(flow):
    flow.issued()
    client = Client()
    client.force_login(flow.world.users["xuanwu"])
    assert client.get(f"/registry/instruments/{flow.world.instrument_ks.pk}/").status_code == 404
