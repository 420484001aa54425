from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "jiliang.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.core.checks import register

        from . import (
            auth,  # noqa: F401  (counts failed sign-ins)
            checks,
        )
        from .api import schema  # noqa: F401  (registers the OpenAPI extensions)

        register(checks.check_public_url)
