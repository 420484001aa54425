"""What traceability contributes to the shell and to other apps (core/extending.py)."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from jiliang.core.extending import (
    CertificateNotice,
    DemoStep,
    DetailLead,
    MenuEntry,
    MenuGroup,
    Schedule,
    ScopeGrant,
)
from jiliang.core.roles import BUREAU_ROLES, Role

from . import chain_check, coverage_counts, coverage_demo, impact_demo, impact_scope, impact_views

CONTRIBUTIONS = [
    MenuGroup("traceability", _("Traceability"), order=18),
    MenuEntry("traceability", _("Reverse-traceability cases"), "traceability-impact-list", order=30),
    MenuEntry("traceability", _("Standards lapsing soon"), "traceability-warnings", BUREAU_ROLES | {Role.INSTITUTE},
              order=40),
    DetailLead("registry.MeasurementStandard", "traceability/_standard_lead.html", impact_views.standard_lead,
               order=60),
    CertificateNotice("traceability-under-review", impact_views.certificate_notice),
    *[ScopeGrant("traceability.ImpactCase", role, impact_scope.cases_reaching_own)
      for role in (Role.INSTITUTE, Role.ENTERPRISE)],
    *[ScopeGrant("traceability.ImpactCase", role, impact_scope.cases_reaching_region)
      for role in (Role.CITY_BUREAU, Role.COUNTY_BUREAU)],
    ScopeGrant("traceability.AffectedRecord", Role.INSTITUTE, impact_scope.records_to_decide),
    Schedule("traceability-warnings", "jiliang.traceability.lapsing.warnings_daily", daily_at=dt.time(1, 0),
             about="traceability: standards whose assessment certificate or calibration lapses soon; their "
                   "institutes told once per lapse"),
    DemoStep("traceability-impact", impact_demo.build, order=75),  # after the hierarchy (70)
    # Coverage (indicator 2), the province view per parameter and the targets (coverage_views.py).
    MenuEntry("traceability", _("Coverage of social public standards"), "traceability-coverage",
              BUREAU_ROLES | {Role.INSTITUTE}, order=20),
    MenuEntry("traceability", _("Province view per parameter"), "traceability-tree", BUREAU_ROLES | {Role.INSTITUTE},
              order=21),
    MenuEntry("traceability", _("Coverage targets"), "traceability-targets", BUREAU_ROLES | {Role.INSTITUTE},
              order=22),
    DemoStep("traceability-hierarchy", coverage_demo.build, order=70),  # after verification's certificates (20)
    # The demo writes instruments in bulk without signals (registry, supervision's retirements): count them once,
    # after the last step that writes instruments (livelihood's, 55-64).
    Schedule("traceability-coverage-recount", "jiliang.traceability.tasks.recount_coverage", daily_at=dt.time(1, 15),
             about="traceability: coverage's counters (indicator 2) checked against the registry, rebuilt where a "
                   "write bypassed the signals"),
    DemoStep("traceability-coverage-counts", lambda ctx, rng, scale, progress: coverage_counts.recount(), order=68),
]
CONTRIBUTIONS += [
    DetailLead("registry.Instrument", "traceability/_chain.html", chain_check.lead_context, order=120),  # after status, code
    DetailLead("registry.MeasurementStandard", "traceability/_chain.html", chain_check.lead_context, order=60),
]
CONTRIBUTIONS += [
    MenuEntry("traceability", _("External laboratories"), "external-labs-list", order=50),
    MenuEntry("traceability", _("Traceability links"), "traceability-links-list", order=51),
]

# The plan's indicator 2, for kpi.
from jiliang.core.extending import IndicatorSource  # noqa: E402

from . import indicators  # noqa: E402

CONTRIBUTIONS += [
    IndicatorSource("traceability.coverage", _("coverage of social public standards"), "share",
                    indicators.coverage_rate, indicators.coverage_drill,
                    compute_many=indicators.coverage_rate_many),
]
