"""Supervision API: the rates of a region subtree (from the counters) and the overdue list, both scoped to the
user's region like the dashboard (bureaus only: anyone else is refused)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from jiliang.core.api.views import ScopedViewSet

from .. import dashboard as dash
from .. import dashboard_views as pages
from ..models import InstrumentState
from . import dashboard_serializers as s


def _param(name, description, **kw):
    return OpenApiParameter(name, OpenApiTypes.STR, OpenApiParameter.QUERY, description=description, **kw)


FILTERS = [
    _param("region", "region code in the user's subtree (default: the user's region)"),
    _param("category", "instrument category id"),
    _param("usage", "usage (trade, safety, medical, environment, other)"),
]
RATE_FILTERS = [
    *FILTERS,
    _param("period", "2025 (year), 2025-Q2 (quarter) or 2025-06 (month); default the current year"),
    _param("owner_kind", "owner kind (market, hospital, fuel_station, optician, enterprise, …)"),
    _param("key", "true: key supervised instruments only"),
    _param("group", "child: also the rates of each region directly below", enum=["child"]),
]


def _group(row: dash.Row) -> dict:
    return {"region": str(row.key), "name": row.label, "statuses": row.as_dict()["statuses"],
            "rates": [row.on_time.as_dict(), row.by_end.as_dict(), row.passed.as_dict()]}


def _bureau(user) -> None:
    try:
        dash.root_of(user)
    except PermissionDenied as exc:
        raise DRFPermissionDenied("the supervision figures are for market supervision bureaus") from exc


class RatesView(APIView):
    """受检率 (on time, by the end of the period) and 合格率 of the user's region or a region below it, read from
    the counters; each rate names its definition and version (docs/supervision.md)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="supervision_rates", tags=["supervision"], parameters=RATE_FILTERS,
                   responses={200: s.RatesSerializer})
    def get(self, request):
        _bureau(request.user)
        try:
            f = dash.parse_filters(request.user, request.query_params, timezone.localdate())
        except dash.BadParameter as exc:
            field, _sep, detail = str(exc).partition(": ")
            return Response({"field": field, "detail": detail}, status=status.HTTP_400_BAD_REQUEST)
        except PermissionDenied as exc:
            raise DRFPermissionDenied("this region is outside your area") from exc
        body = {"region": f.region, "period": dash.period_label(f.period), "first_month": f.period.first_month,
                "last_month": f.period.last_month, "version": dash.rates.DEFINITION_VERSION,
                "total": _group(dash.total(f, f.region))}
        if request.query_params.get("group") == "child":
            body["children"] = [_group(r) for r in dash.by_child_region(f)]
        return Response(body)


@extend_schema(tags=["supervision"])
class OverdueViewSet(mixins.ListModelMixin, ScopedViewSet):
    """Instruments overdue for verification (超期未检) in the user's area, longest overdue first, with the owner's
    contact person and phone."""

    queryset = InstrumentState.objects.all()
    serializer_class = s.OverdueSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        _bureau(self.request.user)
        try:
            return pages.overdue_queryset(self.request.user, self.request.query_params)
        except PermissionDenied as exc:
            raise DRFPermissionDenied("this region is outside your area") from exc

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    @extend_schema(operation_id="supervision_overdue_list", parameters=FILTERS)
    def list(self, request, *args, **kwargs):
        try:
            return super().list(request, *args, **kwargs)
        except dash.BadParameter as exc:
            field, _sep, detail = str(exc).partition(": ")
            return Response({"field": field, "detail": detail}, status=status.HTTP_400_BAD_REQUEST)
