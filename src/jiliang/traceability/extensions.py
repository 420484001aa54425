"""What traceability contributes to the shell and to other apps (core/extending.py)."""

from django.utils.translation import gettext_lazy as _

from jiliang.core.extending import DetailLead, MenuEntry, MenuGroup

from . import chain_check

CONTRIBUTIONS = [
    MenuGroup("traceability", _("Traceability"), order=18),
]
CONTRIBUTIONS += [
    DetailLead("registry.Instrument", "traceability/_chain.html", chain_check.lead_context, order=60),
    DetailLead("registry.MeasurementStandard", "traceability/_chain.html", chain_check.lead_context, order=60),
]
CONTRIBUTIONS += [
    MenuEntry("traceability", _("External laboratories"), "external-labs-list", order=50),
    MenuEntry("traceability", _("Traceability links"), "traceability-links-list", order=51),
]
