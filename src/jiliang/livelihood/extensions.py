"""What livelihood metering contributes to the shell and to other apps (core/extending.py)."""

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
