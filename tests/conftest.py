"""Shared fixtures: a small world of regions, organisations, users of every role and their records.

Built through the services, as users would build it (Zulip's practice), on the regions and catalogue
that the migrations load. Named by state: ``world.instrument_ks`` is an instrument in Kunshan (320583)
owned by the Kunshan enterprise; ``_xw`` records lie in Nanjing's Xuanwu district (320102).
"""

from __future__ import annotations

import datetime as dt
import socket
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model

from jiliang.core import services
from jiliang.core.audit import audit_context
from jiliang.core.roles import Role
from jiliang.registry import models as m
from jiliang.registry.identity import make_uscc

ROLES = ["province", "suzhou", "kunshan", "xuanwu", "institute", "enterprise", "anonymous"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # PBKDF2 with 10^6 iterations costs a third of a second per user; tests only need a hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _site_language():
    """Every test starts in the site's language: the locale middleware activates a request's language on the
    thread and the test client runs requests on the test's own thread, so an English request would otherwise
    leave English active for whatever test the worker runs next."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _tasks_inline(settings, tmp_path):
    """Jobs run inline, inside the request that starts them (Zulip's queue_json_publish in tests); tests of
    the worker itself switch to the database backend (tests/core/test_jobs.py)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.JILIANG_JOBS_DIR = tmp_path / "jobs"


@pytest.fixture(autouse=True)
def _block_network(monkeypatch):
    """Tests talk to loopback only (Zulip's block_internet)."""
    real_connect = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (host.startswith("127.") or host in ("localhost", "::1")) \
                and self.family in (socket.AF_INET, socket.AF_INET6):
            raise RuntimeError(f"tests may not connect to {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


def uscc_for(prefix: str, region: str, n: int) -> str:
    return make_uscc(f"{prefix}{region}{n:08d}X"[:17])


def _org(actor, name, kind, region, n, prefix="91"):
    return services.create_record(m.Organisation, {"name": name, "uscc": uscc_for(prefix, region, n), "kind": kind,
                                                   "region_id": region}, actor=actor)


def _user(username, role, region=None, organisation=None, superuser=False):
    User = get_user_model()
    u = User(username=username, role=role, region_id=region, organisation=organisation, full_name=username,
             is_superuser=superuser, is_staff=superuser)
    u.set_password("pw-" + username)
    u.save()
    return u


@pytest.fixture
def reference_data(db):
    """The regions, catalogue and the Jiangsu plan the migrations load; reloaded when a transactional test flushed
    them."""
    from jiliang.core.models import Region
    from jiliang.core.regions import invalidate_cache, load_regions
    from jiliang.registry.reference import load_catalogue, load_designations

    if not Region.objects.exists():
        load_regions()
        load_designations(m.Designation)
        load_catalogue(m.InstrumentCategory)
    invalidate_cache()
    from jiliang.kpi.models import Plan
    from jiliang.kpi.services import load_shipped_plan

    if not Plan.objects.exists():  # the plan the kpi migration ships
        load_shipped_plan("jiangsu-2014-2020.toml")


@pytest.fixture
def world(db, reference_data):
    admin = _user("admin", "", superuser=True)
    with audit_context(actor=admin, channel="command"):
        bureau_p = _org(admin, "江苏省市场监督管理局", "bureau", "320000", 1, "11")
        bureau_sz = _org(admin, "苏州市市场监督管理局", "bureau", "320500", 2, "11")
        bureau_ks = _org(admin, "昆山市市场监督管理局", "bureau", "320583", 3, "11")
        bureau_xw = _org(admin, "玄武区市场监督管理局", "bureau", "320102", 4, "11")
        inst_p = _org(admin, "江苏省计量科学研究院", "institute", "320000", 5, "12")
        inst_nj = _org(admin, "南京市计量监督检测院", "institute", "320100", 6, "12")
        ent_ks = _org(admin, "昆山精密机械有限公司", "enterprise", "320583", 7)
        ent_xw = _org(admin, "玄武食品有限公司", "enterprise", "320102", 8)
        scale = m.InstrumentCategory.objects.get(code="nawi-price-scale")
        gauge = m.InstrumentCategory.objects.get(code="pressure-gauge-safety")

        def instrument(owner, region, serial, category=scale, usage="trade"):
            return services.create_record(m.Instrument, {
                "owner": owner, "category": category, "manufacturer": "凯丰衡器", "model": "ACS-15",
                "serial_number": serial, "accuracy_class": "III", "range_min": Decimal("0"),
                "range_max": Decimal("15"), "range_unit": "kg", "usage": usage, "region_id": region,
                "status": "in_service"}, actor=admin)

        def standard(inst, name):
            return services.create_record(m.MeasurementStandard, {
                "institute": inst, "name": name, "domain": "mechanics", "parameter": "质量",
                "uncertainty": Decimal("0.5"), "uncertainty_unit": "mg", "coverage_factor": Decimal("2"),
                "level": "social_public", "certificate_no": f"[2024]{name}", "valid_from": dt.date(2024, 1, 1),
                "valid_until": dt.date(2028, 1, 1)}, actor=admin)

        w = SimpleNamespace(
            admin=admin, bureau_p=bureau_p, bureau_sz=bureau_sz, bureau_ks=bureau_ks, bureau_xw=bureau_xw,
            inst_p=inst_p, inst_nj=inst_nj, ent_ks=ent_ks, ent_xw=ent_xw, scale=scale, gauge=gauge,
            instrument_ks=instrument(ent_ks, "320583", "KS-0001"),
            instrument_xw=instrument(ent_xw, "320102", "XW-0001"),
            standard_p=standard(inst_p, "E2级砝码标准装置"),
            standard_nj=standard(inst_nj, "F1级砝码标准装置"),
            person_p=services.create_record(m.Person, {"name": "张检定", "organisation": inst_p,
                                                       "metrologist_certificate": "JL2020001",
                                                       "metrologist_level": "2", "qualified_items": "JJG 539",
                                                       "certificate_valid_from": dt.date(2020, 1, 1),
                                                       "certificate_valid_until": dt.date(2030, 1, 1)}, actor=admin),
            person_ks=services.create_record(m.Person, {"name": "李计量", "organisation": ent_ks}, actor=admin),
            rm_p=services.create_record(m.ReferenceMaterial, {
                "gbw_number": "GBW(E)130001", "name": "pH标准缓冲溶液", "property": "pH值",
                "certified_value": Decimal("6.864"), "uncertainty": Decimal("0.010"), "coverage_factor": Decimal("2"),
                "unit": "pH", "producer": "中国计量科学研究院", "holder": inst_p,
                "expiry_date": dt.date(2027, 6, 30)}, actor=admin),
            rm_nj=services.create_record(m.ReferenceMaterial, {
                "gbw_number": "GBW08601", "name": "乙醇标准物质", "property": "质量浓度",
                "certified_value": Decimal("0.8"), "uncertainty": Decimal("0.008"), "coverage_factor": Decimal("2"),
                "unit": "mg/mL", "producer": "中国计量科学研究院", "holder": inst_nj,
                "expiry_date": dt.date(2027, 6, 30)}, actor=admin),
        )
    w.users = {
        "province": _user("province", Role.PROVINCIAL_BUREAU, "320000", bureau_p),
        "suzhou": _user("suzhou", Role.CITY_BUREAU, "320500", bureau_sz),
        "kunshan": _user("kunshan", Role.COUNTY_BUREAU, "320583", bureau_ks),
        "xuanwu": _user("xuanwu", Role.COUNTY_BUREAU, "320102", bureau_xw),
        "institute": _user("institute", Role.INSTITUTE, "320000", inst_p),
        "enterprise": _user("enterprise", Role.ENTERPRISE, "320583", ent_ks),
        "anonymous": None,
    }
    return w


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


def client_for(user):
    from rest_framework.test import APIClient

    c = APIClient()
    if user is not None:
        c.force_authenticate(user)
    return c


def check_api_read(user, role: str, api: str, pk, visible: bool) -> None:
    """One cell of an access matrix for an API record: anonymous gets 401/403 on detail and list; anyone else
    gets the detail (200) and finds it in the list exactly when it is theirs to see, else 404 and not listed."""
    from django.urls import reverse

    client = client_for(user)
    detail = client.get(reverse(f"{api}-detail", args=[pk]))
    listing = client.get(reverse(f"{api}-list"), {"page_size": 1000})
    if role == "anonymous":
        assert detail.status_code in (401, 403) and listing.status_code in (401, 403)
        return
    assert detail.status_code == (200 if visible else 404)
    assert listing.status_code == 200
    assert (pk in {row["id"] for row in listing.json()["results"]}) == visible


def web_client_for(user):
    from django.test import Client

    c = Client()
    if user is not None:
        c.force_login(user)
    return c
