"""What core contributes to the shell (core/extending.py): the Tools menu with the account pages, the home page's
recent changes, and the daily audit anchor."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from . import home
from .extending import HomePanel, MenuEntry, MenuGroup, Schedule
from .roles import BUREAU_ROLES

CONTRIBUTIONS = [
    MenuGroup("tools", _("Tools"), order=90),
    MenuEntry("tools", _("My jobs"), "job-list", order=15),
    MenuEntry("tools", _("Audit trail"), "audit-list", order=20),
    MenuEntry("tools", _("API tokens"), "api-token", order=30),
    MenuEntry("tools", _("Change password"), "password-change", order=40),
    MenuEntry("tools", _("Second factor"), "two-factor", BUREAU_ROLES, order=50),
    MenuEntry("tools", _("API documentation"), "api-docs", order=60),
    HomePanel("recent-changes", "core/panels/recent_changes.html", home.recent_changes, order=900),
    Schedule("audit-anchor", "jiliang.core.tasks.audit_anchor", daily_at=dt.time(0, 30),
             about="append the audit chain's signed head to the anchor file"),
    Schedule("job-results-cleanup", "jiliang.core.tasks.delete_old_job_results", daily_at=dt.time(1, 0),
             about="delete result files of jobs finished more than JILIANG_JOB_RESULT_DAYS ago"),
]
