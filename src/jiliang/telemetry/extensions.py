"""What energy metering contributes to the shell (core/extending.py)."""

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from jiliang.core.extending import DemoStep, HomePanel, MenuEntry, MenuGroup, Schedule
from jiliang.core.roles import BUREAU_ROLES, Role

from . import demo, home

CONTRIBUTIONS = [
    MenuGroup("energy", _("Energy"), order=30),
    MenuEntry("energy", _("Energy dashboard"), "energy-dashboard", order=10),
    MenuEntry("energy", _("Data quality"), "energy-quality", order=20),
    MenuEntry("energy", _("KPI 9 coverage"), "energy-coverage", BUREAU_ROLES, order=30),
    MenuEntry("energy", _("Metering points"), "metering-points-list", order=40),
    MenuEntry("energy", _("Anomalies"), "anomalies-list", order=50),
    MenuEntry("energy", _("Reading conflicts"), "reading-conflicts-list", order=60),
    MenuEntry("energy", _("Ingest batches"), "ingest-batches-list", order=70),
    MenuEntry("energy", _("Equal-price coefficient of electricity"), "equal-price-electricity-list", BUREAU_ROLES,
              order=80),
    DemoStep("telemetry", demo.build, order=30),
    HomePanel("enterprise-energy", "telemetry/panels/enterprise_energy.html", home.enterprise_energy,
              frozenset({Role.ENTERPRISE}), width=5, order=30),
    HomePanel("bureau-energy", "telemetry/panels/bureau_energy.html", home.bureau_energy, BUREAU_ROLES, width=5,
              order=30),
    Schedule("telemetry-snapshot", "jiliang.telemetry.tasks.online_snapshot", every=dt.timedelta(minutes=15),
             about="online key energy-consuming enterprises per region (the online rate over time, KPI 9)"),
    Schedule("telemetry-partitions", "jiliang.telemetry.tasks.create_partitions", daily_at=dt.time(0, 10),
             about="monthly reading partitions three months ahead (PostgreSQL; nothing on SQLite)"),
    Schedule("telemetry-checks", "jiliang.telemetry.tasks.daily_checks", daily_at=dt.time(0, 20),
             about="imbalance anomalies of yesterday (parent points against their children)"),
    Schedule("telemetry-rollups", "jiliang.telemetry.tasks.fold_rollups", every=dt.timedelta(minutes=1),
             enabled=lambda: settings.JILIANG_TELEMETRY_ROLLUPS == "deferred",
             about="fold queued rollup increments (only when JILIANG_TELEMETRY_ROLLUPS=deferred)"),
    Schedule("demo-live", "jiliang.telemetry.tasks.demo_live", every=dt.timedelta(minutes=5),
             enabled=lambda: settings.JILIANG_DEMO_LIVE,
             about="the demo's meters keep reporting simulated readings (only when JILIANG_DEMO_LIVE is set)"),
]

# The plan's indicator 9, for kpi.
from jiliang.core.extending import IndicatorSource  # noqa: E402

from . import indicators  # noqa: E402

CONTRIBUTIONS += [
    IndicatorSource("telemetry.key_energy_coverage", _("key energy consumers collected online"), "share",
                    indicators.key_energy_coverage, indicators.key_energy_coverage_drill,
                    compute_many=indicators.key_energy_coverage_many),
]
