"""List columns and page declarations of budgets and budget templates (see core.ui)."""

from django.utils.translation import gettext_lazy as _

from jiliang.core.tables import Column
from jiliang.core.ui import ModelUI, register

from . import filters, forms, services
from . import models as m

TEMPLATE_COLUMNS = [
    Column("name", _("name"), order_by="name", link=True),
    Column("procedure", _("calibration procedure"), order_by="procedure"),
    Column("institute", _("institute"), accessor="institute.name", order_by="institute__name"),
    Column("model", _("measurement model"), accessor=lambda o: str((o.template or {}).get("model", ""))),
    Column("missing", _("to be filled"), accessor=lambda o: ", ".join(o.missing())),
    Column("last_updated", _("last updated"), order_by="last_updated"),
]
BUDGET_COLUMNS = [
    Column("title", _("title"), order_by="title", link=True),
    Column("institute", _("institute"), accessor="institute.name", order_by="institute__name"),
    Column("template", _("template"), accessor="template.name", order_by="template__name"),
    Column("model", _("measurement model"), accessor="model_text"),
    Column("result", _("result"), accessor="result_text"),
    Column("validated", _("GUM validated by Monte Carlo"),
           accessor=lambda o: (o.validation or {}).get("gum_validated")),
    Column("created_by", _("created by"), accessor="created_by"),
    Column("created", _("created"), order_by="created"),
]

template_ui = register(ModelUI(
    model=m.BudgetTemplate, slug="budget-templates", columns=TEMPLATE_COLUMNS,
    filterset=filters.BudgetTemplateFilterSet, form=forms.BudgetTemplateForm, default_order="name",
    detail_fields=["institute", "name", "procedure", "description", "comments", "created", "last_updated"],
    related=[(_("uncertainty budgets"), "budgets", BUDGET_COLUMNS[:1] + BUDGET_COLUMNS[4:5] + BUDGET_COLUMNS[-1:])],
    detail_template="budgets/budgettemplate_detail.html", filter_fields=["q", "procedure", "region"],
))
budget_ui = register(ModelUI(
    model=m.SavedBudget, slug="budgets", columns=BUDGET_COLUMNS, filterset=filters.SavedBudgetFilterSet,
    form=forms.SavedBudgetForm, default_order="-created",
    detail_fields=["title", "institute", "template", "created_by", "description", "comments", "created",
                   "last_updated"],
    detail_template="budgets/savedbudget_detail.html",
    filter_fields=["q", "region", "created_after", "created_before", "attached"],
    create=services.create_budget, update=services.update_budget,
))
