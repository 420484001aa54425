"""What supervision contributes to the shell and to other apps (core/extending.py)."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from jiliang.core.extending import DemoStep, MenuGroup, Schedule

from . import demo

CONTRIBUTIONS = [
    MenuGroup("supervision", _("Supervision"), order=15),
    Schedule("supervision-daily", "jiliang.supervision.tasks.supervision_daily", daily_at=dt.time(0, 30),
             about="supervision: statuses moved by the date (due soon, overdue), due-soon and overdue reminders"),
    DemoStep("supervision", demo.build, order=25),  # after verification's certificates (20)
]
