"""Budget templates per calibration procedure, and saved uncertainty budgets (results of the engine).

Both belong to an institute and are scoped like its measurement standards: the institute sees its own,
city and county bureaus those of institutes in their region, the province all, enterprises none.
"""

from __future__ import annotations

import copy

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiliang.core.models import RegistryModel
from jiliang.core.roles import BUREAU_ROLES, Role
from jiliang.core.scoping import ScopeSpec
from jiliang.registry.models import Organisation
from jiliang.uncertainty import BudgetTemplate as EngineTemplate
from jiliang.uncertainty import UncertaintyError

from . import evaluation

WRITE_ROLES = frozenset({Role.INSTITUTE, *BUREAU_ROLES})
INSTITUTE_SCOPE = ScopeSpec(region="institute__region", organisation="institute", write_roles=WRITE_ROLES)
TEMPLATE_KEYS = ("model", "inputs", "correlations", "options")


def _check_institute(obj) -> None:
    if obj.institute_id and not obj.institute.is_institute:
        raise ValidationError({"institute": _("Budgets belong to a metrology institute or authorised institution.")})


class BudgetTemplate(RegistryModel):
    """The measurement model and input definitions of a calibration procedure, filled per calibration.

    ``template`` holds ``{"model", "inputs", "correlations", "options"}`` of
    :class:`jiliang.uncertainty.BudgetTemplate`; a parameter set to ``null`` is to be filled on the day
    (the readings, the observations).
    """

    institute = models.ForeignKey(Organisation, verbose_name=_("institute"), on_delete=models.PROTECT,
                                  related_name="budget_templates")
    name = models.CharField(_("name"), max_length=200)
    procedure = models.CharField(_("calibration procedure"), max_length=100, blank=True,
                                 help_text=_("the calibration or verification specification, e.g. JJF 1033"))
    template = models.JSONField(_("template"), default=dict,
                                help_text=_('{"model": …, "inputs": {…}, "correlations": […], "options": {…}}; '
                                            "null parameters are filled per calibration"))

    scope = INSTITUTE_SCOPE

    class Meta:
        ordering = ["institute__name", "name"]
        verbose_name = _("budget template")
        verbose_name_plural = _("budget templates")
        constraints = [models.UniqueConstraint(fields=["institute", "name"], name="budgets_template_unique_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.procedure})" if self.procedure else self.name

    def engine_template(self) -> EngineTemplate:
        """The template as the engine's :class:`~jiliang.uncertainty.BudgetTemplate` (raises UncertaintyError)."""
        data = self.template if isinstance(self.template, dict) else {}
        return EngineTemplate.from_dict({"name": self.name, "description": self.description,
                                         **{k: copy.deepcopy(data[k]) for k in TEMPLATE_KEYS if k in data}})

    def missing(self) -> list[str]:
        try:
            return self.engine_template().missing()
        except UncertaintyError:
            return []

    def clean(self) -> None:
        _check_institute(self)
        if not isinstance(self.template, dict):
            raise ValidationError({"template": _("A template is an object with model, inputs, correlations and "
                                                 "options.")})
        unknown = sorted(set(self.template) - set(TEMPLATE_KEYS))
        if unknown:
            raise ValidationError({"template": _("Unknown template key “%(key)s”.") % {"key": unknown[0]}})
        try:
            evaluation.check_payload_size(self.template)
            bounds = evaluation.limits()
            model, inputs = self.template.get("model"), self.template.get("inputs")
            if isinstance(model, dict | list):
                bounds.check_outputs(len(model))
            if isinstance(inputs, dict):
                bounds.check_inputs(len(inputs))
            self.engine_template()
        except UncertaintyError as exc:
            raise ValidationError({"template": evaluation.error_text(exc)}) from None


class SavedBudget(RegistryModel):
    """An evaluated uncertainty budget: the request as entered and the engine's result, kept as evaluated.

    The result is always computed by :mod:`jiliang.budgets.services` from ``payload`` (never taken from a
    client), under the server's Monte Carlo limit; a Monte Carlo run without a seed records the seed it used,
    so it can be repeated.
    ``attached_to`` is a nullable generic link so that another app (verification) can attach the budget
    to a calibration result without this app depending on it.
    """

    institute = models.ForeignKey(Organisation, verbose_name=_("institute"), on_delete=models.PROTECT,
                                  related_name="saved_budgets")
    template = models.ForeignKey(BudgetTemplate, verbose_name=_("template"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="budgets")
    title = models.CharField(_("title"), max_length=200)
    payload = models.JSONField(_("request"), default=dict,
                               help_text=_("the request of POST /api/uncertainty/evaluate: model, inputs, options"))
    result = models.JSONField(_("result"), default=dict, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)
    attached_type = models.ForeignKey(ContentType, verbose_name=_("attached to (type)"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+", editable=False)
    attached_id = models.CharField(_("attached to (id)"), max_length=64, blank=True, editable=False)
    attached_to = GenericForeignKey("attached_type", "attached_id")

    scope = INSTITUTE_SCOPE

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("uncertainty budget")
        verbose_name_plural = _("uncertainty budgets")
        indexes = [models.Index(fields=["attached_type", "attached_id"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        _check_institute(self)
        if self.template_id and self.institute_id and self.template.institute_id != self.institute_id:
            raise ValidationError({"template": _("The template belongs to another institute.")})

    # --- reading the result ---------------------------------------------------------------------------
    @property
    def gum(self) -> dict:
        return (self.result or {}).get("gum") or {}

    @property
    def monte_carlo(self) -> dict | None:
        return (self.result or {}).get("monte_carlo")

    @property
    def validation(self) -> dict | None:
        return (self.result or {}).get("validation")

    @property
    def model_text(self) -> str:
        model = (self.payload or {}).get("model", "")
        if isinstance(model, dict):
            return "; ".join(f"{k} = {v}" for k, v in model.items())
        if isinstance(model, list):
            return "; ".join(str(m) for m in model)
        return str(model)

    @property
    def result_text(self) -> str:
        d = self.gum.get("display") or {}
        if not d:
            return ""
        unit = (self.result or {}).get("unit") or ""
        unit = f" {unit}" if unit else ""
        return f"y = {d.get('y')}{unit}, U = {d.get('U')}{unit} (k = {d.get('k')})"
