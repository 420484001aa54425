"""Spot-check campaigns under /api/supervision/campaigns: list, define, retrieve; draw, verify-draw, close; the targets
and the results the user may see (supervision/campaign_scope.py); the population snapshot (CSV) and the reports.
Who may define, draw or close is decided by the service (supervision/campaigns.py)."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from jiliang.core.api.views import ReadOnlyScopedViewSet
from jiliang.supervision import campaign_report, campaign_scope, campaigns
from jiliang.supervision import campaign_results as cr
from jiliang.supervision import models as m
from jiliang.supervision.campaign_forms import CampaignFilterSet


class CampaignInspectorSerializer(serializers.Serializer):
    user = serializers.IntegerField(help_text="id of a bureau user within the organising bureau's region")
    county = serializers.CharField(max_length=6, required=False, allow_blank=True,
                                   help_text="county-level region the inspector works in (default: the user's region)")


class CampaignInspectorOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = m.CampaignInspector
        fields = ["user", "county"]
        read_only_fields = fields


class CampaignSerializer(serializers.ModelSerializer):
    regions = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    categories = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    inspectors = CampaignInspectorOutSerializer(many=True, read_only=True)

    class Meta:
        model = m.Campaign
        fields = ["id", "number", "title", "bureau_region", "regions", "categories", "owner_kinds", "usages",
                  "mandatory_only", "period_start", "period_end", "target_kind", "sample_size", "min_per_county",
                  "exclude_own_county", "inspectors", "seed", "population_size", "population_sha256", "drawn_at",
                  "drawn_by", "status", "created"]
        read_only_fields = fields


class CampaignCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    target_kind = serializers.ChoiceField(choices=m.CampaignTargetKind.choices, default=m.CampaignTargetKind.INSTRUMENTS)
    sample_size = serializers.IntegerField(min_value=1)
    min_per_county = serializers.IntegerField(min_value=0, default=0)
    exclude_own_county = serializers.BooleanField(default=False)
    mandatory_only = serializers.BooleanField(default=True)
    regions = serializers.ListField(child=serializers.CharField(max_length=6), default=list)
    categories = serializers.ListField(child=serializers.IntegerField(), default=list)
    owner_kinds = serializers.ListField(child=serializers.CharField(max_length=20), default=list)
    usages = serializers.ListField(child=serializers.CharField(max_length=20), default=list)
    inspectors = CampaignInspectorSerializer(many=True)


class DrawRequestSerializer(serializers.Serializer):
    seed = serializers.CharField(max_length=campaigns.SEED_MAX, required=False, allow_blank=True,
                                 help_text="empty: a random seed is made and recorded")


class DrawCheckSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    problems = serializers.ListField(child=serializers.CharField())
    population_size = serializers.IntegerField()
    population_sha256 = serializers.CharField()


class CampaignTargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = m.CampaignTarget
        fields = ["id", "position", "instrument", "organisation", "county", "inspector", "status"]
        read_only_fields = fields


class ResultRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    targets = serializers.IntegerField()
    checked = serializers.IntegerField()
    nonconforming = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True, help_text="nonconforming ÷ checked; null when nothing was checked")
    interval_low = serializers.FloatField(allow_null=True, help_text="95 % Wilson score interval, lower end")
    interval_high = serializers.FloatField(allow_null=True, help_text="95 % Wilson score interval, upper end")


class ResultsSerializer(serializers.Serializer):
    total = ResultRowSerializer()
    by_county = ResultRowSerializer(many=True)
    by_city = ResultRowSerializer(many=True)
    by_category = ResultRowSerializer(many=True)
    interval = serializers.CharField()


def _row(r: cr.Row) -> dict:
    iv = r.interval
    return {"key": r.key, "label": r.label, "targets": r.targets, "checked": r.checked,
            "nonconforming": r.nonconforming, "rate": r.rate, "interval_low": iv[0] if iv else None,
            "interval_high": iv[1] if iv else None}


class CampaignViewSet(ReadOnlyScopedViewSet):
    permission_classes = [IsAuthenticated]
    queryset = (m.Campaign.objects.select_related("bureau_region").defer("population_snapshot")
                .prefetch_related("regions", "categories", "inspectors"))
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilterSet
    ordering_fields = ["id", "number", "period_start"]

    def _out(self, campaign, code=status.HTTP_200_OK):
        return Response(CampaignSerializer(campaign, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=CampaignCreateSerializer, responses={201: CampaignSerializer})
    def create(self, request):
        payload = CampaignCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        spec = campaigns.CampaignSpec(
            title=d["title"], period_start=d["period_start"], period_end=d["period_end"],
            sample_size=d["sample_size"], target_kind=d["target_kind"], min_per_county=d["min_per_county"],
            exclude_own_county=d["exclude_own_county"], mandatory_only=d["mandatory_only"], regions=d["regions"],
            categories=d["categories"], owner_kinds=d["owner_kinds"], usages=d["usages"],
            inspectors=[(i["user"], i.get("county") or None) for i in d["inspectors"]])
        return self._out(campaigns.create_campaign(actor=request.user, spec=spec), status.HTTP_201_CREATED)

    @extend_schema(request=DrawRequestSerializer, responses={200: CampaignSerializer})
    @action(detail=True, methods=["post"])
    def draw(self, request, pk=None):
        payload = DrawRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        campaign = campaigns.draw(self.get_object(), actor=request.user, seed=payload.validated_data.get("seed"))
        return self._out(campaign)

    @extend_schema(request=None, responses={200: DrawCheckSerializer})
    @action(detail=True, methods=["post"], url_path="verify-draw")
    def verify_draw(self, request, pk=None):
        check = campaigns.verify_draw(self.get_object())
        return Response(DrawCheckSerializer({"ok": check.ok, "problems": check.problems,
                                             "population_size": check.population_size,
                                             "population_sha256": check.population_sha256}).data)

    @extend_schema(request=None, responses={200: CampaignSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._out(campaigns.close_campaign(self.get_object(), actor=request.user))

    @extend_schema(responses={200: CampaignTargetSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def targets(self, request, pk=None):
        campaign = self.get_object()
        targets = campaign_scope.visible_targets(request.user, campaign).order_by("position")
        page = self.paginate_queryset(targets)
        data = CampaignTargetSerializer(page if page is not None else targets, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(responses={200: ResultsSerializer})
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None):
        campaign = self.get_object()
        res = cr.results(campaign, campaign_scope.visible_targets(request.user, campaign))
        return Response(ResultsSerializer({
            "total": _row(res.total), "by_county": [_row(r) for r in res.by_county],
            "by_city": [_row(r) for r in res.by_city], "by_category": [_row(r) for r in res.by_category],
            "interval": "Wilson score interval, 95 % (Wilson 1927, JASA 22:209-212)"}).data)

    @extend_schema(responses={(200, "text/csv"): bytes})
    @action(detail=True, methods=["get"])
    def population(self, request, pk=None):
        campaign = self.get_object()
        if campaign.status == m.CampaignStatus.DRAFT:
            return Response({"detail": "The campaign has not been drawn."}, status=status.HTTP_409_CONFLICT)
        response = HttpResponse(campaigns.population_csv(campaign), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{campaign.number}-population.csv"'
        return response

    @extend_schema(parameters=[OpenApiParameter("output", str, enum=["pdf", "xlsx"], required=False,
                                                    description="pdf (default) or xlsx")],
                   responses={(200, "application/pdf"): bytes,
                              (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): bytes})
    @action(detail=True, methods=["get"])
    def report(self, request, pk=None):
        campaign = self.get_object()
        if campaign.status == m.CampaignStatus.DRAFT:
            return Response({"detail": "The campaign has not been drawn."}, status=status.HTTP_409_CONFLICT)
        targets = campaign_scope.visible_targets(request.user, campaign)
        if request.query_params.get("output") == "xlsx":
            response = HttpResponse(campaign_report.xlsx(campaign, targets),
                                    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            response["Content-Disposition"] = f'attachment; filename="{campaign.number}.xlsx"'
            return response
        response = HttpResponse(campaign_report.pdf(campaign, targets), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{campaign.number}.pdf"'
        return response
