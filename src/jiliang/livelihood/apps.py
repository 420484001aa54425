from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LivelihoodConfig(AppConfig):
    """Livelihood metering (民生计量, plan 专栏10 and §二十): markets under the five unifications with their fair
    scales, free verification, and household water, gas and electricity meters from first verification to
    rotation, with their IoT status and transformer-area error estimates."""

    name = "jiliang.livelihood"
    label = "livelihood"
    verbose_name = _("Livelihood metering")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the receivers)
