"""An instrument's page leads with its supervision status (supervision/display.py, one definition with the lists,
the API and the dashboard): the status with what it means for the owner, next due, the latest verification event
of any source (its certificate linked only for whom may open it), the filing state; then a panel of every event.
Ported from tests/verification/test_instrument_status.py (verification's lead is gone) and extended to the
statuses only supervision knows (reported records, service life ended, not counted)."""

import datetime as dt
import re

import pytest
from django.test import Client
from tests.conftest import _user
from tests.verification.verification_helpers import scale_points

from jiliang.core.roles import Role
from jiliang.supervision import state
from jiliang.supervision.models import VerificationEvent
from jiliang.verification import services
from jiliang.verification.models import Certificate

from .display_helpers import block, instrument_page, new_instrument, reported, state_of, text, water_meter

pytestmark = pytest.mark.django_db(transaction=False)

FAILING = scale_points([("Min", "0.1", "0.1"), ("500e", "2.5", "2.51"), ("2000e", "10", "10"), ("Max", "15", "15")])


def set_next_due(cert, day):
    """As if the institution had set another validity (the event copies the certificate's)."""
    Certificate.objects.filter(pk=cert.pk).update(valid_until=day)
    VerificationEvent.objects.filter(certificate=cert).update(next_due=day)
    state.refresh([cert.instrument_id])


def test_valid_certificate_leads_the_page_with_its_link_result_and_next_due(flow):
    cert = flow.issued()
    html = instrument_page(flow.owner_user, flow.world.instrument_ks)
    b = block(html)
    assert state_of(html) == "valid"
    assert "text-bg-success" in b and "有效" in re.search(r'id="status-badge">([^<]+)<', b).group(1)
    assert "最近一次检定合格，今天在其有效期内。" in text(b)
    assert f'href="/verification/certificates/{cert.pk}/" id="last-certificate-link">{cert.number}</a>' in b
    assert re.search(r'id="last-result" class="text-success">合格<', b)
    assert re.search(rf'id="next-due" class="">{cert.valid_until.isoformat()}<', b)
    assert "江苏省计量科学研究院" in text(b) and "经本系统出具的证书" in text(b) and "首次检定" in text(b)
    assert re.search(r'id="filing-state" data-filing="unfiled">未备案<', b)
    # the status first, then the registry fields, then the change history
    assert html.index('id="instrument-status"') < html.index('id="object-fields"') < html.index('id="change-history"')
    assert html.index('id="object-title"') < html.index('id="instrument-status"')


def test_english_page_says_the_same_in_english(flow):
    cert = flow.issued()
    b = text(block(instrument_page(flow.owner_user, flow.world.instrument_ks, "en")))
    assert "Verification status" in b and "valid" in b and "pass" in b and "latest verification" in b
    assert "certificate issued through jiliang" in b and "not filed" in b
    assert cert.valid_until.isoformat() in b and "合格" not in b and "有效" not in b


def test_expired_validity_makes_the_instrument_overdue_and_not_to_be_used_in_trade(flow):
    cert = flow.issued()
    ended = flow.today - dt.timedelta(days=1)
    set_next_due(cert, ended)
    html = instrument_page(flow.owner_user, flow.world.instrument_ks)
    b = block(html)
    assert state_of(html) == "overdue"
    assert "text-bg-danger" in b and "超期未检" in text(b)
    assert re.search(rf'id="next-due" class="text-danger fw-semibold">{ended.isoformat()}<', b)
    meaning = re.search(r'<p class="([^"]*)" id="status-meaning">([^<]+)</p>', b)
    assert "text-danger" in meaning.group(1) and "不得使用" in meaning.group(2) and "贸易结算" in meaning.group(2)
    en = text(block(instrument_page(flow.owner_user, flow.world.instrument_ks, "en")))
    assert "overdue" in en and "must not be used" in en and "It must not be used for trade settlement." in en


def test_the_page_reads_todays_status_before_the_daily_job_moved_it(flow):
    """The stored status is yesterday's until the daily job runs; the page says today's (status_from_base)."""
    cert = flow.issued()
    set_next_due(cert, flow.today - dt.timedelta(days=1))
    state.refresh([cert.instrument_id], today=flow.today - dt.timedelta(days=5))
    assert flow.world.instrument_ks.supervision.__class__.objects.get(pk=cert.instrument_id).status == "due_soon"
    assert state_of(instrument_page(flow.owner_user, flow.world.instrument_ks)) == "overdue"


def test_validity_ending_within_the_lead_time_is_due_soon_and_one_day_later_is_valid(flow):
    cert = flow.issued()
    set_next_due(cert, flow.today + dt.timedelta(days=30))
    html = instrument_page(flow.owner_user, flow.world.instrument_ks)
    assert state_of(html) == "due_soon" and "text-bg-warning" in block(html) and "30" in text(block(html))
    assert "即将到期" in text(block(html))
    assert "due soon" in text(block(instrument_page(flow.owner_user, flow.world.instrument_ks, "en")))
    set_next_due(cert, flow.today + dt.timedelta(days=31))
    assert state_of(instrument_page(flow.owner_user, flow.world.instrument_ks)) == "valid"


def test_notice_of_non_conformity_reads_failed_in_red_with_its_meaning(flow):
    notice = flow.issued(points=FAILING)
    html = instrument_page(flow.owner_user, flow.world.instrument_ks)
    b = block(html)
    assert state_of(html) == "failed"
    assert "text-bg-danger" in b and "不合格" in re.search(r'id="status-badge">([^<]+)<', b).group(1)
    assert re.search(r'id="last-result" class="text-danger">不合格<', b)
    meaning = re.search(r'<p class="([^"]*)" id="status-meaning">([^<]+)</p>', b)
    assert "text-danger" in meaning.group(1) and "不得使用" in meaning.group(2) and "贸易结算" in meaning.group(2)
    assert notice.number in b and "修理后、使用前" in text(b) and "有效" not in text(b)
    en = text(block(instrument_page(flow.owner_user, flow.world.instrument_ks, "en")))
    assert "failed" in en and "after repair, before any use" in en and "non-conforming" in en


def test_a_later_pass_ends_the_failure(flow):
    flow.issued(points=FAILING)
    passed = flow.issued()
    html = instrument_page(flow.owner_user, flow.world.instrument_ks)
    assert state_of(html) == "valid" and passed.number in block(html)


def test_never_verified_must_not_be_used(flow):
    html = instrument_page(flow.world.users["province"], flow.world.instrument_xw)
    b = block(html)
    assert state_of(html) == "never_verified" and "text-bg-danger" in b
    assert "从未检定" in text(b) and "需要首次检定" in text(b) and "last-certificate-link" not in b
    assert "不得使用" in text(b)
    en = text(block(instrument_page(flow.world.users["province"], flow.world.instrument_xw, "en")))
    assert "never verified" in en and "first verification needed" in en and "must not be used" in en


def test_outside_mandatory_verification_is_not_counted_and_asks_for_nothing(flow):
    own = new_instrument(flow.world, "KS-OWN-1", usage="other")
    assert not own.mandatory
    html = instrument_page(flow.owner_user, own)
    b = text(block(html))
    assert state_of(html) == "not_counted" and "text-bg-secondary" in block(html)
    assert "不计入" in b and "首次检定" not in b and "不得使用" not in b
    en = text(block(instrument_page(flow.owner_user, own, "en")))
    assert "not counted" in en and "must not be used" not in en


def test_revoked_certificate_leaves_no_valid_verification(flow):
    cert = flow.issued()
    services.revoke_certificate(cert, actor=flow.institute_user, reason="issued in error")
    html = instrument_page(flow.owner_user, flow.world.instrument_ks)
    assert state_of(html) == "never_verified" and "text-bg-danger" in block(html)
    assert cert.number not in block(html)
    # the voided event stays in the events panel, marked void
    panel = re.search(r"检定记录（全部来源）.*?</table>", html, re.S).group(0)
    assert cert.number in panel


def test_a_record_reported_by_another_institution_counts_and_shows_its_source(flow):
    w = flow.world
    on = flow.today - dt.timedelta(days=10)
    event = reported(w, w.instrument_xw, on=on, next_due=on + dt.timedelta(days=365))
    html = instrument_page(w.users["province"], w.instrument_xw)
    b = block(html)
    assert state_of(html) == "valid" and f'<span id="last-certificate-number">{event.number}</span>' in b
    assert "南京市计量监督检测院" in text(b) and "检定机构报送的记录" in text(b)
    assert "record reported by the institution" in text(block(instrument_page(w.users["province"], w.instrument_xw,
                                                                               "en")))


def test_service_life_ended(flow):
    w = flow.world
    meter = water_meter(w, "WM-LIFE-1")
    reported(w, meter, on=flow.today - dt.timedelta(days=6 * 366), next_due=flow.today - dt.timedelta(days=2))
    html = instrument_page(flow.owner_user, meter)
    b = block(html)
    assert state_of(html) == "life_ended" and "text-bg-danger" in b
    assert "使用期满" in text(b) and "不得使用" in text(b) and "贸易结算" in text(b)
    en = text(block(instrument_page(flow.owner_user, meter, "en")))
    assert "service life ended" in en and "must be replaced" in en


def test_viewer_who_cannot_open_the_certificate_sees_its_number_without_a_link(flow):
    """The Nanjing institute, asked to verify the instrument later, sees the instrument but not the provincial
    institute's certificate: the number is shown, never a link to a page it would get a 404 from."""
    w = flow.world
    cert = flow.issued()
    services.request_work(actor=flow.owner_user, owner=w.ent_ks, institute=w.inst_nj, kind="verification",
                          items=[{"instrument": w.instrument_ks, "regulation": "JJG539-2016"}])
    nanjing = _user("nanjing", Role.INSTITUTE, "320100", w.inst_nj)
    assert not Certificate.objects.restrict(nanjing, "view").filter(pk=cert.pk).exists()
    b = block(instrument_page(nanjing, w.instrument_ks))
    assert f'<span id="last-certificate-number">{cert.number}</span>' in b
    assert "last-certificate-link" not in b and f"/verification/certificates/{cert.pk}/" not in b
    assert 'id="last-certificate-link"' in block(instrument_page(flow.owner_user, w.instrument_ks))


def test_events_panel_lists_every_source_in_both_languages(flow):
    w = flow.world
    cert = flow.issued()
    event = reported(w, w.instrument_ks, on=flow.today - dt.timedelta(days=400),
                     next_due=flow.today - dt.timedelta(days=35))
    html = instrument_page(flow.owner_user, w.instrument_ks)
    panel = re.search(r"检定记录（全部来源）.*?</table>", html, re.S).group(0)
    assert cert.number in panel and event.number in panel
    assert "检定机构报送的记录" in text(panel) and "经本系统出具的证书" in text(panel)
    en = instrument_page(flow.owner_user, w.instrument_ks, "en")
    assert "Verification events (all sources)" in en and "record reported by the institution" in en


def test_other_county_gets_no_page(flow):
    flow.issued()
    client = Client()
    client.force_login(flow.world.users["xuanwu"])
    assert client.get(f"/registry/instruments/{flow.world.instrument_ks.pk}/").status_code == 404
