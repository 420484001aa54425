"""What supervision contributes to the shell and to other apps (core/extending.py)."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from jiliang.core.extending import MenuEntry, MenuGroup, Schedule, ScopeGrant
from jiliang.core.roles import BUREAU_ROLES, Role

from . import scoping

CONTRIBUTIONS = [
    MenuGroup("supervision", _("Supervision"), order=15),
    MenuEntry("supervision", _("Verification events"), "records-list", BUREAU_ROLES | {Role.INSTITUTE},
              order=20),
    MenuEntry("supervision", _("Conflicting records"), "record-conflicts-list", BUREAU_ROLES, order=22),
    MenuEntry("supervision", _("Import verification records"), "records-import",
              BUREAU_ROLES | {Role.INSTITUTE}, order=24),
    ScopeGrant("supervision.VerificationEvent", Role.INSTITUTE, scoping.own_institution_events),
    ScopeGrant("supervision.RecordConflict", Role.INSTITUTE, scoping.own_institution_conflicts),
    Schedule("supervision-daily", "jiliang.supervision.tasks.supervision_daily", daily_at=dt.time(0, 30),
             about="supervision: statuses moved by the date (due soon, overdue), due-soon and overdue reminders"),
]
