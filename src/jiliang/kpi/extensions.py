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

from jiliang.core.extending import DemoStep  # noqa: E402

from . import demo  # noqa: E402

CONTRIBUTIONS += [DemoStep("kpi", demo.build, order=90)]
