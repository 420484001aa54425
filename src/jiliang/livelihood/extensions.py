"""What livelihood metering contributes to the shell and to other apps (core/extending.py)."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from jiliang.core.extending import DemoStep, MenuEntry, MenuGroup, Schedule

from . import area_demo

CONTRIBUTIONS = [
    MenuGroup("livelihood", _("Livelihood"), order=17),
    MenuEntry("livelihood", _("Transformer areas"), "transformer-areas-list", order=60),
    Schedule("livelihood-area-estimates", "jiliang.livelihood.tasks.estimate_areas", daily_at=dt.time(2, 0),
             about="livelihood: transformer-area meter error estimates over 90 days, run on Mondays"),
    DemoStep("livelihood-areas", area_demo.build, order=64),
]
