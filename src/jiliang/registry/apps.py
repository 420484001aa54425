from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "jiliang.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from jiliang.core.demo import register_step

        from . import demo, scoping

        register_step(10, "registry", demo.build)
        scoping.register_grants()
