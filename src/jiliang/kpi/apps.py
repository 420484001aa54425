from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpiConfig(AppConfig):
    """The plan's indicators (计量发展主要量化指标): plans as data with targets by region and year, values computed by
    the apps that own the data (core.extending.IndicatorSource) or entered with evidence, monthly snapshots, city
    scorecards and the mid-term and final evaluation reports. It reads the other apps; none reads it."""

    name = "jiliang.kpi"
    label = "kpi"
    verbose_name = _("Plan indicators")
