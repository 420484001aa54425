"""The public check's front door /verify/ (number and check code typed in), and a notice of non-conformity that
leads with 不合格 in red and what it means, never with a green "valid"."""

import re

import pytest
from django.conf import settings
from django.test import Client
from verification_helpers import scale_points

pytestmark = pytest.mark.django_db(transaction=False)

FAILING = scale_points([("Min", "0.1", "0.1"), ("500e", "2.5", "2.51"), ("2000e", "10", "10"), ("Max", "15", "15")])


def anonymous(lang="zh-hans") -> Client:
    c = Client()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return c


@pytest.mark.parametrize("lang,label", [("zh-hans", "证书编号"), ("en", "Certificate number")])
def test_front_door_asks_for_number_and_code(db, lang, label):
    r = anonymous(lang).get("/verify/")
    body = r.content.decode()
    assert r.status_code == 200 and 'id="cert-number"' in body and 'id="check-code"' in body and label in body
    assert 'id="verify-status"' not in body


def test_front_door_leads_to_the_certificate_with_the_code_as_typed(flow):
    cert = flow.issued()
    typed = f" {cert.check_code[:4].lower()}-{cert.check_code[4:]} "
    r = anonymous().get("/verify/", {"number": f" {cert.number} ", "code": typed})
    assert r.status_code == 302 and r["Location"] == f"/verify/{cert.number}?code={cert.check_code}"
    page = anonymous().get(r["Location"]).content.decode()
    assert 'data-status="valid"' in page and "alert-success" in page


@pytest.mark.parametrize("query", [{"number": "", "code": "ABCD-EFGH"}, {"number": "X-1", "code": ""},
                                   {"number": "a/b", "code": "ABCD-EFGH"}])
def test_front_door_without_number_or_code_says_what_is_missing(db, query):
    r = anonymous().get("/verify/", query)
    body = r.content.decode()
    assert r.status_code == 400 and "请输入证书编号和证书上印的查验码" in body and 'id="cert-number"' in body


def test_the_login_page_links_to_the_public_check(db):
    assert 'href="/verify/" id="public-check-link"' in anonymous().get("/login/").content.decode()


def test_the_top_bar_links_to_the_public_check_for_everyone(db, django_user_model):
    """#10 item 8: the public check is reachable from the top bar, signed in or not."""
    assert 'href="/verify/" id="nav-public-check"' in anonymous().get("/verify/").content.decode()
    signed_in = anonymous("en")
    signed_in.force_login(django_user_model.objects.create_user("reader", password="x" * 12))
    page = signed_in.get("/").content.decode()
    assert 'href="/verify/" id="nav-public-check"' in page and "Check a certificate" in page


@pytest.mark.parametrize("lang,fail,meaning", [
    ("zh-hans", "不合格", "不得用于贸易结算"), ("en", "fail", "must not be used for trade settlement")])
def test_notice_of_non_conformity_leads_with_non_conforming_in_red(flow, lang, fail, meaning):
    notice = flow.issued(points=FAILING)
    body = anonymous(lang).get(f"/verify/{notice.number}", {"code": notice.check_code}).content.decode()
    verdict = re.search(r'<div class="alert alert-(\w+)" id="verify-verdict">(.*?)</table>', body, re.S)
    assert verdict.group(1) == "danger"
    lead = re.search(r'<div class="([^"]+)" id="verify-outcome" data-outcome="fail">([^<]+)</div>', body)
    assert "text-danger" in lead.group(1) and lead.group(2) == fail
    assert body.index('id="verify-outcome"') < body.index('id="verify-status"')  # it leads
    assert meaning in re.search(r'id="outcome-meaning">([^<]+)<', body).group(1)
    assert re.search(rf'id="verify-result" class="fw-semibold text-danger">{fail}<', body)
    assert notice.content["measured_on"] in body


def test_a_passing_certificate_shows_its_result_in_words(flow):
    cert = flow.issued()
    body = anonymous("en").get(f"/verify/{cert.number}", {"code": cert.check_code}).content.decode()
    assert re.search(r'id="verify-result" class="fw-semibold text-success">pass<', body)
    assert 'id="verify-outcome"' not in body and "alert-success" in body
