"""The uncertainty calculator page, and budget files of saved budgets."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jiliang.core.roles import Role
from jiliang.core.scoping import ADD, VIEW, may_write, user_role
from jiliang.uncertainty import UncertaintyError
from jiliang.uncertainty.distributions import KINDS

from . import evaluation
from .models import BudgetTemplate, SavedBudget


def _distribution_labels() -> dict[str, str]:
    labels = {
        "normal": _("normal"), "t": _("scaled and shifted t"), "type_a": _("Type A (observations)"),
        "rectangular": _("rectangular"), "triangular": _("triangular"), "trapezoidal": _("trapezoidal"),
        "arcsine": _("arcsine (U-shaped)"), "curvilinear_trapezoid": _("curvilinear trapezoid"),
    }
    english = (get_language() or "").startswith("en")
    # one name per language (the gettext label; the module's own name where no label exists)
    return {k: str(labels[k]) if k in labels else (KINDS[k].name_en if english else KINDS[k].name_zh) for k in KINDS}


def _strings() -> dict[str, object]:
    """Texts the calculator's script shows, translated here (gettext, English msgids)."""
    return {
        "input_quantity": _("Input quantity"), "estimate": _("Estimate"),
        "standard_uncertainty": _("Standard uncertainty"), "distribution": _("Distribution"),
        "sensitivity": _("Sensitivity coefficient"), "contribution": _("Contribution"),
        "dof": _("Degrees of freedom"), "share": _("Share of variance"),
        "gum": _("GUM (JJF 1059.1)"), "mc": _("Monte Carlo (JJF 1059.2)"),
        "validation": _("Validation (JCGM 101 clause 8)"), "validated": _("GUM validated"),
        "not_validated": _("GUM not validated"), "symmetric": _("symmetric interval"),
        "shortest": _("shortest interval"), "trials": _("trials M"), "seed": _("seed"),
        "effective_dof": _("effective degrees of freedom"), "coverage_factor": _("coverage factor"),
        "expanded": _("expanded uncertainty"), "combined": _("combined standard uncertainty"),
        "interval": _("coverage interval"), "result": _("result"), "unrounded": _("unrounded"),
        "frequency": _("probability density"), "gum_density": _("GUM: t/normal density"),
        "no_mc": _("Monte Carlo was not run."), "network_error": _("The server could not be reached."),
        "evaluating": _("Evaluating…"), "saved_budget": _("Budget saved:"), "saved_template": _("Template saved:"),
        "title_needed": _("Give the budget a title."), "name_needed": _("Give the template a name."),
        "evaluate_first": _("Evaluate first."), "at_column": _("at column"), "remove": _("Remove"),
        "not_converged": _("not converged"), "adaptive": _("adaptive"),
        "other_share": _("Correlations and higher-order terms"),
        # labels of the distribution parameters (the API names stay in data-param)
        "params": {"low": _("lower limit"), "high": _("upper limit"), "value": _("value"), "scale": _("scale"),
                   "observations": _("observations"), "half_width": "a", "beta": "β", "d": "d", "u": "u",
                   "U": "U", "k": "k"},
    }


@login_required
def calculator(request):
    """Type a model, fill the inputs, evaluate through the API, see the budget, histogram and verdict."""
    user = request.user
    initial, source = evaluation.EXAMPLE, None
    if request.GET.get("template"):
        template = get_object_or_404(BudgetTemplate.objects.restrict(user, VIEW), pk=request.GET["template"])
        try:
            initial = template.engine_template().fill({}, strict=False)
        except UncertaintyError:
            initial = dict(template.template or {})
        source = {"kind": "template", "id": template.pk, "name": str(template)}
    elif request.GET.get("budget"):
        budget = get_object_or_404(SavedBudget.objects.restrict(user, VIEW), pk=request.GET["budget"])
        initial = budget.payload
        source = {"kind": "budget", "id": budget.pk, "name": str(budget), "template": budget.template_id}
    organisation = getattr(user, "organisation", None)
    can_save = (user_role(user) == Role.INSTITUTE and organisation is not None and organisation.is_institute
                and may_write(user, SavedBudget.scope, ADD))
    return render(request, "budgets/calculator.html", {
        "initial": initial, "source": source, "can_save": can_save,
        "distributions": _distribution_labels(), "max_trials": evaluation.max_trials(), "strings": _strings(),
    })


@login_required
def budget_file(request, pk, fmt):
    """The saved budget as Excel or PDF in the JJF 1059.1 layout."""
    if fmt not in evaluation.FILE_TYPES:
        raise Http404
    budget = get_object_or_404(SavedBudget.objects.restrict(request.user, VIEW), pk=pk)
    data, content_type = evaluation.budget_file(budget.result, fmt)
    response = HttpResponse(data, content_type=content_type)
    stamp = timezone.localtime(budget.created).strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="uncertainty-budget-{budget.pk}-{stamp}.{fmt}"'
    return response
