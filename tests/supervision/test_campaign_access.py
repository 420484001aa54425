"""Who sees and does what with campaigns, pages and API, for every role of the world: the organiser and the bureaus
above see all of it; a covered county sees the campaign and its own targets; an assigned inspector the campaign and
their targets; institutes, enterprises and anonymous visitors nothing. Pages render in both languages."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from tests.conftest import client_for, web_client_for
from tests.supervision.campaign_fixtures import finding, provincial_campaign, spec

from jiliang.supervision import campaigns
from jiliang.supervision.models import Campaign, CampaignStatus

ROLES = ["province", "suzhou", "kunshan", "xuanwu", "changshu", "institute", "enterprise", "anonymous"]
# A provincial campaign over Suzhou with Kunshan's and Xuanwu's inspectors (Xuanwu is outside Suzhou).
SEES = {"province": "all", "suzhou": "all-targets", "kunshan": "own", "xuanwu": "assigned", "changshu": "own",
        "institute": None, "enterprise": None, "anonymous": None}


@pytest.fixture
def drawn(cworld):
    w = cworld
    c = provincial_campaign(w, inspectors=[(w.ks.pk, None), (w.xw.pk, None)], sample_size=12, min_per_county=2)
    finding(c.targets.get(position=1), "overdue")
    return w, c


def _expected_targets(w, c, role):
    kind = SEES[role]
    targets = c.targets.all()
    if kind in ("all", "all-targets"):
        return set(targets.values_list("pk", flat=True))
    user = w.users[role]
    if kind == "own":
        return set(targets.filter(county_id=user.region_id).values_list("pk", flat=True)) | set(
            targets.filter(inspector=user).values_list("pk", flat=True))
    if kind == "assigned":
        return set(targets.filter(inspector=user).values_list("pk", flat=True))
    return set()


@pytest.mark.parametrize("role", ROLES)
def test_api_matrix(drawn, role):
    w, c = drawn
    user = w.users[role]
    client = client_for(user)
    detail = client.get(reverse("api:campaign-detail", args=[c.pk]))
    listing = client.get(reverse("api:campaign-list"))
    if role == "anonymous":
        assert detail.status_code in (401, 403) and listing.status_code in (401, 403)
        return
    visible = SEES[role] is not None
    assert detail.status_code == (200 if visible else 404)
    assert (c.pk in {r["id"] for r in listing.json()["results"]}) == visible
    targets = client.get(reverse("api:campaign-targets", args=[c.pk]), {"page_size": 1000})
    results = client.get(reverse("api:campaign-results", args=[c.pk]))
    if not visible:
        assert targets.status_code == 404 and results.status_code == 404
        return
    assert {t["id"] for t in targets.json()["results"]} == _expected_targets(w, c, role)
    assert results.json()["total"]["targets"] == len(_expected_targets(w, c, role))
    draw = client.post(reverse("api:campaign-close", args=[c.pk]))
    assert draw.status_code == (200 if role == "province" else 403)


def test_api_define_draw_verify_close(cworld):
    w = cworld
    client = client_for(w.users["kunshan"])
    payload = {"title": "昆山抽查", "period_start": "2026-01-01", "period_end": "2026-12-31", "sample_size": 4,
               "inspectors": [{"user": w.ks.pk}]}
    bad = client.post(reverse("api:campaign-list"), {**payload, "sample_size": 0, "regions": ["320102"]},
                      format="json")
    assert bad.status_code == 400 and "sample_size" in bad.json()
    bad = client.post(reverse("api:campaign-list"), {**payload, "regions": ["320102"]}, format="json")
    assert bad.status_code == 400 and "320102" in bad.json()["regions"][0]
    made = client.post(reverse("api:campaign-list"), payload, format="json")
    assert made.status_code == 201, made.json()
    pk = made.json()["id"]
    assert made.json()["inspectors"] == [{"user": w.ks.pk, "county": "320583"}]
    too_big = client.post(reverse("api:campaign-list"), {**payload, "sample_size": 50}, format="json").json()["id"]
    err = client.post(reverse("api:campaign-draw", args=[too_big]), {"seed": "x"}, format="json")
    assert err.status_code == 400 and "大于抽样总体 13" in err.json()["sample_size"][0]
    err = client.post(reverse("api:campaign-draw", args=[too_big]), {"seed": "x"}, format="json",
                      HTTP_ACCEPT_LANGUAGE="en")
    assert "larger than the population of 13" in err.json()["sample_size"][0]
    drawn = client.post(reverse("api:campaign-draw", args=[pk]), {"seed": "api-seed"}, format="json")
    assert drawn.status_code == 200 and drawn.json()["status"] == "drawn" and drawn.json()["seed"] == "api-seed"
    check = client.post(reverse("api:campaign-verify-draw", args=[pk])).json()
    assert check["ok"] is True and check["population_size"] == 13
    csv_text = client.get(reverse("api:campaign-population", args=[pk])).content.decode()
    assert csv_text.count("\n") == 14
    report = client.get(reverse("api:campaign-report", args=[pk]), {"output": "xlsx"})
    assert load_workbook(io.BytesIO(report.content)).sheetnames[4]
    assert client.get(reverse("api:campaign-report", args=[pk])).content.startswith(b"%PDF")
    assert client.post(reverse("api:campaign-close", args=[pk])).json()["status"] == "closed"
    for role in ("institute", "enterprise"):
        denied = client_for(w.users[role]).post(reverse("api:campaign-list"), payload, format="json")
        assert denied.status_code == 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_pages_matrix(drawn, role, lang):
    w, c = drawn
    client = web_client_for(w.users[role])
    client.cookies["django_language"] = lang
    pages = [reverse("campaigns-detail", args=[c.pk]), reverse("campaigns-report-pdf", args=[c.pk]),
             reverse("campaigns-report-xlsx", args=[c.pk]), reverse("campaigns-population", args=[c.pk])]
    listing = client.get(reverse("campaigns-list"))
    if role == "anonymous":
        assert all(client.get(p).status_code == 302 for p in pages) and listing.status_code == 302
        return
    visible = SEES[role] is not None
    for p in pages:
        assert client.get(p).status_code == (200 if visible else 404), p
    assert listing.status_code == 200
    assert (c.number in listing.content.decode()) == visible
    if not visible:
        return
    page = client.get(pages[0]).content.decode()
    shown = {int(x) for x in __import__("re").findall(r'data-position="(\d+)"', page)}
    assert shown == set(c.targets.filter(pk__in=_expected_targets(w, c, role)).values_list("position", flat=True))
    assert ("draw-seed-value" in page) and ("Wilson" in page)
    assert ('id="close-campaign"' in page) == (role == "province")  # the organiser (and superusers) only
    assert ('id="partial-view"' in page) == (role != "province")


def test_create_page_field_errors_and_draw_buttons(cworld):
    w = cworld
    client = web_client_for(w.users["suzhou"])
    form = client.get(reverse("campaigns-new"))
    assert form.status_code == 200 and f'value="{w.ks.pk}"' in form.content.decode()
    bad = client.post(reverse("campaigns-new"), {"title": "x", "period_start": "2026-02-01", "period_end": "2026-01-01",
                                                 "target_kind": "instruments", "sample_size": "3",
                                                 "min_per_county": "5", "inspectors": [w.ks.pk]})
    html = bad.content.decode()
    assert 'data-field="period_end"' in html and 'data-field="min_per_county"' in html
    assert Campaign.objects.count() == 0
    ok = client.post(reverse("campaigns-new"), {"title": "苏州抽查", "period_start": "2026-01-01",
                                                "period_end": "2026-12-31", "target_kind": "instruments",
                                                "sample_size": "6", "min_per_county": "1", "mandatory_only": "on",
                                                "exclude_own_county": "on", "inspectors": [w.ks.pk, w.changshu.pk]})
    c = Campaign.objects.get()
    assert ok.status_code == 302 and ok["Location"] == reverse("campaigns-detail", args=[c.pk])
    assert 'id="draw-button"' in client.get(ok["Location"]).content.decode()
    client.post(reverse("campaigns-draw", args=[c.pk]), {"seed": "page-seed"})
    c.refresh_from_db()
    assert c.status == CampaignStatus.DRAWN and c.seed == "page-seed" and c.targets.count() == 6
    follow = client.post(reverse("campaigns-verify", args=[c.pk]), follow=True).content.decode()
    assert c.population_sha256 in follow
    for role in ("institute", "enterprise"):
        assert web_client_for(w.users[role]).get(reverse("campaigns-new")).status_code == 403


def test_my_targets(cworld):
    w = cworld
    c = provincial_campaign(w, inspectors=[(w.ks.pk, None), (w.xw.pk, None)])
    page = web_client_for(w.xw).get(reverse("campaigns-mine")).content.decode()
    mine = c.targets.filter(inspector=w.xw)
    assert page.count("data-target=") == mine.count() > 0
    t = mine.select_related("instrument").first()
    assert reverse("instruments-detail", args=[t.instrument_id]) in page
    assert web_client_for(w.users["enterprise"]).get(reverse("campaigns-mine")).status_code == 403
    campaigns.close_campaign(c, actor=w.users["province"])


def test_list_filters_and_excel(drawn):
    w, c = drawn
    client = web_client_for(w.users["suzhou"])
    mine = campaigns.create_campaign(actor=w.users["suzhou"], spec=spec(title="苏州市局自查", sample_size=3,
                                                                       min_per_county=0,
                                                                       inspectors=[(w.ks.pk, None)]))
    page = client.get(reverse("campaigns-list"), {"status": "draft"}).content.decode()
    assert mine.number in page and c.number not in page
    data = client.get(reverse("campaigns-list"), {"export": "xlsx"}).content
    rows = list(load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))
    assert {r[0] for r in rows[1:]} == {c.number, mine.number}
    assert web_client_for(w.users["xuanwu"]).get(reverse("campaigns-list"), {"q": "苏州"}).content.decode().count(
        mine.number) == 0
