"""What kpi contributes: its own source (indicator 1, from the issued-documents registry) and the monthly snapshot
schedule. Its pages, menu and demo step are added below as they are built."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from jiliang.core.extending import IndicatorSource
from jiliang.core.jobs.slots import Schedule

from . import documents

CONTRIBUTIONS = [
    IndicatorSource("kpi.documents", _("documents issued"), "count", documents.issued, documents.issued_drill,
                    frozenset({"kind"}), compute_many=documents.issued_many),
    Schedule("kpi-monthly-snapshots", "jiliang.kpi.tasks.monthly_snapshots", daily_at=dt.time(1, 30),
             about="kpi: the plan indicators' snapshots of the last month's end, where missing"),
]

# Evaluation reports (reports.py): the menu entry, and the province's public figures for every bureau
# (access.may_see: a city or county bureau reads the plan region's row of the public indicators).
from jiliang.core.extending import MenuEntry, MenuGroup, ScopeGrant  # noqa: E402
from jiliang.core.regions import PROVINCE_CODE  # noqa: E402
from jiliang.core.roles import BUREAU_ROLES, Role  # noqa: E402


def _province_public(user):
    from django.db.models import Q

    from .models import Indicator

    return Q(region_id=PROVINCE_CODE, indicator__in=Indicator.objects.filter(public=True).values("pk"))


CONTRIBUTIONS += [
    MenuGroup("kpi", _("Plan indicators"), order=40),
    MenuEntry("kpi", _("Evaluation reports"), "kpi:reports", BUREAU_ROLES, order=50),
    ScopeGrant("kpi.Snapshot", Role.CITY_BUREAU, _province_public),
    ScopeGrant("kpi.Snapshot", Role.COUNTY_BUREAU, _province_public),
]
CONTRIBUTIONS.append(MenuEntry("kpi", _("Published evaluation reports"), "kpi:public", None, order=51))
