"""What the uncertainty budgets contribute to the shell (core/extending.py): the calculator in the Tools menu."""

from django.utils.translation import gettext_lazy as _

from jiliang.core.extending import MenuEntry
from jiliang.core.roles import BUREAU_ROLES, Role

CONTRIBUTIONS = [
    MenuEntry("tools", _("Uncertainty calculator"), "uncertainty-calculator", frozenset({Role.INSTITUTE, *BUREAU_ROLES}),
              order=10),
]
