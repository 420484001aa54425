from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    """Supervision of mandatory verification (强制检定动态监管): filing, verification events from every institution,
    each instrument's status and next due, the rates by region, reminders and notices."""

    name = "jiliang.supervision"
    label = "supervision"
    verbose_name = _("Supervision of mandatory verification")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (certificates and registry changes keep the state current)
