from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelemetryConfig(AppConfig):
    name = "jiliang.telemetry"
    label = "telemetry"
    verbose_name = _("Energy metering")

    def ready(self) -> None:
        from django.core.checks import register

        from jiliang.core.demo import register_step

        from . import demo, rollups

        register_step(30, "telemetry", demo.build)
        register(rollups.check_mode)
