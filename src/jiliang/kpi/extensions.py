"""What kpi contributes: its own indicator source (indicator 1, from the issued-documents registry), the monthly
snapshot schedule, its menu and home panel, and its demo step."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from jiliang.core.extending import DemoStep, HomePanel, IndicatorSource, MenuEntry, MenuGroup
from jiliang.core.jobs.slots import Schedule
from jiliang.core.roles import BUREAU_ROLES

from . import demo, documents, home

CONTRIBUTIONS = [
    IndicatorSource("kpi.documents", _("documents issued"), "count", documents.issued, documents.issued_drill,
                    frozenset({"kind"})),
    Schedule("kpi-monthly-snapshots", "jiliang.kpi.tasks.monthly_snapshots", daily_at=dt.time(1, 30),
             about="kpi: the plan indicators' snapshots of the last month's end, where missing"),
    MenuGroup("kpi", _("Plan indicators"), order=19),
    MenuEntry("kpi", _("Live indicators"), "kpi:live", BUREAU_ROLES, order=10),
    MenuEntry("kpi", _("City scorecards"), "kpi:scorecards", BUREAU_ROLES, order=20),
    MenuEntry("kpi", _("Issued documents"), "kpi:documents", BUREAU_ROLES, order=30),
    MenuEntry("kpi", _("Plans"), "kpi:plans", BUREAU_ROLES, order=40),
    HomePanel("kpi", "kpi/panels/kpi.html", home.panel, BUREAU_ROLES, width=5, order=25),
    DemoStep("kpi", demo.build, order=90),
]
