"""What kpi contributes: its own indicator source (indicator 1, from the issued-documents registry), the monthly
snapshot schedule, its menu and home panel, the province's public figures for every bureau, and its demo step."""

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiliang.core.extending import DemoStep, HomePanel, IndicatorSource, MenuEntry, MenuGroup, ScopeGrant
from jiliang.core.jobs.slots import Schedule
from jiliang.core.regions import PROVINCE_CODE
from jiliang.core.roles import BUREAU_ROLES, Role

from . import demo, documents, home


def _province_public(user):
    """A city or county bureau reads the province's row of the public indicators (access.may_see)."""
    from .models import Indicator

    return Q(region_id=PROVINCE_CODE, indicator__in=Indicator.objects.filter(public=True).values("pk"))


CONTRIBUTIONS = [
    IndicatorSource("kpi.documents", _("documents issued"), "count", documents.issued, documents.issued_drill,
                    frozenset({"kind"}), compute_many=documents.issued_many),
    Schedule("kpi-monthly-snapshots", "jiliang.kpi.tasks.monthly_snapshots", daily_at=dt.time(1, 30),
             about="kpi: the plan indicators' snapshots of the last month's end, where missing"),
    MenuGroup("kpi", _("Plan indicators"), order=19),
    MenuEntry("kpi", _("Live indicators"), "kpi:live", BUREAU_ROLES, order=10),
    MenuEntry("kpi", _("City scorecards"), "kpi:scorecards", BUREAU_ROLES, order=20),
    MenuEntry("kpi", _("Issued documents"), "kpi:documents", BUREAU_ROLES, order=30),
    MenuEntry("kpi", _("Plans"), "kpi:plans", BUREAU_ROLES, order=40),
    MenuEntry("kpi", _("Evaluation reports"), "kpi:reports", BUREAU_ROLES, order=50),
    MenuEntry("kpi", _("Published evaluation reports"), "kpi:public", None, order=51),
    HomePanel("kpi", "kpi/panels/kpi.html", home.panel, BUREAU_ROLES, width=5, order=25),
    ScopeGrant("kpi.Snapshot", Role.CITY_BUREAU, _province_public),
    ScopeGrant("kpi.Snapshot", Role.COUNTY_BUREAU, _province_public),
    DemoStep("kpi", demo.build, order=90),
]
