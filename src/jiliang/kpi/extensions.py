"""What kpi contributes: its own source (indicator 1, from the issued-documents registry) and the monthly snapshot
schedule. Its pages, menu and demo step are added below as they are built."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from jiliang.core.extending import IndicatorSource
from jiliang.core.jobs.slots import Schedule

from . import documents

CONTRIBUTIONS = [
    IndicatorSource("kpi.documents", _("documents issued"), "count", documents.issued, documents.issued_drill,
                    frozenset({"kind"})),
    Schedule("kpi-monthly-snapshots", "jiliang.kpi.tasks.monthly_snapshots", daily_at=dt.time(1, 30),
             about="kpi: the plan indicators' snapshots of the last month's end, where missing"),
]

# The pages (views.py): menu and home panel.
from jiliang.core.extending import HomePanel, MenuEntry, MenuGroup  # noqa: E402
from jiliang.core.roles import BUREAU_ROLES  # noqa: E402

from . import home  # noqa: E402

CONTRIBUTIONS += [
    MenuGroup("kpi", _("Plan indicators"), order=19),
    MenuEntry("kpi", _("Live indicators"), "kpi:live", BUREAU_ROLES, order=10),
    MenuEntry("kpi", _("City scorecards"), "kpi:scorecards", BUREAU_ROLES, order=20),
    MenuEntry("kpi", _("Issued documents"), "kpi:documents", BUREAU_ROLES, order=30),
    MenuEntry("kpi", _("Plans"), "kpi:plans", BUREAU_ROLES, order=40),
    HomePanel("kpi", "kpi/panels/kpi.html", home.panel, BUREAU_ROLES, width=5, order=25),
]
