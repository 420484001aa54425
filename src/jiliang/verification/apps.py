from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "jiliang.verification"
    label = "verification"
    verbose_name = _("Verification and calibration")

    def ready(self) -> None:
        from jiliang.core.demo import register_step

        from . import demo, scoping, ui

        scoping.register_grants()
        ui.add_instrument_history()
        register_step(20, "verification", demo.build)
