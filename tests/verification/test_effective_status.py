"""One definition of a certificate's status: the list column, its filter, the API, the public check and the export.

Before, ``?status=expired`` read the stored status (never "expired") while the column showed the effective one,
and a notice of non-conformity kept reading "valid" after the repaired instrument passed its next verification.
"""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook
from verification_helpers import scale_points

from jiliang.core import services as core_services
from jiliang.registry.models import Instrument
from jiliang.verification.models import Certificate, CertificateKind, CertificateStatus

pytestmark = pytest.mark.django_db(transaction=False)

FAILING = scale_points([("Min", "0.1", "0.1"), ("500e", "2.5", "2.51"), ("2000e", "10", "10"), ("Max", "15", "15")])


def _numbers(html: str) -> set[str]:
    return set(re.findall(r'href="/verification/certificates/\d+/">([^<]+)</a>', html))


@pytest.fixture
def certs(flow):
    """An expired certificate, a notice superseded by a later pass, and that passing certificate."""
    w = flow.world
    second = core_services.create_record(Instrument, {
        "owner": w.ent_ks, "category": w.scale, "manufacturer": "凯丰衡器", "model": "ACS-15",
        "serial_number": "KS-0002", "accuracy_class": "III", "range_min": Decimal("0"), "range_max": Decimal("15"),
        "range_unit": "kg", "usage": "trade", "region_id": "320583", "status": "in_service"}, actor=w.admin)
    expired = flow.issued()
    Certificate.objects.filter(pk=expired.pk).update(valid_until=dt.date(2020, 1, 1))
    notice = flow.issued(points=FAILING, instrument=second)
    passed = flow.issued(instrument=second)
    assert notice.kind == CertificateKind.NONCONFORMITY and passed.kind == CertificateKind.VERIFICATION
    return expired, notice, passed


def test_model_and_sql_agree(certs):
    expired, notice, passed = certs
    expected = {expired.pk: "expired", notice.pk: "superseded", passed.pk: "valid"}
    for cert in Certificate.objects.filter(pk__in=expected):
        assert cert.effective_status() == expected[cert.pk], cert.number
    annotated = dict(Certificate.objects.with_effective_status().values_list("pk", "effective_status_code"))
    assert {pk: annotated[pk] for pk in expected} == expected


def test_notice_alone_stays_in_force_and_a_revoked_pass_does_not_supersede_it(flow):
    from jiliang.verification import services

    notice = flow.issued(points=FAILING)
    assert Certificate.objects.get(pk=notice.pk).effective_status() == "valid"
    passed = flow.issued()
    assert Certificate.objects.get(pk=notice.pk).effective_status() == "superseded"
    services.revoke_certificate(passed, actor=flow.institute_user, reason="issued in error")
    assert Certificate.objects.get(pk=notice.pk).effective_status() == "valid"


def test_list_filter_finds_what_the_column_shows(certs, flow):
    expired, notice, passed = certs
    client = Client()
    client.force_login(flow.world.users["province"])
    client.cookies["django_language"] = "zh-hans"
    with translation.override("zh-hans"):
        page = client.get("/verification/certificates/?status=expired").content.decode()
        assert _numbers(page) == {expired.number}
        assert str(CertificateStatus.EXPIRED.label) in page  # 已过期 in the status column
        page = client.get("/verification/certificates/?status=superseded").content.decode()
        assert _numbers(page) == {notice.number}
        page = client.get("/verification/certificates/?status=valid").content.decode()
        assert _numbers(page) == {passed.number}
        assert str(CertificateStatus.VALID.label) in page
    # sorting by the column sorts by what it shows
    page = client.get("/verification/certificates/?sort=status").content.decode()
    order = [n for n in re.findall(r'href="/verification/certificates/\d+/">([^<]+)</a>', page)]
    assert order.index(expired.number) < order.index(notice.number) < order.index(passed.number)


def test_api_filter_and_field_agree(certs, flow, api_client):
    expired, notice, passed = certs
    api_client.force_authenticate(flow.world.users["province"])
    rows = api_client.get("/api/certificates/?status=expired").json()["results"]
    assert [(r["number"], r["effective_status"]) for r in rows] == [(expired.number, "expired")]
    row = api_client.get(f"/api/certificates/{notice.pk}/").json()
    assert row["effective_status"] == "superseded"


def test_public_check_and_export_show_the_same_status(certs, flow):
    expired, notice, passed = certs
    code = f"?code={notice.check_code}"  # the public check needs the printed check code
    assert 'data-status="superseded"' in Client().get(f"/verify/{notice.number}{code}").content.decode()
    assert Client().get(f"/verify/{notice.number}.json{code}").json()["status"] == "superseded"
    client = Client()
    client.force_login(flow.world.users["province"])
    client.cookies["django_language"] = "en"
    data = client.get("/verification/certificates/?status=superseded&export=xlsx").content
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(i for i, r in enumerate(rows) if "number" in [str(v).lower() for v in r if v])
    status_col = [str(v).lower() for v in rows[header]].index("status")
    body = [r for r in rows[header + 1:] if r[0]]
    assert [(r[0], r[status_col]) for r in body] == [(notice.number, "superseded")]
