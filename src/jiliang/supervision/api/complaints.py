"""``/api/supervision/complaints/``: complaints from the public about instruments (supervision/complaints.py),
list and retrieve scoped like their county (the bureaus of the county and above; institutes and enterprises see
none), filters shared with the list page, and the county bureau's actions ``accept``, ``reject`` (a reason) and
``close`` (a reply). An action by a bureau above the county is 403; a complaint the user cannot see is 404."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from jiliang.core.api.views import ReadOnlyScopedViewSet
from jiliang.core.services import validation_messages
from jiliang.supervision import complaints
from jiliang.supervision import models as m
from jiliang.supervision.complaint_ui import ComplaintFilterSet


class ComplaintSerializer(serializers.ModelSerializer):
    instrument_code = serializers.CharField(source="instrument.instrument_code", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    overdue = serializers.SerializerMethodField(help_text="still undecided after the decide-by date")

    class Meta:
        model = m.Complaint
        fields = ["id", "number", "region", "instrument", "instrument_code", "kind", "kind_display", "text",
                  "contact", "decide_by", "overdue", "status", "status_display", "reply", "handled_by", "handled_at",
                  "created"]

    def get_overdue(self, o) -> bool:
        return complaints.is_overdue(o)


class ComplaintReplySerializer(serializers.Serializer):
    reply = serializers.CharField(required=False, allow_blank=True, max_length=complaints.REPLY_MAX,
                                  help_text="accept: an optional note; reject: the reason (required); "
                                            "close: the reply (required)")


class ComplaintViewSet(ReadOnlyScopedViewSet):
    permission_classes = [IsAuthenticated]
    queryset = m.Complaint.objects.select_related("instrument")
    serializer_class = ComplaintSerializer
    filterset_class = ComplaintFilterSet
    ordering_fields = ["id", "decide_by", "created"]

    def _act(self, request, name):
        payload = ComplaintReplySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            done = complaints.ACTIONS[name](self.get_object(), actor=request.user,
                                            reply=payload.validated_data.get("reply", ""))
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from exc
        except ValidationError as exc:
            raise ApiValidationError(validation_messages(exc)) from exc
        return Response(ComplaintSerializer(done, context=self.get_serializer_context()).data)

    @extend_schema(request=ComplaintReplySerializer, responses={200: ComplaintSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._act(request, "accept")

    @extend_schema(request=ComplaintReplySerializer, responses={200: ComplaintSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._act(request, "reject")

    @extend_schema(request=ComplaintReplySerializer, responses={200: ComplaintSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._act(request, "close")
