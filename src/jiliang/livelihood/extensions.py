"""What livelihood metering contributes to the shell and to other apps (core/extending.py)."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from jiliang.core.extending import (
    DemoStep,
    HomePanel,
    ListExtension,
    MenuEntry,
    MenuGroup,
    Schedule,
    ScopeGrant,
)
from jiliang.core.roles import BUREAU_ROLES, Role

from . import area_demo, free_demo, free_scoping, iot_demo, iot_views, market_demo, meter_demo

_OPERATORS = BUREAU_ROLES | {Role.ENTERPRISE}  # bureaus, and market operators and utilities (enterprise role)
_INSTITUTES = BUREAU_ROLES | {Role.INSTITUTE}

CONTRIBUTIONS = [
    MenuGroup("livelihood", _("Livelihood"), order=17),
    # Markets (market_views.py, market_demo.py).
    MenuEntry("livelihood", _("Markets"), "markets-list", _OPERATORS, order=10),
    MenuEntry("livelihood", _("Markets ranked by verification"), "markets-ranking", BUREAU_ROLES, order=11),
    DemoStep("livelihood-markets", market_demo.build, order=55),
    # Free verification (free_views.py, free_demo.py).
    MenuEntry("livelihood", _("Free verification figures"), "free-figures", _INSTITUTES, order=20),
    MenuEntry("livelihood", _("Free verifications"), "free-verifications-list", order=21),
    MenuEntry("livelihood", _("Mark a verification free"), "free-mark", _INSTITUTES, order=22),
    MenuEntry("livelihood", _("Mark verifications free from a file"), "free-bulk", _INSTITUTES, order=23),
    MenuEntry("livelihood", _("Free-verification programmes"), "free-programmes-list", order=24),
    MenuEntry("livelihood", _("Verification fee schedule"), "free-fees-list", _INSTITUTES, order=25),
    ScopeGrant("livelihood.FreeVerification", Role.INSTITUTE, free_scoping.own_verifications),
    # the list's columns read the event, its instrument and institution: joined once for the whole list
    ListExtension("livelihood.FreeVerification",
                  select_related=("event", "event__instrument", "event__instrument__region",
                                  "event__institution", "programme")),
    DemoStep("livelihood-free", free_demo.build, order=58),  # after supervision's histories (25, 27)
    # Household meters, batches and rotation lists (meter_views.py, meter_demo.py).
    MenuEntry("livelihood", _("Household meters"), "household-meters-list", _OPERATORS, order=30),
    MenuEntry("livelihood", _("Meter batches"), "meter-batches-list", _OPERATORS, order=31),
    MenuEntry("livelihood", _("Rotation lists"), "rotation-list", _OPERATORS, order=32),
    MenuEntry("livelihood", _("Overdue rotations"), "rotation-overdue", _OPERATORS, order=33),
    DemoStep("livelihood-meters", meter_demo.build, order=60),
    # IoT status of smart household meters (iot_views.py): bureaus in the menu, a utility from its home panel.
    MenuEntry("livelihood", _("IoT status of household meters"), "livelihood-iot", BUREAU_ROLES, order=50),
    HomePanel("livelihood-iot", "livelihood/panels/iot.html", iot_views.utility_panel, frozenset({Role.ENTERPRISE}),
              width=5, order=35),
    DemoStep("livelihood-iot", iot_demo.build, order=62),  # after the household meters (60)
    # Transformer areas and their error estimates (area_ui.py, area_demo.py).
    MenuEntry("livelihood", _("Transformer areas"), "transformer-areas-list", order=60),
    Schedule("livelihood-area-estimates", "jiliang.livelihood.tasks.estimate_areas", daily_at=dt.time(2, 0),
             about="livelihood: transformer-area meter error estimates over 90 days, run on Mondays"),
    DemoStep("livelihood-areas", area_demo.build, order=64),
    # the list pages of areas and estimates name the utility and region: joined, not one query per row
    ListExtension("livelihood.TransformerArea", select_related=("utility", "region")),
    ListExtension("livelihood.AreaEstimate", select_related=("area__utility",)),
]
