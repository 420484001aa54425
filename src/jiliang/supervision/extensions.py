"""What supervision contributes to the shell and to other apps (core/extending.py)."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from jiliang.core.extending import DetailLead, DetailPanel, MenuEntry, MenuGroup, Schedule
from jiliang.core.roles import BUREAU_ROLES, Role

from .ui import INSTRUMENT_FINDING_COLUMNS, INSTRUMENT_NOTICE_COLUMNS, work_order_lateness

CONTRIBUTIONS = [
    MenuGroup("supervision", _("Supervision"), order=15),
    MenuEntry("supervision", _("Notices to verify"), "notices-list", order=40),
    MenuEntry("supervision", _("Issue a notice"), "notices-issue", frozenset({Role.COUNTY_BUREAU}), order=41),
    MenuEntry("supervision", _("On-site findings"), "findings-list", frozenset(BUREAU_ROLES), order=45),
    MenuEntry("supervision", _("Record a finding"), "findings-record", frozenset({Role.COUNTY_BUREAU}), order=46),
    MenuEntry("supervision", _("Reminders sent"), "reminders-list", order=50),
    MenuEntry("supervision", _("Late verification requests"), "late-requests", order=60),
    DetailPanel("registry.Instrument", _("notices to verify"), "supervision_notices", INSTRUMENT_NOTICE_COLUMNS,
                order=40),
    DetailPanel("registry.Instrument", _("on-site findings"), "supervision_findings", INSTRUMENT_FINDING_COLUMNS,
                order=45),
    DetailLead("verification.WorkOrder", "supervision/_work_order_lateness.html", work_order_lateness, order=50),
    Schedule("supervision-daily", "jiliang.supervision.tasks.supervision_daily", daily_at=dt.time(0, 30),
             about="supervision: statuses moved by the date (due soon, overdue), due-soon and overdue reminders, "
                   "notices complied or lapsed"),
]
