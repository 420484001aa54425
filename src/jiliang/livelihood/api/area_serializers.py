"""API shapes of transformer areas and their error estimates.

An estimate's ``results`` give per meter the estimated relative error and its standard uncertainty in percent
(``error_pct``, ``u_pct``, k = 1), the two-sided 95 % interval (``low_pct``, ``high_pct``), the MPE used and the
decision (``exceeds``, ``within``, ``undecided``, ``no_mpe``, ``not_estimated``); ``line_loss`` the fitted losses,
or ``refused`` with the reason when the data could not support an estimate (area_errors.py)."""

from rest_framework import serializers

from jiliang.core.api.serializers import ScopedModelSerializer

from ..models import AreaEstimate, TransformerArea


class AreaEstimateSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:area-estimate-detail")

    class Meta:
        model = AreaEstimate
        fields = ("id", "url", "display", "area", "first_day", "last_day", "days", "method", "line_loss", "results",
                  "flagged", "residual_sd", "created")
        read_only_fields = fields


class TransformerAreaSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:transformer-area-detail")
    meter_count = serializers.IntegerField(read_only=True)
    latest_estimate = serializers.SerializerMethodField()

    class Meta:
        model = TransformerArea
        fields = ("id", "url", "display", "utility", "code", "name", "region", "area_meter", "meter_count",
                  "latest_estimate")
        read_only_fields = fields

    def get_latest_estimate(self, area) -> dict | None:
        latest_id = getattr(area, "latest_id", None)
        if latest_id is None:
            return None
        estimate = AreaEstimate.objects.get(pk=latest_id)
        data = AreaEstimateSerializer(estimate, context=self.context).data
        if self.context.get("view") is not None and getattr(self.context["view"], "action", "") == "list":
            data.pop("results", None)  # the list names the flags; the detail has every meter
        return data
