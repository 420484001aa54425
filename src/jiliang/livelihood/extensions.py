"""What livelihood metering contributes to the shell and to other apps (core/extending.py)."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from jiliang.core.extending import DemoStep, HomePanel, MenuEntry, MenuGroup
from jiliang.core.roles import BUREAU_ROLES, Role

from . import iot_demo, iot_views

CONTRIBUTIONS = [
    MenuGroup("livelihood", _("Livelihood"), order=17),
    # IoT status of smart household meters (iot_views.py): bureaus in the menu, a utility from its home panel
    MenuEntry("livelihood", _("IoT status of household meters"), "livelihood-iot", BUREAU_ROLES, order=50),
    HomePanel("livelihood-iot", "livelihood/panels/iot.html", iot_views.utility_panel, frozenset({Role.ENTERPRISE}),
              width=5, order=35),
    DemoStep("livelihood-iot", iot_demo.build, order=62),  # after the household meters (60)
]

# Household meters, batches and rotation lists (meter_views.py, meter_demo.py).
from jiliang.core.extending import DemoStep, MenuEntry  # noqa: E402
from jiliang.core.roles import BUREAU_ROLES, Role  # noqa: E402

from . import meter_demo  # noqa: E402

_METER_ROLES = frozenset({*BUREAU_ROLES, Role.ENTERPRISE})
CONTRIBUTIONS += [
    MenuEntry("livelihood", _("Household meters"), "household-meters-list", _METER_ROLES, order=30),
    MenuEntry("livelihood", _("Meter batches"), "meter-batches-list", _METER_ROLES, order=31),
    MenuEntry("livelihood", _("Rotation lists"), "rotation-list", _METER_ROLES, order=32),
    MenuEntry("livelihood", _("Overdue rotations"), "rotation-overdue", _METER_ROLES, order=33),
    DemoStep("livelihood-meters", meter_demo.build, order=60),
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

# Markets (market_views.py, market_demo.py).
from jiliang.core.extending import DemoStep, MenuEntry  # noqa: E402
from jiliang.core.roles import BUREAU_ROLES, Role  # noqa: E402

from . import market_demo  # noqa: E402

CONTRIBUTIONS += [
    MenuEntry("livelihood", _("Markets"), "markets-list", BUREAU_ROLES | {Role.ENTERPRISE}, order=10),
    MenuEntry("livelihood", _("Markets ranked by verification"), "markets-ranking", BUREAU_ROLES, order=11),
    DemoStep("livelihood-markets", market_demo.build, order=55),
]
