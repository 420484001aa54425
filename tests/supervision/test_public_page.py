"""The public status page /i/<code>: its wording and colour for every status in both languages, the one 404 for
every unknown code, the rate limits, caching and cookies, and that it publishes no personal or internal data."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.formats import date_format

from jiliang.core import services
from jiliang.core.audit import audit_context
from jiliang.registry import models as m
from jiliang.supervision import lifecycle

from .public_helpers import (  # noqa: F401  (fresh_cache: autouse)
    ALL,
    INSTRUMENT_ADDRESS,
    OWNER_ADDRESS,
    OWNER_CONTACT,
    OWNER_PHONE,
    event,
    fresh_cache,
    in_status,
    instrument,
)

TONE = {"valid": "success", "due_soon": "warning", "overdue": "danger", "failed": "danger",
        "never_verified": "danger", "life_ended": "danger", "not_counted": "secondary", "out_of_service": "secondary"}
# What a shopper reads, written here independently of the code: headline and sentence ({date}: valid until).
WORDS = {
    "en": {
        "valid": ("Verified: may be used", "This instrument passed its verification and may be used until {date}."),
        "due_soon": ("Verified: due for verification soon",
                     "This instrument is still valid until {date}, but its next verification is due soon."),
        "overdue": ("Verification overdue", "The verification of this instrument ran out on {date}: it should not "
                                            "be used for trade until it is verified again."),
        "failed": ("Failed verification", "This instrument failed its latest verification: it must not be used "
                                          "until it is repaired and passes a new verification."),
        "never_verified": ("Never verified", "No verification of this instrument is on record: it must be verified "
                                             "before it is used."),
        "life_ended": ("Service life ended", "This meter may only be used for a fixed service life, which ended on "
                                             "{date}: it must be replaced."),
        "not_counted": ("Not under mandatory verification",
                        "The law does not require this instrument to be verified by the state (it is not used for "
                        "trade, safety, health or environmental monitoring), so there is no verification status to "
                        "show."),
        "out_of_service": ("Out of service", "This instrument has been taken out of service and should not be in "
                                             "use."),
    },
    "zh-hans": {
        "valid": ("检定合格，可以使用", "本器具检定合格，有效期至{date}，可以使用。"),
        "due_soon": ("检定合格，即将到期", "本器具仍在有效期内（至{date}），但即将到期，应尽快送检。"),
        "overdue": ("超期未检", "本器具的检定有效期已于{date}届满：重新检定合格前，不应用于贸易结算。"),
        "failed": ("检定不合格", "本器具最近一次检定不合格：修理并重新检定合格前，不得使用。"),
        "never_verified": ("从未检定", "没有本器具的检定记录：使用前必须经过检定。"),
        "life_ended": ("使用期限已到", "本表只能在规定的使用期限内使用，期限已于{date}届满：必须更换。"),
        "not_counted": ("不属于强制检定",
                        "本器具不属于依法强制检定的计量器具（未用于贸易结算、安全防护、医疗卫生或环境监测），"
                        "因此没有检定状态可显示。"),
        "out_of_service": ("已停止使用", "本器具已停止使用，不应再投入使用。"),
    },
}
DUE = {"valid": 300, "due_soon": 10, "overdue": -5, "life_ended": -3}


def text_of(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</(p|dd|div|a|strong)>', html, re.S)
    assert found, element_id
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def page(code, lang=None, client=None, **extra):
    return (client or Client()).get(f"/i/{code}" + (f"?lang={lang}" if lang else ""), **extra)


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
@pytest.mark.parametrize("status", ALL)
def test_each_status_reads_in_words_and_colour_a_shopper_understands(world, status, lang):
    inst = in_status(world, status)
    r = page(inst.instrument_code, lang)
    assert r.status_code == 200
    html = r.content.decode()
    headline, sentence = WORDS[lang][status]
    if status in DUE:
        with translation.override(lang):
            sentence = sentence.format(date=date_format(timezone.localdate() + dt.timedelta(days=DUE[status])))
    assert text_of(html, "status-headline") == headline
    assert text_of(html, "status-sentence") == sentence
    assert f'data-status="{status}"' in html and f'data-tone="{TONE[status]}"' in html
    assert f'class="card-body rounded text-bg-{TONE[status]}"' in html


def test_the_page_follows_the_site_language_cookie_and_is_chinese_by_default(world):
    inst = in_status(world, "valid")
    assert text_of(page(inst.instrument_code).content.decode(), "status-headline") == "检定合格，可以使用"
    c = Client()
    c.cookies["django_language"] = "en"
    assert text_of(page(inst.instrument_code, client=c).content.decode(), "status-headline") == \
        "Verified: may be used"


def test_what_the_instrument_is_and_its_last_verification(world):
    inst = in_status(world, "valid")
    html = page(inst.instrument_code, "en").content.decode()
    assert text_of(html, "fact-maker") == "凯丰衡器" and text_of(html, "fact-model") == "ACS-15"
    assert text_of(html, "fact-owner") == "昆山精密机械有限公司"
    assert text_of(html, "fact-county") == "Kunshan"
    assert text_of(html, "last-institution") == "江苏省计量科学研究院"
    assert text_of(html, "last-date") == date_format(timezone.localdate() - dt.timedelta(days=20))
    assert text_of(html, "last-result") == "pass"
    assert "certificate-check" not in html  # a record the institution reported has no certificate in jiliang
    zh = page(inst.instrument_code, "zh-hans").content.decode()
    assert text_of(zh, "fact-county") == "昆山市" and text_of(zh, "last-result") == "合格"


def test_a_jiliang_certificate_links_to_its_public_check(flow):
    cert = flow.issued()
    inst = m.Instrument.objects.get(pk=cert.instrument_id)
    html = page(inst.instrument_code, "en").content.decode()
    assert f'href="/verify/{cert.number}"' in html
    assert Client().get(f"/verify/{cert.number}").status_code == 200  # the check asks for the printed code


def test_no_personal_or_internal_data_on_the_page(world):
    inst = in_status(world, "valid")
    with audit_context(actor=world.admin, channel="command"):
        services.update_record(world.ent_ks, {"address": OWNER_ADDRESS, "contact_name": OWNER_CONTACT,
                                              "contact_phone": OWNER_PHONE}, actor=world.admin)
    for lang in ("en", "zh-hans"):
        html = page(inst.instrument_code, lang).content.decode()
        for secret in (OWNER_ADDRESS, OWNER_CONTACT, OWNER_PHONE, INSTRUMENT_ADDRESS, inst.serial_number,
                       world.ent_ks.uscc, f"/registry/instruments/{inst.pk}", "csrfmiddlewaretoken"):
            assert secret not in html
        assert not re.search(rf'\b{inst.pk}\b', re.sub(r"<[^>]+>", " ", html).replace(inst.instrument_code, ""))


def test_the_page_is_cacheable_and_sets_no_cookie(world):
    inst = in_status(world, "valid")
    r = page(inst.instrument_code)
    assert r["Cache-Control"] == "public, max-age=60"
    assert "Cookie" in r["Vary"]
    assert not r.cookies


def test_codes_are_compacted_before_the_lookup(world):
    inst = in_status(world, "valid")
    spaced = " ".join(inst.instrument_code[i:i + 4] for i in range(0, len(inst.instrument_code), 4)).lower()
    assert page(spaced.replace(" ", "%20")).status_code == 200


def test_unknown_malformed_and_deleted_codes_get_the_same_bytes(world):
    gone = instrument(world, "PUB-GONE")
    gone_code = gone.instrument_code
    with audit_context(actor=world.admin, channel="command"):
        services.delete_record(gone, actor=world.admin)
    assert not m.Instrument.objects.filter(instrument_code=gone_code).exists()
    never = "JL" + ("0" * 10) + "0"
    assert not m.Instrument.objects.filter(instrument_code=never).exists()
    answers = [page(code) for code in (never, "<script>", "!!", gone_code, "x" * 41)]
    assert {r.status_code for r in answers} == {404}
    assert len({r.content for r in answers}) == 1
    assert len({tuple(sorted((k, v) for k, v in r.items() if k not in ("Date", "X-Request-ID"))) for r in answers}) == 1
    assert "Not found" in page(never, "en").content.decode() and never not in answers[0].content.decode()


@pytest.fixture
def tight(settings):
    settings.JILIANG_RATE_PUBLIC_PAGE = "5/min"
    settings.JILIANG_RATE_PUBLIC_NOT_FOUND = "3/min"
    return settings


def test_over_the_page_limit_a_friendly_429_with_retry_after(world, tight):
    inst = in_status(world, "valid")
    codes = [page(inst.instrument_code, "en").status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    r = page(inst.instrument_code, "en")
    assert r.status_code == 429 and 0 < int(r["Retry-After"]) <= 60
    assert "Too many requests from your address" in r.content.decode()
    assert "no-store" in r["Cache-Control"]
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert page(inst.instrument_code, client=other).status_code == 200  # per client address


def test_not_found_answers_are_limited_harder_and_then_nothing_is_answered(world, tight):
    inst = in_status(world, "valid")
    assert [page(f"JL{n:011d}").status_code for n in range(3)] == [404, 404, 404]
    assert page("JL99999999999").status_code == 429
    assert page(inst.instrument_code).status_code == 429  # an existing code is not told apart once over


def test_a_status_page_on_a_never_refreshed_instrument_still_answers(world):
    from jiliang.supervision.models import InstrumentState

    inst = in_status(world, "valid")
    InstrumentState.objects.filter(pk=inst.pk).delete()
    html = page(inst.instrument_code, "en").content.decode()
    assert 'data-status="valid"' in html


def test_a_verification_without_a_period_is_valid_without_an_end(world):
    inst = instrument(world, "PUB-NOPERIOD")
    event(world, inst, "NOPERIOD", timezone.localdate() - dt.timedelta(days=3))
    html = page(inst.instrument_code, "en").content.decode()
    assert 'data-status="valid"' in html


def test_status_words_cover_every_lifecycle_status():
    from jiliang.supervision import public_views

    assert set(public_views.SENTENCES) == set(public_views.TONES) == set(lifecycle.STATUSES) | {"out_of_service"}


def test_the_server_keeps_the_rendered_page_for_a_minute_and_not_at_all_with_zero(world, settings):
    inst = in_status(world, "valid")
    assert 'data-status="valid"' in page(inst.instrument_code, "en").content.decode()
    event(world, inst, "LATER-FAIL", timezone.localdate(), result="fail")
    assert 'data-status="valid"' in page(inst.instrument_code, "en").content.decode()  # kept
    assert 'data-status="failed"' in page(inst.instrument_code, "zh-hans").content.decode()  # per language
    settings.JILIANG_PUBLIC_PAGE_CACHE_S = 0
    from django.core.cache import cache

    cache.clear()
    assert 'data-status="failed"' in page(inst.instrument_code, "en").content.decode()
    event(world, inst, "LATER-PASS", timezone.localdate(), next_due=timezone.localdate() + dt.timedelta(days=300))
    assert 'data-status="valid"' in page(inst.instrument_code, "en").content.decode()
