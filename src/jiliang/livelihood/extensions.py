"""What livelihood metering contributes to the shell and to other apps (core/extending.py)."""

from django.utils.translation import gettext_lazy as _

from jiliang.core.extending import MenuGroup

CONTRIBUTIONS = [
    MenuGroup("livelihood", _("Livelihood"), order=17),
]

from jiliang.core.extending import DemoStep, ListExtension, MenuEntry, ScopeGrant  # noqa: E402
from jiliang.core.roles import BUREAU_ROLES, Role  # noqa: E402

from . import free_demo, free_scoping  # noqa: E402

CONTRIBUTIONS += [
    MenuEntry("livelihood", _("Free verification figures"), "free-figures", BUREAU_ROLES | {Role.INSTITUTE},
              order=30),
    MenuEntry("livelihood", _("Free verifications"), "free-verifications-list", order=31),
    MenuEntry("livelihood", _("Mark a verification free"), "free-mark", BUREAU_ROLES | {Role.INSTITUTE}, order=32),
    MenuEntry("livelihood", _("Mark verifications free from a file"), "free-bulk", BUREAU_ROLES | {Role.INSTITUTE},
              order=33),
    MenuEntry("livelihood", _("Free-verification programmes"), "free-programmes-list", order=34),
    MenuEntry("livelihood", _("Verification fee schedule"), "free-fees-list", BUREAU_ROLES | {Role.INSTITUTE},
              order=35),
    ScopeGrant("livelihood.FreeVerification", Role.INSTITUTE, free_scoping.own_verifications),
    # the list's columns read the event, its instrument and institution: joined once for the whole list
    ListExtension("livelihood.FreeVerification",
                  select_related=("event", "event__instrument", "event__instrument__region",
                                  "event__institution", "programme")),
    DemoStep("livelihood-free", free_demo.build, order=58),  # after supervision's histories (25, 27)
]
