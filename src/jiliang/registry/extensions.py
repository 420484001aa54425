"""What the registry contributes to the shell and to other apps (core/extending.py)."""

from django.utils.translation import gettext_lazy as _

from jiliang.core.extending import DemoStep, DetailLead, HomePanel, MenuEntry, MenuGroup, ScopeGrant
from jiliang.core.roles import BUREAU_ROLES, REGIONAL_ROLES, Role

from . import code_views, demo, home, scoping

STAFF = frozenset({Role.INSTITUTE, *BUREAU_ROLES})

CONTRIBUTIONS = [
    MenuGroup("registry", _("Registry"), order=10),
    MenuEntry("registry", _("Instruments"), "instruments-list", order=10),
    MenuEntry("registry", _("Organisations"), "organisations-list", order=20),
    MenuEntry("registry", _("People"), "people-list", order=30),
    MenuEntry("registry", _("Measurement standards"), "standards-list", STAFF, order=40),
    MenuEntry("registry", _("Reference materials"), "reference-materials-list", STAFF, order=50),
    MenuEntry("registry", _("Instrument catalogue"), "categories-list", order=60),
    MenuEntry("registry", _("Change proposals"), "change-proposals-list", order=70),
    *[ScopeGrant("registry.Instrument", role, scoping.owner_in_region) for role in sorted(REGIONAL_ROLES)],
    DemoStep("registry", demo.build, order=10),
    HomePanel("registry-counts", "registry/panels/counts.html", home.counts, order=10),
    DetailLead("registry.Instrument", "registry/codes/lead.html", code_views.detail_lead, order=110),  # after the status
    HomePanel("registry-charts", "registry/panels/charts.html", home.charts, BUREAU_ROLES, order=40),
]

# The plan's indicators 3, 4, 5, 6 and 8 (MMS), computed from the registry for kpi.
from jiliang.core.extending import IndicatorSource  # noqa: E402

from . import indicators  # noqa: E402

CONTRIBUTIONS += [
    IndicatorSource("registry.new_standards", _("new social public standards"), "count", indicators.new_standards,
                    indicators.new_standards_drill, frozenset({"institute_level"}),
                    compute_many=indicators.new_standards_many),
    IndicatorSource("registry.highest_rated", _("provincial highest standards at advanced level"), "share",
                    indicators.highest_rated, indicators.highest_rated_drill, frozenset({"rating"}),
                    compute_many=indicators.highest_rated_many),
    IndicatorSource("registry.designated", _("organisations holding a designation"), "count", indicators.designated,
                    indicators.designated_drill, frozenset({"designation"}), compute_many=indicators.designated_many),
    IndicatorSource("registry.mms", _("organisations with a measurement management system"), "count", indicators.mms,
                    indicators.mms_drill, compute_many=indicators.mms_many),
]
