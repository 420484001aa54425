"""Transformer areas with their latest estimate, and the estimates, read-only and scoped like the area."""

from jiliang.core.api.views import ReadOnlyScopedViewSet

from ..area_filters import AreaEstimateFilterSet, TransformerAreaFilterSet, with_latest
from ..models import AreaEstimate, TransformerArea
from .area_serializers import AreaEstimateSerializer, TransformerAreaSerializer


class TransformerAreaViewSet(ReadOnlyScopedViewSet):
    queryset = TransformerArea.objects.select_related("utility", "region")
    serializer_class = TransformerAreaSerializer
    filterset_class = TransformerAreaFilterSet
    ordering_fields = ["code", "name", "id"]

    def get_queryset(self):
        return with_latest(super().get_queryset()).order_by("utility__name", "code")


class AreaEstimateViewSet(ReadOnlyScopedViewSet):
    queryset = AreaEstimate.objects.select_related("area")
    serializer_class = AreaEstimateSerializer
    filterset_class = AreaEstimateFilterSet
    ordering_fields = ["id", "created", "last_day", "flagged"]
