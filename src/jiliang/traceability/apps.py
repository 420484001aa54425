from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TraceabilityConfig(AppConfig):
    """Traceability (量传溯源): the calibration graph from every instrument up to national standards, the check of a
    chain at a date, reverse traceability from a standard found out of tolerance, the coverage of social public
    standards (plan indicator 2) and early warnings of lapsing standards."""

    name = "jiliang.traceability"
    label = "traceability"
    verbose_name = _("Traceability")

    def ready(self) -> None:
        from . import signals  # noqa: F401 -- connects the receivers that keep the graph current
