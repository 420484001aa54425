"""What livelihood metering contributes to the shell and to other apps (core/extending.py)."""

from django.utils.translation import gettext_lazy as _

from jiliang.core.extending import MenuGroup

CONTRIBUTIONS = [
    MenuGroup("livelihood", _("Livelihood"), order=17),
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
