from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jiliang.budgets import models as m
from jiliang.core.api.serializers import ScopedModelSerializer

COMMON = ("id", "url", "display", "description", "comments", "created", "last_updated")


class _InstituteDefault:
    """The signed-in user's own institute when the request names none."""

    requires_context = True

    def __call__(self, serializer_field):
        request = serializer_field.context.get("request")
        organisation = getattr(getattr(request, "user", None), "organisation", None)
        if organisation is not None and organisation.is_institute:
            return organisation
        raise serializers.ValidationError("Name the institute the record belongs to.")


class BudgetTemplateSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:budgettemplate-detail")
    missing = serializers.SerializerMethodField(help_text="parameters still to be filled (null in the template)")

    class Meta:
        model = m.BudgetTemplate
        fields = COMMON + ("institute", "name", "procedure", "template", "missing")
        extra_kwargs = {"institute": {"default": _InstituteDefault()}}
        validators = []  # the (institute, name) constraint is checked by full_clean in the service

    def get_missing(self, obj) -> list[str]:
        return obj.missing()


@extend_schema_field({"type": "object", "nullable": True, "readOnly": True,
                      "properties": {"type": {"type": "string", "description": "app_label.model"},
                                     "id": {"type": "string"}}})
class AttachedToField(serializers.Field):
    def __init__(self, **kwargs):
        kwargs.setdefault("source", "*")
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, obj):
        if obj.attached_type_id is None:
            return None
        ct = obj.attached_type
        return {"type": f"{ct.app_label}.{ct.model}", "id": obj.attached_id}


class SavedBudgetSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:savedbudget-detail")
    attached_to = AttachedToField(help_text="the record this budget is attached to, e.g. a calibration result")
    created_by = serializers.StringRelatedField()

    class Meta:
        model = m.SavedBudget
        fields = COMMON + ("institute", "template", "title", "payload", "result", "created_by", "attached_to")
        read_only_fields = ("result", "created_by")
        extra_kwargs = {"institute": {"default": _InstituteDefault()}}


# --- documentation of the free-form evaluate request and result (drf-spectacular) ---------------------

class UncertaintyEvaluationSerializer(serializers.Serializer):
    model = serializers.JSONField(help_text="expression over the input names (e.g. \"V / I\"), a list of "
                                            "expressions, or an object of output name → expression")
    inputs = serializers.DictField(child=serializers.JSONField(), help_text=(
        "input name → {value, u | U and k, dof} (normal, the default), {distribution: rectangular | triangular "
        "| arcsine, low, high | value, half_width}, trapezoidal (+ beta), curvilinear_trapezoid (+ d), "
        "{distribution: t, value, scale, dof}, or {observations: [...]} (Type A)"))
    correlations = serializers.ListField(child=serializers.ListField(), required=False,
                                         help_text='[[name, name, r], ...]; r may be "observations"')
    coverage_probability = serializers.FloatField(required=False, default=0.95)
    k = serializers.FloatField(required=False, allow_null=True,
                               help_text="a fixed coverage factor (k = 2 as JJF 1059.1 allows)")
    second_order = serializers.BooleanField(required=False, default=False)
    monte_carlo = serializers.JSONField(required=False, allow_null=True, help_text=(
        "{trials, seed, adaptive, ndig, bins}, or null to skip; trials above the server's limit "
        "(JILIANG_MC_MAX_TRIALS) are refused"))
    validation = serializers.JSONField(required=False, help_text="{ndig, interval: shortest | symmetric}")
    rounding = serializers.JSONField(required=False, help_text="{digits: 1 | 2, mode: half_even | up}")
    unit = serializers.JSONField(required=False, help_text="unit of the output, or output name → unit")
    ensembles = serializers.ListField(child=serializers.ListField(child=serializers.CharField()), required=False)
    truncate_dof = serializers.BooleanField(required=False, default=True)


class UncertaintyResultSerializer(serializers.Serializer):
    name = serializers.CharField()
    unit = serializers.CharField()
    gum = serializers.JSONField(help_text="y, u, dof (null = infinite, or not evaluated when dof_evaluated is "
                                          "false: correlated finite-ν inputs with a fixed k), k, U, p, interval, sensitivity "
                                          "coefficients, display (rounded per JJF 1059.1)")
    monte_carlo = serializers.JSONField(allow_null=True, help_text=(
        "y, u, trials, seed, interval_symmetric, interval_shortest, histogram {edges, counts, below, above}, "
        "display"))
    validation = serializers.JSONField(allow_null=True, help_text="gum_validated, d_low, d_high, delta "
                                                                  "(JCGM 101 clause 8)")
    budget = serializers.ListField(child=serializers.JSONField(), help_text=(
        "one row per input: source, estimate, std_uncertainty, distribution, sensitivity, contribution, dof, "
        "share"))
    budget_other_share = serializers.FloatField()
    outputs = serializers.ListField(child=serializers.JSONField(), help_text="the same per output quantity")
    inputs = serializers.ListField(child=serializers.JSONField())
    input_correlation = serializers.JSONField()
    output_covariance = serializers.JSONField(required=False)
    budgets = serializers.ListField(child=serializers.JSONField(), help_text="Budget.to_dict() per output")
    notes = serializers.ListField(child=serializers.CharField())


class UncertaintyErrorSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True, help_text="dotted path of the offending input, e.g. "
                                                             "inputs.I.high, model, monte_carlo.trials")
    detail = serializers.CharField()
    column = serializers.IntegerField(required=False, help_text="0-based column in the model expression")


class TemplateFillSerializer(serializers.Serializer):
    values = serializers.DictField(child=serializers.DictField(child=serializers.JSONField()),
                                   help_text="input → {parameter: value} for the template's open parameters")
    evaluate = serializers.BooleanField(required=False, default=False, help_text="also evaluate the filled request")


class TemplateFillResultSerializer(serializers.Serializer):
    payload = serializers.JSONField(help_text="the complete request for /api/uncertainty/evaluate")
    result = serializers.JSONField(required=False, help_text="the evaluation, when asked for")
