"""What traceability contributes to the shell and to other apps (core/extending.py)."""

from django.utils.translation import gettext_lazy as _

from jiliang.core.extending import DemoStep, MenuEntry, MenuGroup
from jiliang.core.roles import BUREAU_ROLES, Role

from . import coverage_demo

CONTRIBUTIONS = [
    MenuGroup("traceability", _("Traceability"), order=18),
]
COVERAGE_READERS = BUREAU_ROLES | {Role.INSTITUTE}
CONTRIBUTIONS += [
    MenuEntry("traceability", _("Coverage of social public standards"), "traceability-coverage", COVERAGE_READERS,
              order=30),
    MenuEntry("traceability", _("Province view per parameter"), "traceability-tree", COVERAGE_READERS, order=31),
    MenuEntry("traceability", _("Coverage targets"), "traceability-targets", COVERAGE_READERS, order=32),
    DemoStep("traceability-hierarchy", coverage_demo.build, order=70),
]
