"""The inspector's phone (issue #14 item 4): finding an instrument by its code, its page, recording a finding with
photos and position (each kind, several photos, bad photos, 50 MB, 10 MB + 1 byte, the future, out-of-range
coordinates, outside the scope, a campaign target outside the inspector's county), the scan audit and the API."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from tests.conftest import client_for, web_client_for

from jiliang.core.models import AuditEntry
from jiliang.registry import codes
from jiliang.supervision import onsite
from jiliang.supervision.models import (
    Campaign,
    CampaignInspector,
    CampaignStatus,
    CampaignTarget,
    Finding,
    FindingKind,
    FindingPhoto,
    TargetStatus,
)

from .conftest import JPEG, PNG

MB = 1024 * 1024


def page_of(world, instrument=None):
    return reverse("supervision-scan-result", args=[(instrument or world.instrument_ks).instrument_code])


def post_finding(client, url, **fields):
    data = {"finding-kind": "seal_broken", "finding-found_on": timezone.localdate().isoformat(),
            "finding-detail": "", "finding-measure": "", **{f"finding-{k}": v for k, v in fields.items()}}
    return client.post(url, data)


def counts():
    return Finding.objects.count(), FindingPhoto.objects.count(), AuditEntry.objects.filter(
        object_type="supervision.finding").count()


@pytest.fixture
def campaign(world):
    """A drawn campaign of the province that sends the Xuanwu inspector to the Kunshan instrument."""
    today = timezone.localdate()
    c = Campaign.objects.create(number="SC-2025-001", title="电子计价秤专项抽查", bureau_region_id="320000",
                                period_start=today - dt.timedelta(days=10), period_end=today + dt.timedelta(days=20),
                                sample_size=1, status=CampaignStatus.DRAWN, exclude_own_county=True)
    CampaignInspector.objects.create(campaign=c, user=world.users["xuanwu"], county_id="320102")
    target = CampaignTarget.objects.create(campaign=c, position=1, instrument=world.instrument_ks, county_id="320583",
                                           inspector=world.users["xuanwu"])
    return target


def test_code_from_what_was_scanned(world):
    code = world.instrument_ks.instrument_code
    assert onsite.code_from_scan(f"https://jl.example.gov.cn/i/{code}") == code
    assert onsite.code_from_scan(f"https://jl.example.gov.cn/i/{code}/?src=label") == code
    assert onsite.code_from_scan(f"  {codes.group(code).lower()} ") == code
    assert onsite.code_from_scan("ABC-123") == "ABC-123"  # a maker's code keeps its dashes


@pytest.mark.parametrize("kind", list(FindingKind.values))
def test_each_kind_recorded_from_the_scan_page(world, kind):
    client = web_client_for(world.users["kunshan"])
    url = page_of(world)
    r = post_finding(client, url, kind=kind, detail="现场检查", measure="责令改正")
    assert r.status_code == 302 and r["Location"].endswith(url + "#history")
    finding = Finding.objects.get()
    assert (finding.kind, finding.inspector, finding.instrument, finding.found_on) == (
        kind, world.users["kunshan"], world.instrument_ks, timezone.localdate())
    assert finding.campaign is None and finding.target is None
    page = client.get(url).content.decode()
    assert f'data-finding="{finding.pk}" data-kind="{kind}"' in page
    listing = client.get(reverse("findings-list")).content.decode()  # feeds the supervision app's findings
    assert reverse("findings-detail", args=[finding.pk]) in listing


def test_date_defaults_to_today(world):
    client = web_client_for(world.users["kunshan"])
    r = post_finding(client, page_of(world), found_on="")
    assert r.status_code == 302 and Finding.objects.get().found_on == timezone.localdate()


def test_several_photos_each_served_with_its_type(world):
    client = web_client_for(world.users["kunshan"])
    r = client.post(page_of(world), {"finding-kind": "seal_broken", "finding-found_on": "",
                                     "finding-photos": [SimpleUploadedFile("seal.png", PNG, "image/png"),
                                                        SimpleUploadedFile("plate.jpg", JPEG, "image/jpeg")],
                                     "finding-latitude": "31.385000", "finding-longitude": "120.980000"})
    assert r.status_code == 302
    finding = Finding.objects.get()
    photos = list(finding.photos.all())
    assert [p.content_type for p in photos] == ["image/png", "image/jpeg"]
    assert (str(finding.latitude), str(finding.longitude)) == ("31.385000", "120.980000")
    for p, data in zip(photos, (PNG, JPEG), strict=True):
        got = client.get(reverse("findings-photo-n", args=[finding.pk, p.pk]))
        assert got.status_code == 200 and got["Content-Type"] == p.content_type and got.content == data
        api = client_for(world.users["kunshan"]).get(reverse("api:finding-photo-file", args=[finding.pk, p.pk]))
        assert api.status_code == 200 and api["Content-Type"] == p.content_type and api.content == data
    detail = client.get(reverse("findings-detail", args=[finding.pk])).content.decode()
    assert detail.count('class="finding-photo"') == 2


def test_a_photo_that_is_not_an_image_writes_nothing(world):
    client = web_client_for(world.users["kunshan"])
    before = counts()
    r = client.post(page_of(world), {"finding-kind": "other", "finding-found_on": "",
                                     "finding-photos": [SimpleUploadedFile("ok.png", PNG, "image/png"),
                                                        SimpleUploadedFile("label.gif", b"GIF89a" + b"\0" * 20)]})
    assert r.status_code == 400
    text = r.content.decode()
    assert "label.gif" in text and "JPEG" in text and "ok.png" not in text.split('data-field="photos"')[1][:200]
    assert counts() == before


def test_a_50_mb_photo_is_refused_by_name_and_size(world):
    client = web_client_for(world.users["kunshan"])
    before = counts()
    big = SimpleUploadedFile("big.jpg", JPEG + b"\0" * (50 * MB - len(JPEG)), "image/jpeg")
    r = client.post(page_of(world), {"finding-kind": "other", "finding-found_on": "", "finding-photos": [big]})
    assert r.status_code == 400
    text = r.content.decode()
    assert "big.jpg" in text and "50.0 MB" in text and "52,428,800" in text
    api = client_for(world.users["kunshan"]).post(reverse("api:finding-list"), {
        "code": world.instrument_ks.instrument_code, "kind": "other",
        "photos": [SimpleUploadedFile("big.jpg", JPEG + b"\0" * (50 * MB - len(JPEG)), "image/jpeg")]},
        format="multipart")
    assert api.status_code == 400 and "big.jpg" in api.json()["photos"][0] and "50.0 MB" in api.json()["photos"][0]
    assert counts() == before


def test_ten_megabytes_and_one_byte(world):
    client = web_client_for(world.users["kunshan"])
    edge = JPEG + b"\0" * (10 * MB - len(JPEG))
    r = client.post(page_of(world), {"finding-kind": "other", "finding-found_on": "",
                                     "finding-photos": [SimpleUploadedFile("over.jpg", edge + b"\0", "image/jpeg")]})
    assert r.status_code == 400 and "over.jpg" in r.content.decode() and "10,485,761" in r.content.decode()
    assert Finding.objects.count() == 0
    r = client.post(page_of(world), {"finding-kind": "other", "finding-found_on": "",
                                     "finding-photos": [SimpleUploadedFile("edge.jpg", edge, "image/jpeg")]})
    assert r.status_code == 302 and len(bytes(Finding.objects.get().photos.get().data)) == 10 * MB


def test_a_date_in_the_future_and_coordinates_out_of_range(world):
    client = web_client_for(world.users["kunshan"])
    before = counts()
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    r = post_finding(client, page_of(world), found_on=tomorrow)
    assert r.status_code == 400 and 'data-field="found_on"' in r.content.decode()
    r = post_finding(client, page_of(world), latitude="91", longitude="120")
    assert r.status_code == 400 and 'data-field="latitude"' in r.content.decode()
    api = client_for(world.users["kunshan"])
    for lat, lon, field in (("31", "181", "longitude"), ("-90.5", "120", "latitude"), ("31", "", "latitude")):
        body = {"instrument": world.instrument_ks.pk, "kind": "other", "latitude": lat}
        if lon:
            body["longitude"] = lon
        got = api.post(reverse("api:finding-list"), body, format="multipart")
        assert got.status_code == 400 and field in got.json(), (lat, lon, got.content)
    with pytest.raises(Exception) as exc:
        onsite.record_finding(actor=world.users["kunshan"], instrument=world.instrument_ks,
                              found_on=timezone.localdate(), kind="other", latitude=95, longitude=200)
    assert {"latitude", "longitude"} <= set(exc.value.message_dict)
    assert counts() == before


def test_outside_the_scope_is_the_same_answer_as_unknown(world):
    client = web_client_for(world.users["kunshan"])
    other = client.get(page_of(world, world.instrument_xw))
    unknown = client.get(reverse("supervision-scan-result", args=["NO-SUCH-CODE-1"]))
    assert other.status_code == unknown.status_code == 404
    message = "No instrument with this code in your scope"
    client_en = web_client_for(world.users["kunshan"])
    client_en.cookies["django_language"] = "en"
    for r in (client_en.get(page_of(world, world.instrument_xw)),
              client_en.get(reverse("supervision-scan-result", args=["NO-SUCH-CODE-1"]))):
        assert message in r.content.decode() and world.ent_xw.name not in r.content.decode()
    before = counts()
    r = post_finding(client, page_of(world, world.instrument_xw))
    assert r.status_code == 404 and counts() == before
    api = client_for(world.users["kunshan"])
    assert api.get(reverse("api:supervision-scan-detail", args=[world.instrument_xw.instrument_code])).status_code == 404
    assert api.post(reverse("api:finding-list"), {"code": world.instrument_xw.instrument_code, "kind": "other"},
                    format="multipart").status_code == 404
    with pytest.raises(Exception, match="outside your region"):
        with translation.override("en"):
            onsite.record_finding(actor=world.users["kunshan"], instrument=world.instrument_xw,
                                  found_on=timezone.localdate(), kind="other")
    assert counts() == before


def test_a_misread_character(world):
    code = world.instrument_ks.instrument_code
    assert code.startswith("JL")
    wrong = code[:-1] + next(c for c in codes.ALPHABET if c != code[-1])
    client = web_client_for(world.users["kunshan"])
    client.cookies["django_language"] = "en"
    r = client.get(reverse("supervision-scan-result", args=[wrong]))
    assert r.status_code == 400 and "misread" in r.content.decode()
    sgcc = "1" * 21 + str((int(codes.gs1_check_digit("1" * 21)) + 1) % 10)
    r = client.get(reverse("supervision-scan-result", args=[sgcc]))
    assert r.status_code == 400 and "misread" in r.content.decode()
    api = client_for(world.users["kunshan"]).get(reverse("api:supervision-scan-detail", args=[wrong]))
    assert api.status_code == 400 and "code" in api.json()
    typed = client.get(reverse("supervision-scan"), {"code": f"https://x.example/i/{codes.group(code).lower()}"})
    assert typed.status_code == 302 and typed["Location"] == page_of(world)


def test_the_page_shows_status_owner_history_and_audits_the_scan(sup):
    w = sup.world
    w.ent_ks.contact_name, w.ent_ks.contact_phone = "王经理", "0512-55550000"
    w.ent_ks.save(update_fields=["contact_name", "contact_phone"])
    client = web_client_for(w.users["kunshan"])
    r = client.get(page_of(w))
    html = r.content.decode()
    assert r.status_code == 200
    assert 'data-state="overdue"' in html and "2025-07-10" in html and "OLD-1" in html  # status, next due, event
    assert w.inst_p.name in html and "王经理" in html and 'href="tel:0512-55550000"' in html
    assert f'data-finding="{sup.finding_ks.pk}"' in html and sup.notice_ks.number in html
    entry = AuditEntry.objects.filter(object_type="registry.instrument", object_id=str(w.instrument_ks.pk),
                                      actor=w.users["kunshan"]).latest("pk")
    assert entry.after == {"scan": w.instrument_ks.instrument_code} and entry.channel == "web"
    trail = web_client_for(w.users["suzhou"]).get(reverse("audit-list"), {
        "object_type": "registry.instrument", "object_id": w.instrument_ks.pk})
    assert reverse("audit-detail", args=[entry.pk]) in trail.content.decode()  # the city bureau sees who looked
    api = client_for(w.users["kunshan"]).get(reverse("api:supervision-scan-detail",
                                                     args=[w.instrument_ks.instrument_code.lower()]))
    body = api.json()
    assert api.status_code == 200 and body["state"]["status"] == "overdue"
    assert body["state"]["last_verification"]["institution"] == w.inst_p.name
    assert body["owner"]["contact_phone"] == "0512-55550000" and body["may_record"] is True
    assert [f["id"] for f in body["findings"]] == [sup.finding_ks.pk]
    assert {k: body["findings"][0]["photos"][0][k] for k in ("content_type", "size")} == {
        "content_type": "image/png", "size": len(PNG)}
    assert [n["number"] for n in body["notices"]] == [sup.notice_ks.number]
    assert AuditEntry.objects.filter(object_type="registry.instrument", object_id=str(w.instrument_ks.pk),
                                     after={"scan": w.instrument_ks.instrument_code}, channel="api").count() == 1


def test_a_campaign_sends_an_inspector_outside_their_county(world, campaign):
    xw = world.users["xuanwu"]
    client = web_client_for(xw)
    url = page_of(world)
    page = client.get(url)
    assert page.status_code == 200 and "SC-2025-001" in page.content.decode()
    assert 'id="finding-form"' in page.content.decode()
    r = post_finding(client, url, kind="overdue", measure="责令停止使用")
    assert r.status_code == 302
    finding = Finding.objects.get()
    campaign.refresh_from_db()
    assert (finding.campaign_id, finding.target_id, finding.inspector) == (campaign.campaign_id, campaign.pk, xw)
    assert campaign.status == TargetStatus.CHECKED
    assert client.get(reverse("findings-detail", args=[finding.pk])).status_code == 200  # their own finding
    # the target is checked: no longer assigned, so the Kunshan instrument is outside Xuanwu's scope again
    assert client.get(url).status_code == 404
    assert post_finding(client, url).status_code == 404 and Finding.objects.count() == 1
    # the county bureau of the instrument still records, without a campaign link
    ks = onsite.record_finding(actor=world.users["kunshan"], instrument=world.instrument_ks,
                               found_on=timezone.localdate(), kind="conforming")
    assert ks.campaign is None and ks.target is None


def test_a_campaign_finding_through_the_api(world, campaign):
    api = client_for(world.users["xuanwu"])
    r = api.post(reverse("api:finding-list"), {"code": world.instrument_ks.instrument_code, "kind": "conforming",
                                               "photos": [SimpleUploadedFile("p.png", PNG, "image/png")]}, format="multipart")
    assert r.status_code == 201, r.content
    assert (r.json()["campaign"], r.json()["target"]) == (campaign.campaign_id, campaign.pk)
    campaign.refresh_from_db()
    assert campaign.status == TargetStatus.CHECKED
    listed = api.get(reverse("api:finding-list")).json()["results"]
    assert [f["id"] for f in listed] == [r.json()["id"]]  # their own, though outside their county


def test_a_province_or_city_user_sees_but_does_not_record(world):
    for role in ("province", "suzhou"):
        client = web_client_for(world.users[role])
        page = client.get(page_of(world))
        assert page.status_code == 200 and 'id="finding-form"' not in page.content.decode()
        assert post_finding(client, page_of(world)).status_code == 403
    assert Finding.objects.count() == 0
