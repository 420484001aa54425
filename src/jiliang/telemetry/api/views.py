"""Telemetry API: metering points (CRUD), readings ingest, and read-only batches, readings, rollups,
anomalies (with a state-change action) and conflicts. Every queryset starts from ``restrict(user)``."""

from __future__ import annotations

import heapq

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from jiliang.core.api.views import ReadOnlyScopedViewSet, ScopedModelViewSet, ScopedViewSet
from jiliang.core.bulk import fewer_collections
from jiliang.telemetry import filters, services
from jiliang.telemetry import models as m
from jiliang.telemetry.ingest import Group, ingest
from jiliang.telemetry.parsing import PayloadError, gunzip, parse_body
from jiliang.telemetry.senders import sender_slot

from . import serializers as s


class MeteringPointViewSet(ScopedModelViewSet):
    queryset = m.MeteringPoint.objects.select_related("enterprise", "state")
    serializer_class = s.MeteringPointSerializer
    filterset_class = filters.MeteringPointFilterSet
    ordering_fields = ["code", "name", "energy_type", "id"]

    def perform_create(self, serializer):
        data, _m2m = serializer.split_m2m(serializer.validated_data)
        serializer.instance = services.create_point(data, actor=self.request.user)


class IngestBatchViewSet(ReadOnlyScopedViewSet):
    queryset = m.IngestBatch.objects.all()
    serializer_class = s.IngestBatchSerializer
    filterset_class = filters.IngestBatchFilterSet
    ordering_fields = ["id", "received_at"]


class AnomalyViewSet(ReadOnlyScopedViewSet):
    queryset = m.Anomaly.objects.all()
    serializer_class = s.AnomalySerializer
    filterset_class = filters.AnomalyFilterSet
    ordering_fields = ["id", "last_seen", "first_seen", "kind"]

    @extend_schema(request=s.AnomalyMoveSerializer, responses=s.AnomalySerializer)
    @action(detail=True, methods=["post"], url_path="state")
    def move(self, request, pk=None):
        """Acknowledge, resolve or reopen the anomaly (the caller becomes its owner)."""
        anomaly = self.get_object()
        body = s.AnomalyMoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        anomaly = services.move_anomaly(anomaly, body.validated_data["state"], actor=request.user,
                                        note=body.validated_data.get("note", ""))
        return Response(self.get_serializer(anomaly).data)


class ReadingConflictViewSet(ReadOnlyScopedViewSet):
    queryset = m.ReadingConflict.objects.all()
    serializer_class = s.ReadingConflictSerializer
    filterset_class = filters.ReadingConflictFilterSet
    ordering_fields = ["id", "ts"]


class ReadingViewSet(mixins.ListModelMixin, ScopedViewSet):
    """Stored readings (append-only; there is no detail, edit or delete)."""

    queryset = m.Reading.objects.select_related("point").order_by("point_id", "ts")
    serializer_class = s.ReadingSerializer
    filterset_class = filters.ReadingFilterSet
    ordering_fields = ["ts"]
    ordering = ["point_id", "ts"]


class PointRollupViewSet(mixins.ListModelMixin, ScopedViewSet):
    queryset = m.PointRollup.objects.select_related("point").order_by("point_id", "period", "start")
    serializer_class = s.PointRollupSerializer
    filterset_class = filters.PointRollupFilterSet
    ordering_fields = ["start"]


class EnterpriseRollupViewSet(mixins.ListModelMixin, ScopedViewSet):
    queryset = m.EnterpriseRollup.objects.order_by("enterprise_id", "period", "start")
    serializer_class = s.EnterpriseRollupSerializer
    filterset_class = filters.EnterpriseRollupFilterSet
    ordering_fields = ["start"]


def sender_enterprise(user):
    """The enterprise a user may send readings for: their own, if it is a key energy-consuming unit or a utility
    (its household meters, livelihood-iot.md)."""
    org = getattr(user, "organisation", None)
    if getattr(user, "role", "") != "enterprise" or org is None:
        raise PermissionDenied(_("Only an enterprise account sends readings (use the enterprise's API token)."))
    if not m.sends_readings(org):
        raise PermissionDenied(_("%(org)s is not registered as a key energy-consuming enterprise.") % {"org": org})
    return org


class ReadingIngestView(APIView):
    """``POST /api/telemetry/readings``: a JSON array, NDJSON or CSV (``point,ts,value``) body, gzip accepted.

    Answers 200 with the batch, its counts and a result per row (accepted, duplicate, conflict, or rejected
    with reason and detail); ``?rows=problems`` leaves accepted rows out. 413 when the body (or what it
    inflates to) exceeds ``JILIANG_TELEMETRY_MAX_BODY_BYTES``.
    """

    permission_classes = [IsAuthenticated]
    allow_authenticated_writes = True

    @extend_schema(request={"application/json": {"type": "array", "items": {"type": "object"}},
                            "application/x-ndjson": {"type": "string"}, "text/csv": {"type": "string"}},
                   responses={200: OpenApiResponse(description="batch, counts and per-row results"),
                              400: OpenApiResponse(description="the body cannot be read"),
                              413: OpenApiResponse(description="the body is too large")})
    def post(self, request):
        enterprise = sender_enterprise(request.user)
        with sender_slot(enterprise.pk) as free:
            if not free:
                response = Response({"reason": "too_many_requests", "detail": _(
                    "%(org)s already has %(n)d ingest requests running; send the next batch when one has been "
                    "answered.") % {"org": enterprise, "n": settings.JILIANG_TELEMETRY_MAX_CONCURRENT_PER_SENDER}},
                    status=status.HTTP_429_TOO_MANY_REQUESTS)
                response["Retry-After"] = "1"
                return response
            return self._ingest(request, enterprise)

    def _ingest(self, request, enterprise):
        limit = settings.JILIANG_TELEMETRY_MAX_BODY_BYTES
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            return _too_large(declared, limit)
        body = request._request.read(limit + 1)
        if len(body) > limit:
            return _too_large(len(body), limit)
        with fewer_collections():
            try:
                body = gunzip(body, limit)
                readings, rejections, seen = parse_body(body, request.content_type or "")
            except PayloadError as exc:
                if exc.status == 413:
                    return _too_large(None, limit, exc.detail)
                return Response({"reason": exc.reason, "detail": exc.detail}, status=status.HTTP_400_BAD_REQUEST)
            [result] = ingest([Group(enterprise=enterprise, readings=readings, rejections=rejections,
                                     reference=f"HTTP {getattr(request, 'request_id', '')}", sender=request.user)],
                              channel=m.Channel.HTTP)
        return Response(result_body(result, seen, problems_only=request.query_params.get("rows") == "problems"))


def result_body(result, seen: int, *, problems_only: bool = False) -> dict:
    """The answer to an ingest request: the batch, its counts, rejected rows counted by reason, and at most
    ``JILIANG_TELEMETRY_MAX_RESULT_ROWS`` per-row results in body order (when there are more, the problems
    are listed first and accepted rows fill what is left), with ``results_total`` and ``results_truncated`` saying whether rows were left out."""
    cap = settings.JILIANG_TELEMETRY_MAX_RESULT_ROWS
    by_reason: dict[str, int] = {}
    problems, accepted = [], []
    for r in result.rows:
        if r.status == "accepted":
            accepted.append(r)
        else:
            problems.append(r)
            if r.reason:
                by_reason[r.reason] = by_reason.get(r.reason, 0) + 1
    rows = problems if problems_only else problems + accepted
    listed = heapq.nsmallest(cap, problems, key=lambda r: _position_key(r.position))
    if not problems_only and len(listed) < cap:
        listed += heapq.nsmallest(cap - len(listed), accepted, key=lambda r: _position_key(r.position))
    listed.sort(key=lambda r: _position_key(r.position))
    return {"batch": result.batch.pk, "rows": seen, "counts": result.counts, "rejected_by_reason": by_reason,
            "results_total": len(rows), "results_truncated": len(rows) > len(listed),
            "results": [r.as_dict() for r in listed]}


def _position_key(position: str):
    kind, _sep, n = position.partition(" ")
    return (kind, int(n) if n.isdigit() else 0)


def _too_large(size, limit, detail=None):
    detail = detail or (_("The body is %(size).1f MB; the limit is %(limit).1f MB. Send smaller batches.")
                        % {"size": size / 1e6, "limit": limit / 1e6})
    return Response({"reason": "too_large", "detail": detail, "limit_bytes": limit},
                    status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
