from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "jiliang.verification"
    label = "verification"
    verbose_name = _("Verification and calibration")


    def ready(self) -> None:
        from . import ui  # noqa: F401  (declares the list and detail pages in core.ui.REGISTRY)
