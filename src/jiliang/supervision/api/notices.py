"""The supervision API under /api/supervision/: notices to verify (a county bureau issues, the owner reads and
downloads the PDF), reminders sent and late verification requests (on-site findings: api/findings.py). Every read starts from ``restrict(user, VIEW)``; an object the user cannot see is a 404. Who
may issue or record is decided by the service (supervision/notices.py)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as df
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from jiliang.core.api.views import ReadOnlyScopedViewSet
from jiliang.core.scoping import VIEW
from jiliang.registry.models import Instrument, Organisation
from jiliang.supervision import late, notices
from jiliang.supervision import models as m

from . import notice_serializers as s

DECIDED_BY_SERVICES = [IsAuthenticated]


class NoticeFilterSet(df.FilterSet):
    class Meta:
        model = m.Notice
        fields = ["status", "owner", "bureau_region"]


class NoticeViewSet(ReadOnlyScopedViewSet):
    permission_classes = DECIDED_BY_SERVICES
    queryset = m.Notice.objects.select_related("owner").prefetch_related("instruments")
    serializer_class = s.NoticeSerializer
    filterset_class = NoticeFilterSet
    ordering_fields = ["id", "issued_on", "deadline"]

    def retrieve(self, request, *args, **kwargs):
        notices.mark_read(self.get_object(), actor=request.user)  # the owner's read receipt
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(request=s.NoticeCreateSerializer, responses={201: s.NoticeSerializer})
    def create(self, request):
        payload = s.NoticeCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        owner = get_object_or_404(Organisation.objects.restrict(request.user, VIEW), pk=d["owner"])
        instruments = list(Instrument.objects.filter(pk__in=d["instruments"]))
        notice = notices.issue_notice(actor=request.user, owner=owner, instruments=instruments,
                                      deadline=d["deadline"])
        return Response(s.NoticeSerializer(notice, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        notice = notices.mark_read(self.get_object(), actor=request.user)
        response = HttpResponse(bytes(notice.pdf), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="notice-{notice.number}.pdf"'
        return response


class ReminderFilterSet(df.FilterSet):
    class Meta:
        model = m.Reminder
        fields = ["kind", "instrument", "due"]


class ReminderViewSet(ReadOnlyScopedViewSet):
    permission_classes = DECIDED_BY_SERVICES
    queryset = m.Reminder.objects.all()
    serializer_class = s.ReminderSerializer
    filterset_class = ReminderFilterSet
    ordering_fields = ["id", "due", "sent_at"]


class LateRequestViewSet(viewsets.GenericViewSet):
    """Verification work orders finished after the province's working-day limit (supervision/late.py)."""

    permission_classes = DECIDED_BY_SERVICES
    serializer_class = s.LateRequestSerializer
    filter_backends: list = []

    @extend_schema(parameters=[
        OpenApiParameter("institution", int, description="id of the verifying institution"),
        OpenApiParameter("since", str, description="results issued on or after (YYYY-MM-DD)"),
        OpenApiParameter("until", str, description="results issued on or before (YYYY-MM-DD)")])
    def list(self, request):
        params = s.LateRequestQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        rows = late.late_requests(request.user, **params.validated_data)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
