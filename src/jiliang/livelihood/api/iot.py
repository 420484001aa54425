"""``/api/livelihood/iot-status/``: the IoT status of smart household meters per utility (iot_status.py), and each
utility's meters by status. Bureaus see the utilities of their region and below, a utility itself; other roles get
403, anonymous requests 401."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from jiliang.core.api.pagination import Pagination
from jiliang.telemetry.models import EVENT_KINDS

from .. import iot_status
from ..iot_views import check


class HouseholdAlarmsSerializer(serializers.Serializer):
    valve_closed = serializers.IntegerField()
    battery_low = serializers.IntegerField()
    magnetic_tamper = serializers.IntegerField()
    cover_opened = serializers.IntegerField()


class UtilityIotStatusSerializer(serializers.Serializer):
    utility = serializers.IntegerField()
    utility_name = serializers.CharField()
    uscc = serializers.CharField()
    region = serializers.CharField()
    registered = serializers.IntegerField()
    with_point = serializers.IntegerField()
    no_point = serializers.IntegerField()
    reporting = serializers.IntegerField()
    silent = serializers.IntegerField()
    past_life_reporting = serializers.IntegerField()
    alarms = HouseholdAlarmsSerializer()


class HouseholdIotStatusSerializer(serializers.Serializer):
    as_of = serializers.DateTimeField()
    silent_days = serializers.IntegerField()
    utilities = UtilityIotStatusSerializer(many=True)


class HouseholdIotMeterSerializer(serializers.Serializer):
    instrument = serializers.IntegerField(source="instrument_id")
    instrument_code = serializers.CharField(source="instrument.instrument_code")
    kind = serializers.CharField()
    region = serializers.CharField(source="region_id")
    point = serializers.IntegerField(source="point_id", allow_null=True)
    last_reading = serializers.DateTimeField(source="last_ts", allow_null=True)
    rotation_due = serializers.DateField(allow_null=True)


def _check(user) -> None:
    try:
        check(user)
    except PermissionDenied as exc:
        raise DRFPermissionDenied(str(exc)) from exc


ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="the utility's id")


class HouseholdIotViewSet(viewsets.ViewSet):
    """Per utility: household meters registered, with a point, reporting (last reading at most
    ``silent_days`` days old), silent, past their service life and still reporting, and the meters with an open
    alarm of each kind (valve_closed, battery_low, magnetic_tamper, cover_opened)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="livelihood_iot_status_list", tags=["livelihood"], responses={200: HouseholdIotStatusSerializer})
    def list(self, request):
        _check(request.user)
        rows = iot_status.utility_status(request.user)
        return Response({"as_of": timezone.now(), "silent_days": iot_status.silent_days(),
                         "utilities": [r.as_dict() for r in rows]})

    @extend_schema(operation_id="livelihood_iot_status_retrieve", tags=["livelihood"], parameters=[ID], responses={200: UtilityIotStatusSerializer})
    def retrieve(self, request, pk=None):
        _check(request.user)
        utility = get_object_or_404(iot_status.utilities(request.user), pk=pk)
        [row] = iot_status.utility_status(request.user, utility=utility)
        return Response(row.as_dict())

    @extend_schema(operation_id="livelihood_iot_status_meters", tags=["livelihood"],
                   parameters=[ID, OpenApiParameter("status", OpenApiTypes.STR, enum=[*iot_status.STATUSES],
                                                description="which meters (default registered)"),
                               OpenApiParameter("kind", OpenApiTypes.STR, enum=[*EVENT_KINDS],
                                                description="alarm kind, with status=alarm")],
                   responses={200: HouseholdIotMeterSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def meters(self, request, pk=None):
        """The utility's meters of one status, paged."""
        _check(request.user)
        utility = get_object_or_404(iot_status.utilities(request.user), pk=pk)
        status = request.query_params.get("status") or "registered"
        kind = request.query_params.get("kind") or ""
        if status not in iot_status.STATUSES:
            raise ValidationError({"status": f"one of {', '.join(iot_status.STATUSES)}"})
        if kind and kind not in EVENT_KINDS:
            raise ValidationError({"kind": f"one of {', '.join(EVENT_KINDS)}"})
        qs = iot_status.meter_list(request.user, utility, status, kind=kind)
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(HouseholdIotMeterSerializer(page, many=True).data)
