"""The markets' API under /api/livelihood/: ``markets/`` (with stalls and scales nested, the checklist and the
score), ``stalls/`` and ``market-scales/``. Reads are scoped like the market (a market operator sees its markets,
a county bureau its county); writes are calls into market_services (register, move, take off a scale; open a
stall), so the API refuses what the pages refuse, with the same messages."""

from __future__ import annotations

import django_filters as df
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from jiliang.core.api.views import ScopedViewSet
from jiliang.core.audit import audit_context
from jiliang.core.filters import FilterSet, IdFilter, RegionSubtreeFilter
from jiliang.core.scoping import VIEW
from jiliang.registry.models import Instrument
from jiliang.supervision import dashboard

from .. import market_rates
from .. import market_services as ms
from ..models import Market, MarketScale, Stall, UnificationCheck


def _channel(request):
    return audit_context(actor=request.user, channel="api")


# ---------------------------------------------------------------- serializers


class ScaleSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="instrument_id", read_only=True)
    instrument_code = serializers.CharField(source="instrument.instrument_code", read_only=True)
    serial_number = serializers.CharField(source="instrument.serial_number", read_only=True)
    status = serializers.SerializerMethodField(help_text="supervision status of the instrument (InstrumentState)")
    stall_number = serializers.CharField(source="stall.number", read_only=True, allow_null=True, default=None)

    class Meta:
        model = MarketScale
        fields = ("id", "market", "stall", "stall_number", "fair_scale", "registered_on", "instrument_code",
                  "serial_number", "status")
        read_only_fields = fields

    def get_status(self, obj) -> str | None:
        state = getattr(obj.instrument, "supervision", None)
        return state.status if state is not None else None


class StallSerializer(serializers.ModelSerializer):
    class Meta:
        model = Stall
        fields = ("id", "market", "number", "trader", "trader_uscc", "goods", "active")
        read_only_fields = ("id", "active")


class NestedStallSerializer(StallSerializer):
    scales = serializers.SerializerMethodField()

    class Meta(StallSerializer.Meta):
        fields = (*StallSerializer.Meta.fields, "scales")

    def get_scales(self, obj) -> list[dict]:
        return ScaleSerializer([s for s in obj.market_scales if s.stall_id == obj.pk], many=True).data


class CheckSerializer(serializers.ModelSerializer):
    confirmed = serializers.SerializerMethodField()

    class Meta:
        model = UnificationCheck
        fields = ("item", "met", "responsible", "detail", "evidence_date", "confirmed", "checked_on")
        read_only_fields = fields

    def get_confirmed(self, obj) -> bool:
        return obj.checked_by_id is not None


class MarketSerializer(serializers.ModelSerializer):
    operator_name = serializers.CharField(source="operator.name", read_only=True)
    stalls = serializers.SerializerMethodField()
    fair_scales = serializers.SerializerMethodField()
    unifications = CheckSerializer(many=True, read_only=True)
    figures = serializers.SerializerMethodField(help_text="the period's rates (supervision's definitions) and the "
                                                          "market score (market_score.py)")

    class Meta:
        model = Market
        fields = ("id", "name", "operator", "operator_name", "region", "address", "opened_on", "active", "stalls",
                  "fair_scales", "unifications", "figures")
        read_only_fields = fields

    def get_stalls(self, obj) -> list[dict]:
        scales = list(obj.scales.all())
        out = []
        for stall in obj.stalls.all():
            stall.market_scales = scales
            out.append(NestedStallSerializer(stall).data)
        return out

    def get_fair_scales(self, obj) -> list[dict]:
        return ScaleSerializer([s for s in obj.scales.all() if s.fair_scale], many=True).data

    def get_figures(self, obj) -> dict | None:
        fig = self.context.get("figures", {}).get(obj.pk)
        if fig is None:
            return None
        return {"period": self.context["period_label"], "scales": fig.scales, "verification_rate": fig.on_time.as_dict(),
                "pass_rate": fig.passed.as_dict(), "score": fig.score.as_dict()}


class RegisterScaleSerializer(serializers.Serializer):
    market = serializers.IntegerField()
    stall = serializers.IntegerField(required=False, allow_null=True)
    fair_scale = serializers.BooleanField(default=False)
    instrument = serializers.IntegerField(required=False, allow_null=True,
                                          help_text="an instrument of the operator already in the registry")
    category = serializers.ChoiceField(choices=ms.SCALE_CATEGORIES, required=False)
    manufacturer = serializers.CharField(required=False, allow_blank=True, default="")
    model = serializers.CharField(required=False, allow_blank=True, default="")
    serial_number = serializers.CharField(required=False, allow_blank=True, default="")
    accuracy_class = serializers.CharField(required=False, allow_blank=True, default="")
    range_max = serializers.DecimalField(max_digits=12, decimal_places=3, required=False, allow_null=True)


class MoveScaleSerializer(serializers.Serializer):
    stall = serializers.IntegerField(required=False, allow_null=True, help_text="empty: a public fair scale")


# ---------------------------------------------------------------- filters


class MarketFilterSet(FilterSet):
    region = RegionSubtreeFilter()
    operator = IdFilter(field_name="operator_id")
    name = df.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Market
        fields = ["region", "operator", "active"]


class StallFilterSet(FilterSet):
    market = IdFilter(field_name="market_id")
    region = RegionSubtreeFilter(path="market__region")

    class Meta:
        model = Stall
        fields = ["market", "active"]


class MarketScaleFilterSet(FilterSet):
    market = IdFilter(field_name="market_id")
    stall = IdFilter(field_name="stall_id")
    region = RegionSubtreeFilter(path="market__region")

    class Meta:
        model = MarketScale
        fields = ["market", "stall", "fair_scale"]


# ---------------------------------------------------------------- viewsets


class MarketViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Markets with their stalls, the scales on each stall and their supervision status, the fair scales, the
    five-unifications checklist and the period's figures (``?period=2025``, ``2025-Q2``, ``2025-06``; default: this
    year). A market operator sees its markets; a bureau the markets of its region."""

    permission_classes = [IsAuthenticated]
    queryset = (Market.objects.select_related("operator").prefetch_related(
        "stalls", "scales__instrument__supervision", "scales__stall", "unifications").order_by("region_id", "name"))
    serializer_class = MarketSerializer
    filterset_class = MarketFilterSet

    def _figures(self, markets) -> None:
        period = dashboard.parse_period(self.request.query_params.get("period"), timezone.localdate())
        self._period_label = dashboard.period_label(period)
        self._fig = {f.market.pk: f for f in market_rates.market_figures(markets, period)}

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._figures(page if page is not None else queryset)
        return page

    def get_object(self):
        obj = super().get_object()
        self._figures([obj])
        return obj

    def get_serializer_context(self):
        ctx = super().get_serializer_context()
        ctx["figures"] = getattr(self, "_fig", {})
        ctx["period_label"] = getattr(self, "_period_label", "")
        return ctx

    def list(self, request, *args, **kwargs):
        try:
            return super().list(request, *args, **kwargs)
        except dashboard.BadParameter as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)


class StallViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet):
    """Stalls of the markets you may see; POST opens a stall (market_services.add_stall)."""

    permission_classes = [IsAuthenticated]
    queryset = Stall.objects.select_related("market").order_by("market_id", "number")
    serializer_class = StallSerializer
    filterset_class = StallFilterSet

    def perform_create(self, serializer):
        d = serializer.validated_data
        market = _visible_market(self.request, d["market"].pk)
        with _channel(self.request):
            serializer.instance = ms.add_stall(market=market, number=d["number"], trader=d["trader"],
                                               trader_uscc=d.get("trader_uscc", ""), goods=d.get("goods", ""),
                                               actor=self.request.user)


def _visible_market(request, pk) -> Market:
    from django.http import Http404

    market = Market.objects.restrict(request.user, VIEW).filter(pk=pk).first()
    if market is None:
        raise Http404
    return market


class MarketScaleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin,
                         ScopedViewSet):
    """Scales registered in markets (the id is the instrument's). POST registers a scale on a stall or as a fair
    scale (a new instrument, or ``instrument``: one of the operator's); ``POST …/<id>/move/`` moves it; DELETE takes
    it off the market's register (the instrument stays in the registry). A scale already registered is refused with
    the stall that has it."""

    permission_classes = [IsAuthenticated]
    queryset = MarketScale.objects.select_related("instrument__supervision", "stall", "market").order_by(
        "market_id", "instrument_id")
    serializer_class = ScaleSerializer
    filterset_class = MarketScaleFilterSet
    lookup_value_regex = "[0-9]{1,18}"

    @extend_schema(request=RegisterScaleSerializer, responses=ScaleSerializer)
    def create(self, request):
        body = RegisterScaleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = dict(body.validated_data)
        market = _visible_market(request, d.pop("market"))
        stall_id = d.pop("stall", None)
        stall = Stall.objects.filter(pk=stall_id).select_related("market").first() if stall_id else None
        if stall_id and (stall is None or not Stall.objects.restrict(request.user, VIEW).filter(pk=stall_id).exists()):
            return Response({"stall": [f"no stall {stall_id} that you may see"]}, status=status.HTTP_400_BAD_REQUEST)
        inst_id = d.pop("instrument", None)
        instrument = None
        if inst_id:
            instrument = Instrument.objects.restrict(request.user, VIEW).filter(pk=inst_id).first()
            if instrument is None:
                return Response({"instrument": [f"no instrument {inst_id} that you may see"]},
                                status=status.HTTP_400_BAD_REQUEST)
        with _channel(request):
            scale = ms.register_scale(market=market, stall=stall, instrument=instrument, actor=request.user, **d)
        return Response(ScaleSerializer(scale).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MoveScaleSerializer, responses=ScaleSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        scale = self.get_object()
        body = MoveScaleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        stall_id = body.validated_data.get("stall")
        stall = Stall.objects.restrict(request.user, VIEW).filter(pk=stall_id).first() if stall_id else None
        if stall_id and stall is None:
            return Response({"stall": [f"no stall {stall_id} that you may see"]}, status=status.HTTP_400_BAD_REQUEST)
        with _channel(request):
            scale = ms.move_scale(scale, stall=stall, fair_scale=stall is None, actor=request.user)
        return Response(ScaleSerializer(scale).data)

    def perform_destroy(self, instance):
        with _channel(self.request):
            ms.remove_scale(instance, actor=self.request.user, reason="API")
