"""The access matrix of supervision's notices, findings, reminders and late requests: every endpoint and page with
every role (province, city, county, other county, institute, enterprise, other enterprise, anonymous).

Written out by hand: the Kunshan records (the Kunshan enterprise's instrument, its notice from the Kunshan bureau,
the late work order at the provincial institute) are seen by the province, Suzhou, Kunshan and the Kunshan
enterprise (the late work order also by the institute); the Xuanwu records by the province, Xuanwu and the Xuanwu
enterprise.
"""

import io

import pytest
from django.urls import reverse
from tests.conftest import check_api_read, client_for, web_client_for

from .conftest import JPEG, ROLES8

KS = {"province", "suzhou", "kunshan", "enterprise"}
XW = {"province", "xuanwu", "other_enterprise"}
VISIBLE = {"notice_ks": KS, "notice_xw": XW, "finding_ks": KS, "finding_xw": XW, "reminder_ks": KS,
           "reminder_xw": XW}
API = {"notice": "api:notice", "finding": "api:finding", "reminder": "api:reminder"}
PAGE = {"notice": "notices", "finding": "findings", "reminder": "reminders"}
CASES = [(rec, role) for rec in VISIBLE for role in ROLES8]


@pytest.mark.parametrize(("record", "role"), CASES)
def test_api_read(sup, record, role):
    check_api_read(sup.world.users[role], role, API[record.split("_")[0]], getattr(sup, record).pk,
                   role in VISIBLE[record])


@pytest.mark.parametrize(("record", "role"), CASES)
def test_pages(sup, record, role):
    obj = getattr(sup, record)
    slug = PAGE[record.split("_")[0]]
    client = web_client_for(sup.world.users[role])
    listing = client.get(reverse(f"{slug}-list"))
    detail = client.get(reverse(f"{slug}-detail", args=[obj.pk]))
    export = client.get(reverse(f"{slug}-list"), {"export": "xlsx"})
    if role == "anonymous":
        assert all(r.status_code == 302 for r in (listing, detail, export))
        return
    assert listing.status_code == 200 and export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert (f'href="{reverse(f"{slug}-detail", args=[obj.pk])}"' in listing.content.decode()) == \
        (role in VISIBLE[record])
    assert detail.status_code == (200 if role in VISIBLE[record] else 404)


@pytest.mark.parametrize("role", ROLES8)
def test_pdf_and_photo(sup, role):
    web, api = web_client_for(sup.world.users[role]), client_for(sup.world.users[role])
    pdf = web.get(reverse("notices-pdf", args=[sup.notice_ks.pk]))
    api_pdf = api.get(reverse("api:notice-pdf", args=[sup.notice_ks.pk]))
    photo = web.get(reverse("findings-photo", args=[sup.finding_ks.pk]))
    api_photo = api.get(reverse("api:finding-photo", args=[sup.finding_ks.pk]))
    if role == "anonymous":
        assert pdf.status_code == 302 and photo.status_code == 302
        assert api_pdf.status_code in (401, 403) and api_photo.status_code in (401, 403)
        return
    ok = role in KS
    assert pdf.status_code == api_pdf.status_code == photo.status_code == api_photo.status_code == \
        (200 if ok else 404)
    if ok:
        assert pdf["Content-Type"] == "application/pdf" and bytes(pdf.content).startswith(b"%PDF")
        assert photo["Content-Type"] == "image/png"


LATE = {"WO-KS-LATE": {"province", "suzhou", "kunshan", "institute", "enterprise"},
        "WO-XW-LATE": {"province", "xuanwu", "other_enterprise"}}


@pytest.mark.parametrize("role", ROLES8)
def test_late_requests(sup, role):
    api = client_for(sup.world.users[role]).get(reverse("api:late-request-list"))
    page = web_client_for(sup.world.users[role]).get(reverse("late-requests"))
    export = web_client_for(sup.world.users[role]).get(reverse("late-requests"), {"export": "xlsx"})
    if role == "anonymous":
        assert api.status_code in (401, 403) and page.status_code == 302 and export.status_code == 302
        return
    assert api.status_code == page.status_code == export.status_code == 200
    numbers = {row["number"] for row in api.json()["results"]}
    assert numbers == {n for n, who in LATE.items() if role in who}  # WO-KS-OK took 7 days: not late
    html = page.content.decode()
    for n, who in LATE.items():
        assert (n in html) == (role in who)
    assert "WO-KS-OK" not in html


# role -> status of creating a notice / a finding for the Kunshan enterprise's instrument
WRITE = {"province": 403, "suzhou": 403, "kunshan": 201, "xuanwu": 404, "institute": 404, "enterprise": 403,
         "other_enterprise": 404, "anonymous": 401}
# a finding: only bureau users record (others 403 before any look-up); a bureau outside the county gets 404
WRITE_FINDING = {**WRITE, "institute": 403, "other_enterprise": 403}


@pytest.mark.parametrize("role", ROLES8)
def test_api_writes(sup, role):
    w = sup.world
    client = client_for(w.users[role])
    notice = client.post(reverse("api:notice-list"), {"owner": w.ent_ks.pk, "instruments": [w.instrument_ks.pk],
                                                      "deadline": "2099-01-01"}, format="json")
    photo = io.BytesIO(JPEG)
    photo.name = "p.jpg"
    finding = client.post(reverse("api:finding-list"), {"instrument": w.instrument_ks.pk, "found_on": "2025-06-01",
                                                        "kind": "overdue", "photos": photo}, format="multipart")
    expected = WRITE[role]
    assert notice.status_code in ((401, 403) if expected == 401 else (expected,)), notice.content
    expected = WRITE_FINDING[role]
    assert finding.status_code in ((401, 403) if expected == 401 else (expected,)), finding.content


@pytest.mark.parametrize("role", ROLES8)
def test_form_pages(sup, role):
    client = web_client_for(sup.world.users[role])
    for name in ("notices-issue", "findings-record"):
        r = client.get(reverse(name))
        if role == "anonymous":
            assert r.status_code == 302
        else:
            assert r.status_code == (200 if role in ("kunshan", "xuanwu") else 403)
