from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelemetryConfig(AppConfig):
    name = "jiliang.telemetry"
    label = "telemetry"
    verbose_name = _("Energy metering")

    def ready(self) -> None:
        from django.core.checks import register
        from django.db.models.signals import post_delete, post_save, pre_save

        from . import rollups, services
        from .models import EqualPriceElectricity

        register(rollups.check_mode)
        pre_save.connect(services.remember_stored_year, sender=EqualPriceElectricity)
        post_save.connect(services.equal_price_changed, sender=EqualPriceElectricity)
        post_delete.connect(services.equal_price_changed, sender=EqualPriceElectricity)
