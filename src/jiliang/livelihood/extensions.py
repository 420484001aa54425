"""What livelihood metering contributes to the shell and to other apps (core/extending.py)."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from jiliang.core.extending import DemoStep, ListExtension, MenuEntry, MenuGroup, Schedule

from . import area_demo

CONTRIBUTIONS = [
    MenuGroup("livelihood", _("Livelihood"), order=17),
    MenuEntry("livelihood", _("Transformer areas"), "transformer-areas-list", order=60),
    Schedule("livelihood-area-estimates", "jiliang.livelihood.tasks.estimate_areas", daily_at=dt.time(2, 0),
             about="livelihood: transformer-area meter error estimates over 90 days, run on Mondays"),
    DemoStep("livelihood-areas", area_demo.build, order=64),
    # the list pages of areas and estimates name the utility and region: joined, not one query per row
    ListExtension("livelihood.TransformerArea", select_related=("utility", "region")),
    ListExtension("livelihood.AreaEstimate", select_related=("area__utility",)),
]
