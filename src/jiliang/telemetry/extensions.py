"""What energy metering contributes to the shell (core/extending.py)."""

from django.utils.translation import gettext_lazy as _

from jiliang.core.extending import DemoStep, HomePanel, MenuEntry, MenuGroup
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
]
