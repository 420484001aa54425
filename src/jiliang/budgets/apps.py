from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetsConfig(AppConfig):
    """The web side of the uncertainty engine: calculator, evaluate/export API, templates and saved budgets."""

    name = "jiliang.budgets"
    label = "budgets"
    verbose_name = _("Uncertainty budgets")
