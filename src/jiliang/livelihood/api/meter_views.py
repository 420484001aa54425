"""Household meters, their batches and rotation lists under /api/livelihood/.

``household-meters/`` list, detail and create (one meter, the rules of the meter file); ``household-meters/bulk/``
a JSON array of meters (per-row errors, the good rows kept); ``household-meters/<id>/rotate/`` a rotation;
``meter-batches/`` list, detail, create and ``<id>/results/``; ``rotation-lists/?utility=&year=&quarter=`` (or
``region=``) and ``rotation-overdue/`` the overdue count per utility. Everything is scoped: a utility sees its own
meters, a bureau its region.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from jiliang.core.api.pagination import Pagination
from jiliang.core.api.views import ScopedViewSet
from jiliang.core.scoping import VIEW
from jiliang.registry.models import Organisation

from .. import meter_batches, meter_import, meter_rotation
from ..meter_access import resolve_utility
from ..meter_filters import HouseholdMeterFilterSet, MeterBatchFilterSet
from ..models import HouseholdMeter, MeterBatch
from . import meter_serializers as s

BULK_MAX = 200_000  # rows per request; larger files go through the upload page (a background job)


def _errors(exc: ValidationError) -> dict:
    return exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs), None
    except meter_batches.BatchRefused as exc:
        return None, Response({"errors": [e.as_dict() for e in exc.rows]}, status=400)
    except ValidationError as exc:
        return None, Response(_errors(exc), status=400)
    except PermissionDenied as exc:
        raise ApiPermissionDenied(str(exc)) from None


class HouseholdMeterViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Household water, gas and electricity meters (民用三表), scoped to the utility or the bureau's region."""

    permission_classes = [IsAuthenticated]
    queryset = HouseholdMeter.objects.select_related("instrument", "batch").order_by("instrument_id")
    serializer_class = s.HouseholdMeterSerializer
    filterset_class = HouseholdMeterFilterSet
    lookup_value_regex = "[0-9]{1,18}"

    def _register(self, rows, utility_id):
        utility, refused = _call(resolve_utility, self.request.user, utility_id)
        if refused:
            return None, refused
        return _call(meter_import.register_rows, rows, utility=utility, actor=self.request.user,
                     message="household meter API", today=timezone.localdate())

    @extend_schema(request=s.HouseholdMeterInputSerializer, responses={201: s.HouseholdMeterSerializer})
    def create(self, request):
        if not isinstance(request.data, dict):
            return Response({"non_field_errors": [_("Send one meter as a JSON object.")]}, status=400)
        result, refused = self._register([(1, request.data)], request.data.get("utility"))
        if refused:
            return refused
        if result.errors:
            errors: dict = {}
            for e in result.errors:
                errors.setdefault(e.field, []).append(e.message)
            return Response(errors, status=400)
        meter = self.get_queryset().get(pk=result.instrument_ids[0])
        return Response(self.get_serializer(meter).data, status=201)

    @extend_schema(request=s.HouseholdMeterInputSerializer(many=True), responses={200: s.BulkResultSerializer},
                   parameters=[OpenApiParameter("utility", int, description="the utility (default: yours)")])
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """A JSON array of meters (the columns of the meter file); rows are numbered from 1. The good rows are
        registered; the answer lists the bad ones by row and field."""
        data = request.data
        if not isinstance(data, list):
            return Response({"non_field_errors": [_("Send a JSON array of meters.")]}, status=400)
        if len(data) > BULK_MAX:
            return Response({"non_field_errors": [_("%(n)d meters in one request; at most %(max)d. Send them in "
                                                    "parts, or upload the file.") % {"n": len(data), "max": BULK_MAX}]},
                            status=400)
        bad = [i for i, row in enumerate(data, start=1) if not isinstance(row, dict)]
        if bad:
            return Response({"errors": [{"row": i, "field": "", "message": _("not a JSON object")} for i in bad]},
                            status=400)
        result, refused = self._register(list(enumerate(data, start=1)), request.query_params.get("utility"))
        if refused:
            return refused
        return Response(result.as_dict(), status=200)

    @extend_schema(request=s.RotateSerializer, responses={201: s.HouseholdMeterSerializer})
    @action(detail=True, methods=["post"])
    def rotate(self, request, pk=None):
        """Rotation: the meter is retired and the new one (these values) registered at the same place."""
        old = self.get_object()
        data = s.RotateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        new, refused = _call(meter_rotation.rotate_meter, old, actor=request.user, today=timezone.localdate(),
                             **data.validated_data)
        if refused:
            return refused
        return Response(self.get_serializer(self.get_queryset().get(pk=new.pk)).data, status=201)


class MeterBatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """First-verification batches of household meters with their statistics (Zhejiang 条例 Art. 19)."""

    permission_classes = [IsAuthenticated]
    queryset = MeterBatch.objects.select_related("utility").order_by("-id")
    serializer_class = s.MeterBatchSerializer
    filterset_class = MeterBatchFilterSet

    def create(self, request):
        data = s.MeterBatchSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        utility, refused = _call(resolve_utility, request.user, v.pop("utility").pk)
        if refused:
            return refused
        batch, refused = _call(meter_batches.register_batch, utility=utility, actor=request.user,
                               today=timezone.localdate(), **v)
        if refused:
            return refused
        return Response(s.MeterBatchSerializer(batch, context={"request": request}).data, status=201)

    @extend_schema(request=s.BatchResultsSerializer, responses={200: s.MeterBatchSerializer})
    @action(detail=True, methods=["post"])
    def results(self, request, pk=None):
        """The first-verification results of every meter of the batch, all at once."""
        batch = self.get_object()
        data = s.BatchResultsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        rows = [(i, m) for i, m in enumerate(v["meters"], start=1)]
        flows = v.get("flows") or batch.flows or sorted({f for _i, m in rows for f in (m.get("errors") or {})})
        batch, refused = _call(meter_batches.record_results, batch, rows, actor=request.user, flows=flows,
                               verified_on=v.get("verified_on"), today=timezone.localdate())
        if refused:
            return refused
        return Response(s.MeterBatchSerializer(batch, context={"request": request}).data)


QUARTER_PARAMS = [OpenApiParameter("year", int, required=True), OpenApiParameter("quarter", int, required=True),
                  OpenApiParameter("utility", int), OpenApiParameter("region", str, description="a county's code"),
                  OpenApiParameter("after", str, description="the cursor of the next page (the previous page's "
                                                             "``next`` link carries it)"),
                  OpenApiParameter("page_size", int, description="rows a page (at most 1000)")]
ROTATION_PAGE = 200  # rows a page of the rotation list


class RotationListViewSet(ScopedViewSet):
    """到期轮换清单: meters whose rotation deadline falls in the quarter, and those already overdue, in keyset pages
    (``next`` carries the cursor; ``count`` and ``summary`` are the whole list's)."""

    permission_classes = [IsAuthenticated]
    queryset = HouseholdMeter.objects.all()
    serializer_class = s.RotationRowSerializer
    filter_backends: list = []
    pagination_class = None

    @extend_schema(parameters=QUARTER_PARAMS, responses={200: inline_serializer("RotationListPage", {
        "count": serializers.IntegerField(), "next": serializers.URLField(allow_null=True),
        "summary": inline_serializer("RotationListSummary", {
            "total": serializers.IntegerField(), "due": serializers.IntegerField(),
            "overdue": serializers.IntegerField()}),
        "results": s.RotationRowSerializer(many=True)})})
    def list(self, request):
        p = request.query_params
        quarter, refused = _call(meter_rotation.Quarter.parse, p.get("year"), p.get("quarter"))
        if refused:
            return refused
        utility = None
        if p.get("utility"):
            utility = get_object_or_404(Organisation.objects.restrict(request.user, VIEW), pk=int(p["utility"])) \
                if p["utility"].isdigit() else None
            if utility is None:
                return Response({"utility": [_("Give the utility's id.")]}, status=400)
        qs = meter_rotation.rotation_queryset(self.get_queryset(), quarter, utility=utility, region=p.get("region"))
        size = p.get("page_size", "")
        size = min(int(size), Pagination.max_page_size) if size.isdigit() and int(size) > 0 else ROTATION_PAGE
        found, refused = _call(meter_rotation.page, qs, quarter, size=size, after=p.get("after"))
        if refused:
            return refused
        rows, cursor = found
        summary = meter_rotation.summary(qs, quarter)
        following = None
        if cursor is not None:
            query = p.copy()
            query["after"] = cursor
            following = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return Response({"count": summary["total"], "next": following, "summary": summary,
                         "results": s.RotationRowSerializer(rows, many=True).data})


class OverdueRotationViewSet(ScopedViewSet):
    """Per utility: meters in service, and those past their rotation deadline (today)."""

    permission_classes = [IsAuthenticated]
    queryset = HouseholdMeter.objects.all()
    filter_backends: list = []
    pagination_class = None

    @extend_schema(responses=inline_serializer("OverdueRotations", {
        "date": serializers.DateField(),
        "utilities": inline_serializer("OverdueRotationsOfUtility", {
            "utility": serializers.IntegerField(), "name": serializers.CharField(),
            "in_service": serializers.IntegerField(), "overdue": serializers.IntegerField()}, many=True)}))
    def list(self, request):
        today = timezone.localdate()
        rows = meter_rotation.overdue_by_utility(self.get_queryset(), today)
        return Response({"date": today, "utilities": [
            {"utility": r["utility_id"], "name": r["utility__name"], "in_service": r["in_service"],
             "overdue": r["overdue"]} for r in rows]})

