"""The access matrix of the inspector's phone: the scan page, the result page of the Kunshan instrument's code, the
scan API, the findings API and the photo views (web and API), for every role of the test world (province, Suzhou,
Kunshan, Xuanwu, institute, the Kunshan enterprise, the Xuanwu enterprise, anonymous). Written out by hand.

Bureau users inspect instruments of their region (the province and Suzhou see the Kunshan instrument, Xuanwu does
not: the same 404 as an unknown code); others are refused the inspector's pages (403); the photo of a finding is
seen by whoever sees the finding (the Kunshan enterprise sees the findings about its instruments)."""

import pytest
from django.urls import reverse
from tests.conftest import client_for, web_client_for

from .conftest import ROLES8

SCAN_PAGE = {"province": 200, "suzhou": 200, "kunshan": 200, "xuanwu": 200, "institute": 403, "enterprise": 403,
             "other_enterprise": 403, "anonymous": 302}
RESULT_KS = {**SCAN_PAGE, "xuanwu": 404}
API_KS = {**RESULT_KS, "anonymous": 401}
PHOTO_KS = {"province": 200, "suzhou": 200, "kunshan": 200, "xuanwu": 404, "institute": 404, "enterprise": 200,
            "other_enterprise": 404, "anonymous": 302}


@pytest.mark.parametrize("role", ROLES8)
def test_scan_and_result_pages(sup, role):
    client = web_client_for(sup.world.users[role])
    code = sup.world.instrument_ks.instrument_code
    assert client.get(reverse("supervision-scan")).status_code == SCAN_PAGE[role]
    result = client.get(reverse("supervision-scan-result", args=[code]))
    assert result.status_code == RESULT_KS[role]
    if RESULT_KS[role] == 200:
        assert sup.world.ent_ks.name in result.content.decode()
    elif role == "anonymous":
        assert result["Location"].startswith("/login/")


@pytest.mark.parametrize("role", ROLES8)
def test_scan_api(sup, role):
    r = client_for(sup.world.users[role]).get(reverse("api:supervision-scan-detail",
                                                      args=[sup.world.instrument_ks.instrument_code]))
    expected = API_KS[role]
    assert r.status_code in ((401, 403) if expected == 401 else (expected,))
    if expected == 200:
        assert r.json()["instrument"]["id"] == sup.world.instrument_ks.pk


@pytest.mark.parametrize("role", ROLES8)
def test_photo_views(sup, role):
    finding = sup.finding_ks
    photo = finding.photos.get()
    web = web_client_for(sup.world.users[role])
    api = client_for(sup.world.users[role])
    got = [web.get(reverse("findings-photo", args=[finding.pk])),
           web.get(reverse("findings-photo-n", args=[finding.pk, photo.pk]))]
    api_got = [api.get(reverse("api:finding-photo", args=[finding.pk])),
               api.get(reverse("api:finding-photo-file", args=[finding.pk, photo.pk]))]
    if role == "anonymous":
        assert all(r.status_code == 302 for r in got) and all(r.status_code in (401, 403) for r in api_got)
        return
    assert [r.status_code for r in got + api_got] == [PHOTO_KS[role]] * 4
    if PHOTO_KS[role] == 200:
        assert all(r["Content-Type"] == "image/png" for r in got + api_got)
    # a photo id of another finding is never served through this one
    other = sup.finding_xw.photos.get()
    assert web.get(reverse("findings-photo-n", args=[finding.pk, other.pk])).status_code == 404


@pytest.mark.parametrize("role", ROLES8)
def test_findings_api_list(sup, role):
    r = client_for(sup.world.users[role]).get(reverse("api:finding-list"), {"page_size": 100})
    if role == "anonymous":
        assert r.status_code in (401, 403)
        return
    ids = {f["id"] for f in r.json()["results"]}
    assert (sup.finding_ks.pk in ids) == (PHOTO_KS[role] == 200)
    assert (sup.finding_xw.pk in ids) == (role in {"province", "xuanwu", "other_enterprise"})
