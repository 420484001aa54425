"""What supervision contributes to the shell and to other apps (core/extending.py)."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from jiliang.core.extending import (
    DemoStep,
    DetailLead,
    DetailPanel,
    HomePanel,
    ListExtension,
    MenuEntry,
    MenuGroup,
    Schedule,
    ScopeGrant,
)
from jiliang.core.roles import BUREAU_ROLES, Role

from . import campaign_demo, campaign_scope, complaint_ui, demo, display, home, scoping
from .filing_tables import HISTORY_COLUMNS
from .notice_ui import INSTRUMENT_FINDING_COLUMNS, INSTRUMENT_NOTICE_COLUMNS, work_order_lateness

CONTRIBUTIONS = [
    MenuGroup("supervision", _("Supervision"), order=15),
    MenuEntry("supervision", _("Supervision dashboard"), "supervision-dashboard", BUREAU_ROLES, order=1),
    MenuEntry("supervision", _("Overdue instruments"), "supervision-overdue", BUREAU_ROLES, order=2),
    MenuEntry("supervision", _("Supervision settings"), "supervision-settings", frozenset({Role.PROVINCIAL_BUREAU}),
              order=90),
    MenuEntry("supervision", _("Filings"), "filings-list", order=10),
    MenuEntry("supervision", _("File instruments"), "filings-new", frozenset({Role.ENTERPRISE}), order=11),
    MenuEntry("supervision", _("Filings awaiting the bureau"), "filings-queue", BUREAU_ROLES, order=12),
    MenuEntry("supervision", _("Designated verification institutions"), "filings-designations",
              BUREAU_ROLES | {Role.ENTERPRISE}, order=13),
    MenuEntry("supervision", _("Unfiled instruments in service"), "filings-unfiled-list",
              BUREAU_ROLES | {Role.ENTERPRISE}, order=14),
    DetailPanel("registry.Instrument", _("filing history"), "filing_entries", HISTORY_COLUMNS,
                order=30),
    MenuEntry("supervision", _("Verification events"), "records-list", BUREAU_ROLES | {Role.INSTITUTE},
              order=20),
    MenuEntry("supervision", _("Conflicting records"), "record-conflicts-list", BUREAU_ROLES, order=22),
    MenuEntry("supervision", _("Import verification records"), "records-import",
              BUREAU_ROLES | {Role.INSTITUTE}, order=24),
    ScopeGrant("supervision.RecordConflict", Role.INSTITUTE, scoping.own_institution_conflicts),
    Schedule("supervision-daily", "jiliang.supervision.tasks.supervision_daily", daily_at=dt.time(0, 30),
             about="supervision: statuses moved by the date (due soon, overdue), due-soon and overdue reminders, "
                   "notices complied or lapsed"),
    DetailLead("registry.Instrument", "supervision/_instrument_status.html", display.lead_context),
    DetailPanel("registry.Instrument", _("verification events (all sources)"), "verification_events",
                display.EVENT_COLUMNS, order=5),
    ListExtension("registry.Instrument", display.LIST_COLUMNS, display.list_filters, display.api_fields,
                  select_related=("supervision",)),
    HomePanel("enterprise-instruments", "supervision/panels/enterprise_instruments.html", home.enterprise_instruments,
              frozenset({Role.ENTERPRISE}), width=7, order=20),
    HomePanel("supervision", "supervision/panels/supervision.html", home.supervision, BUREAU_ROLES, width=7, order=20),
    ScopeGrant("supervision.InstrumentState", Role.INSTITUTE, scoping.visible_instruments),
    ScopeGrant("supervision.VerificationEvent", Role.INSTITUTE, scoping.visible_instrument_events),
    MenuEntry("supervision", _("Notices to verify"), "notices-list", order=40),
    MenuEntry("supervision", _("Issue a notice"), "notices-issue", frozenset({Role.COUNTY_BUREAU}), order=41),
    MenuEntry("supervision", _("On-site findings"), "findings-list", frozenset(BUREAU_ROLES), order=45),
    MenuEntry("supervision", _("Record a finding"), "findings-record", frozenset({Role.COUNTY_BUREAU}), order=46),
    MenuEntry("supervision", _("Scan an instrument"), "supervision-scan", frozenset(BUREAU_ROLES), order=44),
    *[ScopeGrant("supervision.Finding", role, scoping.own_findings) for role in sorted(BUREAU_ROLES)],
    MenuEntry("supervision", _("Reminders sent"), "reminders-list", order=50),
    MenuEntry("supervision", _("Late verification requests"), "late-requests", order=60),
    DetailPanel("registry.Instrument", _("notices to verify"), "supervision_notices", INSTRUMENT_NOTICE_COLUMNS,
                order=40),
    DetailPanel("registry.Instrument", _("on-site findings"), "supervision_findings", INSTRUMENT_FINDING_COLUMNS,
                order=45),
    DetailLead("verification.WorkOrder", "supervision/_work_order_lateness.html", work_order_lateness, order=50),
    MenuEntry("supervision", _("Complaints from the public"), "complaints-list", BUREAU_ROLES, order=70),
    HomePanel("complaints", "supervision/panels/complaints.html", complaint_ui.home_panel,
              frozenset({Role.COUNTY_BUREAU}), width=5, order=25),
    DemoStep("supervision", demo.build, order=25),  # after verification's certificates (20)
    MenuEntry("supervision", _("Spot-check campaigns"), "campaigns-list", BUREAU_ROLES, order=70),
    MenuEntry("supervision", _("Define a campaign"), "campaigns-new", BUREAU_ROLES, order=71),
    MenuEntry("supervision", _("My campaign targets"), "campaigns-mine", BUREAU_ROLES, order=72),
    ScopeGrant("supervision.Campaign", Role.CITY_BUREAU, campaign_scope.regional_grant),
    ScopeGrant("supervision.Campaign", Role.COUNTY_BUREAU, campaign_scope.regional_grant),
    DemoStep("supervision-campaigns", campaign_demo.build, order=27),  # after supervision's histories (25)
]

# The plan's indicator 7, §十四 and 专栏10 rates, for kpi.
from jiliang.core.extending import IndicatorSource  # noqa: E402

from . import indicators  # noqa: E402

CONTRIBUTIONS += [
    IndicatorSource("supervision.verification_rate", _("verification rate (受检率)"), "share",
                    indicators.verification_rate, indicators.verification_rate_drill, indicators.PARAMS,
                    compute_many=indicators.verification_rate_many),
    IndicatorSource("supervision.pass_rate", _("pass rate (合格率)"), "share", indicators.pass_rate, None,
                    indicators.PARAMS, compute_many=indicators.pass_rate_many),
]
