"""Coverage targets: the plan's row shipped, the provincial bureau adds and edits, bad input is refused with the
field and the reason, each change audited, and the page shows the status against the target."""

from decimal import Decimal

from django.urls import reverse
from tests.conftest import web_client_for
from tests.traceability.coverage_fixtures import small_province  # noqa: F401

from jiliang.core.models import AuditEntry
from jiliang.traceability import coverage as cov
from jiliang.traceability.models import CoverageTarget


def test_the_plans_target_ships_with_its_source(db):
    t = CoverageTarget.objects.get(region_id="320000", year=2020)
    assert t.target_percent == Decimal("98.00")
    assert "社会公用计量标准和量值传递体系覆盖率达到98%以上" in t.source and "专栏1" in t.source


def test_add_and_edit_a_target(small_province):  # noqa: F811
    w = small_province
    web = web_client_for(w.users["province"])
    r = web.post(reverse("traceability-target-add"), {"region": "320500", "year": "2026", "target_percent": "60",
                                                      "source": "苏州市2026年计量工作要点"})
    assert r.status_code == 302
    t = CoverageTarget.objects.get(region_id="320500", year=2026)
    assert AuditEntry.objects.filter(object_type="traceability.coveragetarget", object_id=str(t.pk),
                                     action="create").exists()
    # Suzhou's own target now holds for Suzhou, the province's for Nanjing
    assert cov.target_for("320583", 2026) == t
    assert cov.target_for("320100", 2026).region_id == "320000"
    page = web_client_for(w.users["suzhou"]).get(reverse("traceability-coverage"), {"date": "2026-06-01"})
    assert page.context["target"] == t and page.context["meets"] is False  # 4 of 7 served: 57 %
    r = web.post(reverse("traceability-target-edit", args=[t.pk]), {"region": "320500", "year": "2026",
                                                                    "target_percent": "55", "source": "修订"})
    assert r.status_code == 302
    t.refresh_from_db()
    assert t.target_percent == Decimal("55.00")
    page = web_client_for(w.users["suzhou"]).get(reverse("traceability-coverage"), {"date": "2026-06-01"})
    assert page.context["meets"] is True
    assert 'data-met="1"' in page.content.decode()


def _errors(response):
    return {k: [str(e) for e in v] for k, v in response.context["form"].errors.items()}


def test_bad_targets_are_refused_with_the_reason(small_province):  # noqa: F811
    w = small_province
    web = web_client_for(w.users["province"])
    url = reverse("traceability-target-add")
    r = web.post(url, {"region": "329999", "year": "2026", "target_percent": "98"})
    assert r.status_code == 400 and "region" in _errors(r)
    r = web.post(url, {"region": "320500", "year": "1999", "target_percent": "98"})
    assert r.status_code == 400 and "year" in _errors(r)
    r = web.post(url, {"region": "320500", "year": "2101", "target_percent": "98"})
    assert r.status_code == 400 and "year" in _errors(r)
    r = web.post(url, {"region": "320500", "year": "2026", "target_percent": "101"})
    assert r.status_code == 400 and "target_percent" in _errors(r)
    r = web.post(url, {"region": "320000", "year": "2020", "target_percent": "97"})  # the plan's row exists
    assert r.status_code == 400 and "__all__" in _errors(r)
    assert CoverageTarget.objects.count() == 1
    # editing a target into another's region and year is a duplicate too
    web.post(url, {"region": "320500", "year": "2026", "target_percent": "90"})
    other = CoverageTarget.objects.get(region_id="320500")
    r = web.post(reverse("traceability-target-edit", args=[other.pk]),
                 {"region": "320000", "year": "2020", "target_percent": "90"})
    assert r.status_code == 400 and "__all__" in _errors(r)
