"""Label sheets as users get them: the "Print labels" page and ``POST /api/instrument-labels/`` start a job that
prints the selection the user may see; the PDF is opened and read. Jobs run inline in tests (conftest)."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from label_helpers import decoded, pdf_pages
from tests.conftest import ROLES, client_for, web_client_for

from jiliang.core import services
from jiliang.core.audit import audit_context
from jiliang.core.jobs.models import Job, JobState
from jiliang.core.jobs.services import Run
from jiliang.registry import labels
from jiliang.registry import models as m
from jiliang.registry.codes import group
from jiliang.registry.label_layouts import LAYOUTS

API = "/api/instrument-labels/"

# Who sees which of the world's two instruments (Kunshan's, Xuanwu's)
SEES = {"province": {"ks", "xw"}, "suzhou": {"ks"}, "kunshan": {"ks"}, "xuanwu": {"xw"}, "institute": set(),
        "enterprise": {"ks"}}


def result_pdf(job: Job) -> bytes:
    job.refresh_from_db()
    assert job.state == JobState.DONE, job.error
    return (settings.JILIANG_JOBS_DIR / job.result_path).read_bytes()


def flat(data: bytes) -> str:
    return "".join("".join(pdf_pages(data)).split())


def add_scales(world, n: int, owner=None, region="320583") -> list[m.Instrument]:
    with audit_context(actor=world.admin, channel="command"):
        return [services.create_record(m.Instrument, {
            "owner": owner or world.ent_ks, "category": world.scale, "manufacturer": "凯丰衡器", "model": "ACS-30",
            "serial_number": f"LB-{i:04d}", "accuracy_class": "III", "range_min": Decimal("0"),
            "range_max": Decimal("30"), "range_unit": "kg", "usage": "trade", "region_id": region,
            "status": "in_service"}, actor=world.admin) for i in range(n)]


# -- access matrix ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_api_prints_what_the_user_may_see(world, role):
    """Filters (here none: everything) select only the instruments in the user's scope."""
    user = world.users[role]
    response = client_for(user).post(API, {"layout": "L7160", "filters": {}}, format="json")
    if role == "anonymous":
        assert response.status_code in (401, 403)
        return
    if not SEES[role]:
        assert response.status_code == 400
        assert "filters" in response.json()
        assert not Job.objects.filter(owner=user).exists()
        return
    assert response.status_code == 202, response.content
    body = response.json()
    job = Job.objects.get(pk=body["id"], owner=user)
    assert response["Location"] == body["url"] and body["url"].endswith(reverse("job-detail", args=[job.pk]))
    text = flat(result_pdf(job))
    for key in ("ks", "xw"):
        instrument = getattr(world, f"instrument_{key}")
        assert (group(instrument.instrument_code) in text) == (key in SEES[role])
        assert (instrument.owner.name in text) == (key in SEES[role])


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_ids_outside_the_scope_are_refused(world, role):
    """An id list is printed whole or refused whole: an id the user may not see (or that does not exist) gets a
    400 naming it, in the same words for both, and no job."""
    user = world.users[role]
    ids = [world.instrument_ks.pk, world.instrument_xw.pk]
    response = client_for(user).post(API, {"layout": "L7163", "ids": ids}, format="json")
    hidden = [getattr(world, f"instrument_{k}").pk for k in ("ks", "xw") if k not in SEES[role]]
    if hidden:
        assert response.status_code == 400
        message = " ".join(response.json()["ids"])
        assert all(str(pk) in message for pk in hidden)
        assert not Job.objects.filter(owner=user).exists()
    else:
        assert response.status_code == 202
        data = result_pdf(Job.objects.get(pk=response.json()["id"]))
        found = decoded(data)
        assert sorted(t for kind, t in found if kind == "QRCode") == sorted(
            [world.instrument_ks.public_url, world.instrument_xw.public_url])
        assert sorted(t for kind, t in found if kind == "Code128") == sorted(
            [world.instrument_ks.instrument_code, world.instrument_xw.instrument_code])


def test_unknown_id_reads_like_another_scope(world):
    user = world.users["kunshan"]
    gone = 10**9
    answer = client_for(user).post(API, {"ids": [gone]}, format="json").json()["ids"][0]
    other = client_for(user).post(API, {"ids": [world.instrument_xw.pk]}, format="json").json()["ids"][0]
    assert answer.replace(str(gone), "#") == other.replace(str(world.instrument_xw.pk), "#")


def test_page_for_every_role(world):
    for role in ROLES:
        response = web_client_for(world.users[role]).get(reverse("instrument-labels"))
        if role == "anonymous":
            assert response.status_code == 302 and "login" in response["Location"]
            continue
        assert response.status_code == (200 if SEES[role] else 400)


# -- the PDF of a selection -------------------------------------------------------------------------------


def test_owner_selection_on_two_sheets_in_list_order(world, django_assert_max_num_queries):
    scales = add_scales(world, 24)
    user = world.users["kunshan"]
    # the list's filters: this owner's price scales of model ACS-30, sorted by serial number descending
    query = f"owner_id={world.ent_ks.pk}&q=ACS-30&sort=-serial_number"
    # the queries do not grow with the number of labels (owner and category come with each chunk)
    with django_assert_max_num_queries(40):
        job = labels.start_labels(user, layout="L7160", query=query)
    data = result_pdf(job)
    pages = pdf_pages(data)
    assert len(pages) == math.ceil(24 / 21) == 2
    text = "".join("".join(pages).split())
    codes = [group(s.instrument_code) for s in sorted(scales, key=lambda s: s.serial_number, reverse=True)]
    positions = [text.index(c) for c in codes]
    assert positions == sorted(positions)  # printed in the list's order
    assert group(world.instrument_ks.instrument_code) not in text  # model ACS-15: not selected
    assert text.count("昆山精密机械有限公司") == 24
    assert "电子计价秤ACS-30" in text or f"{world.scale.short_name}ACS-30".replace(" ", "") in text
    job.refresh_from_db()
    assert (job.done, job.total) == (24, 24)
    assert "24" in job.message and job.result_link.startswith(reverse("instruments-list"))
    qr = sorted(t for kind, t in decoded(data, 1) if kind == "QRCode")
    assert qr == sorted(s.public_url for s in sorted(scales, key=lambda s: s.serial_number, reverse=True)[21:])


def test_progress_reported_while_drawing(world, monkeypatch):
    add_scales(world, 23)
    seen = []
    real = Run.progress

    def spy(self, done, total=None, message="", *, force=False):
        seen.append((done, total))
        return real(self, done, total, message, force=force)

    monkeypatch.setattr(Run, "progress", spy)
    monkeypatch.setattr(labels, "PROGRESS_EVERY", 10)
    labels.start_labels(world.users["enterprise"], layout="L7651", query="")
    assert seen == [(0, 24), (10, 24), (20, 24), (24, 24), (24, 24)]


def test_county_selection_by_region_and_category(world):
    add_scales(world, 2, owner=world.ent_xw, region="320102")
    job = labels.start_labels(world.users["province"], layout="L7173",
                              query=f"region=320102&category={world.scale.code}")
    text = flat(result_pdf(job))
    assert text.count("玄武食品有限公司") == 3
    assert "昆山精密机械有限公司" not in text


# -- errors -------------------------------------------------------------------------------------------


def test_unknown_layout(world):
    response = client_for(world.users["kunshan"]).post(API, {"layout": "L9999", "filters": {}}, format="json")
    assert response.status_code == 400 and "layout" in response.json()
    with pytest.raises(ValidationError) as exc:
        labels.start_labels(world.users["kunshan"], layout="L9999")
    assert "L9999" in str(exc.value) and "L7160" in str(exc.value)
    assert not Job.objects.exists()


def test_empty_selection(world):
    response = client_for(world.users["kunshan"]).post(API, {"filters": {"serial_number": "NONE"}}, format="json")
    assert response.status_code == 400
    message = " ".join(response.json()["filters"])
    assert "nothing to print" in message or "没有可打印的标签" in message
    assert client_for(world.users["kunshan"]).post(API, {"ids": []}, format="json").status_code == 400
    assert not Job.objects.exists()


def test_too_many(world, monkeypatch):
    monkeypatch.setattr(labels, "MAX_LABELS", 1)
    user = world.users["province"]
    response = client_for(user).post(API, {"filters": {}}, format="json")
    assert response.status_code == 400
    assert "2" in response.json()["filters"][0] and "1" in response.json()["filters"][0]
    response = client_for(user).post(API, {"ids": [world.instrument_ks.pk, world.instrument_xw.pk]}, format="json")
    assert response.status_code == 400 and "ids" in response.json()
    assert not Job.objects.exists()


def test_bad_filter_value_and_both_selections(world):
    client = client_for(world.users["province"])
    response = client.post(API, {"filters": {"owner_id": "abc"}}, format="json")
    assert response.status_code == 400 and "owner_id" in " ".join(response.json()["filters"])
    response = client.post(API, {"filters": {}, "ids": [world.instrument_ks.pk]}, format="json")
    assert response.status_code == 400
    assert client.post(API, {"layout": "L7160"}, format="json").status_code == 400


def test_api_filters_take_lists(world):
    response = client_for(world.users["province"]).post(
        API, {"layout": "L7651", "filters": {"status": ["in_service", "registered"], "region": "320583"}},
        format="json")
    assert response.status_code == 202
    text = flat(result_pdf(Job.objects.get(pk=response.json()["id"])))
    assert group(world.instrument_ks.instrument_code).replace(" ", "") in text
    assert group(world.instrument_xw.instrument_code) not in text


# -- the pages -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_list_button_page_and_job_page(world, language):
    add_scales(world, 3)
    client = web_client_for(world.users["kunshan"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    listing = client.get(reverse("instruments-list"), {"owner_id": world.ent_ks.pk})
    link = reverse("instrument-labels") + f"?owner_id={world.ent_ks.pk}"
    assert link in listing.content.decode()
    page = client.get(link)
    html = page.content.decode()
    assert page.status_code == 200
    assert ("打印标签" if language == "zh-hans" else "Print labels") in html
    assert 'id="selection-count"' in html and ">4 " in html.replace("<strong>", ">")
    for key, sheet in LAYOUTS.items():
        assert f'value="{key}"' in html and html.count("<rect") >= sheet.per_sheet
    started = client.post(link, {"layout": "L7163", "query": f"owner_id={world.ent_ks.pk}"})
    job = Job.objects.get(owner=world.users["kunshan"])
    assert started.status_code == 302 and started["Location"] == reverse("job-detail", args=[job.pk])
    detail = client.get(started["Location"]).content.decode()
    assert reverse("job-download", args=[job.pk]) in detail
    download = client.get(reverse("job-download", args=[job.pk]))
    assert download.status_code == 200
    data = b"".join(download.streaming_content)
    assert len(pdf_pages(data)) == 1
    # Another user cannot fetch it
    assert web_client_for(world.users["xuanwu"]).get(reverse("job-download", args=[job.pk])).status_code == 404


def test_page_refuses_unknown_layout_and_keeps_the_selection(world):
    client = web_client_for(world.users["kunshan"])
    response = client.post(reverse("instrument-labels"), {"layout": "nope", "query": ""})
    html = response.content.decode()
    assert response.status_code == 400 and 'data-field="layout"' in html
    assert 'id="selection-count"' in html
    assert not Job.objects.exists()


def test_page_with_ids(world):
    client = web_client_for(world.users["province"])
    url = reverse("instrument-labels")
    page = client.get(url, {"ids": [world.instrument_ks.pk, world.instrument_xw.pk]})
    assert page.status_code == 200 and 'id="selection-ids"' in page.content.decode()
    response = client.post(url, {"layout": "L7160", "ids": [world.instrument_ks.pk]})
    assert response.status_code == 302
    text = flat(result_pdf(Job.objects.get()))
    assert group(world.instrument_ks.instrument_code) in text and world.ent_xw.name not in text
    refused = web_client_for(world.users["xuanwu"]).post(url, {"layout": "L7160", "ids": [world.instrument_ks.pk]})
    assert refused.status_code == 400 and str(world.instrument_ks.pk) in refused.content.decode()


def test_a_failing_job_leaves_no_file(world, monkeypatch):
    add_scales(world, 3)
    real, calls = labels.label_data, []

    def breaks(instrument):
        calls.append(instrument.pk)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(instrument)

    monkeypatch.setattr(labels, "label_data", breaks)
    labels.start_labels(world.users["kunshan"], layout="L7160", query="")  # the task's error stays in the job
    job = Job.objects.get()
    assert job.state == JobState.FAILED and "disk full" in job.error
    assert job.result_path == "" and not any(settings.JILIANG_JOBS_DIR.rglob("*.pdf"))
