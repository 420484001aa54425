"""What supervision contributes to the shell and to other apps (core/extending.py)."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from jiliang.core.extending import HomePanel, MenuEntry, MenuGroup, Schedule
from jiliang.core.roles import BUREAU_ROLES, Role

from . import home

CONTRIBUTIONS = [
    MenuGroup("supervision", _("Supervision"), order=15),
    MenuEntry("supervision", _("Supervision dashboard"), "supervision-dashboard", BUREAU_ROLES, order=10),
    MenuEntry("supervision", _("Overdue instruments"), "supervision-overdue", BUREAU_ROLES, order=20),
    MenuEntry("supervision", _("Supervision settings"), "supervision-settings", frozenset({Role.PROVINCIAL_BUREAU}),
              order=90),
    HomePanel("supervision", "supervision/panels/supervision.html", home.supervision, BUREAU_ROLES, width=7,
              order=20),
    Schedule("supervision-daily", "jiliang.supervision.tasks.supervision_daily", daily_at=dt.time(0, 30),
             about="supervision: statuses moved by the date (due soon, overdue), due-soon and overdue reminders"),
]
