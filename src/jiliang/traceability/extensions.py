"""What traceability contributes to the shell and to other apps (core/extending.py)."""

from django.utils.translation import gettext_lazy as _

from jiliang.core.extending import MenuGroup

CONTRIBUTIONS = [
    MenuGroup("traceability", _("Traceability"), order=18),
]
