"""Reverse traceability and early warnings under /api/traceability/: ``impact/`` (cases with their counts; open
one by POST; ``<id>/affected/`` the affected records the user may see; ``<id>/decide/`` an institute's decision)
and ``warnings/`` (standards lapsing soon, with their dependants). Who may open or decide is the service's rule
(traceability/impact.py); what is listed goes through ``restrict()``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from jiliang.core.api.views import ReadOnlyScopedViewSet
from jiliang.core.scoping import VIEW
from jiliang.registry.models import MeasurementStandard

from .. import impact, lapsing
from ..models import AffectedRecord, Decision, ImpactCase


class ImpactCaseSerializer(serializers.ModelSerializer):
    standard_name = serializers.CharField(source="standard.name", read_only=True, default=None)
    certificate_number = serializers.CharField(source="certificate.number", read_only=True, default=None)

    class Meta:
        model = ImpactCase
        fields = ["id", "trigger", "standard", "standard_name", "certificate", "certificate_number", "found_on",
                  "last_good_on", "reason", "status", "region", "organisation", "affected_certificates",
                  "affected_instruments", "affected_standards", "created"]
        read_only_fields = fields


class OpenCaseSerializer(serializers.Serializer):
    standard = serializers.IntegerField(required=False, help_text="the standard found out of tolerance")
    certificate = serializers.IntegerField(required=False, help_text="or: a revoked certificate")
    found_on = serializers.DateField(required=False, help_text="the day it was found (default today)")
    reason = serializers.CharField(max_length=2000)


class AffectedRecordSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.name", read_only=True)

    class Meta:
        model = AffectedRecord
        fields = ["id", "case", "node_kind", "node_id", "via_link", "parent_standard", "certificate", "certificate_no", "on", "depth",
                  "owner", "owner_name", "region", "decision", "note", "decided_at"]
        read_only_fields = fields


class DecisionSerializer(serializers.Serializer):
    record = serializers.IntegerField(help_text="an affected record of this case")
    decision = serializers.ChoiceField(choices=[c for c in Decision.choices if c[0] != Decision.PENDING])
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ImpactCaseViewSet(mixins.CreateModelMixin, ReadOnlyScopedViewSet):
    """Reverse-traceability cases: those of the user's institute in full; owners and bureaus the cases that reached
    their instruments or region (their own affected records only)."""

    queryset = ImpactCase.objects.select_related("standard", "certificate").order_by("-found_on", "-id")
    serializer_class = ImpactCaseSerializer
    permission_classes = [IsAuthenticated]  # who may open or decide is the service's rule

    @extend_schema(request=OpenCaseSerializer, responses={201: ImpactCaseSerializer})
    def create(self, request, *args, **kwargs):
        data = OpenCaseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if bool(v.get("standard")) == bool(v.get("certificate")):
            raise ValidationError({"standard": _("Name either the standard found out of tolerance or the revoked "
                                                 "certificate.")})
        if v.get("standard"):
            std = MeasurementStandard.objects.restrict(request.user, VIEW).filter(pk=v["standard"]).first()
            if std is None:
                raise ValidationError({"standard": _("No standard %(id)s that you may see.") % {"id": v["standard"]}})
            case = impact.open_standard_case(std, actor=request.user, found_on=v.get("found_on")
                                             or timezone.localdate(), reason=v["reason"])
        else:
            from jiliang.verification.models import Certificate

            cert = Certificate.objects.restrict(request.user, VIEW).filter(pk=v["certificate"]).first()
            if cert is None:
                raise ValidationError({"certificate": _("No certificate %(id)s that you may see.")
                                       % {"id": v["certificate"]}})
            case = impact.open_certificate_case(cert, actor=request.user, reason=v["reason"])
        return Response(ImpactCaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=AffectedRecordSerializer(many=True),
                   parameters=[OpenApiParameter("decision", str, enum=[c[0] for c in Decision.choices])])
    @action(detail=True)
    def affected(self, request, pk=None):
        """The case's affected records the user may see (an owner its own; the institutes all), by depth."""
        case = self.get_object()
        qs = AffectedRecord.objects.restrict(request.user, VIEW).filter(case=case).select_related("owner")
        if request.query_params.get("decision"):
            qs = qs.filter(decision=request.query_params["decision"])
        page = self.paginate_queryset(qs.order_by("depth", "on", "id"))
        return self.get_paginated_response(AffectedRecordSerializer(page, many=True).data)

    @extend_schema(request=DecisionSerializer, responses=AffectedRecordSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """The institute's decision on one affected record (upheld, reissued, revoked; a note says what was done)."""
        case = self.get_object()
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rec = AffectedRecord.objects.restrict(request.user, VIEW).filter(case=case, pk=data.validated_data["record"]
                                                                         ).first()
        if rec is None:
            raise ValidationError({"record": _("No affected record %(id)s in this case that you may see.")
                                   % {"id": data.validated_data["record"]}})
        rec = impact.decide(rec, actor=request.user, decision=data.validated_data["decision"],
                            note=data.validated_data["note"])
        return Response(AffectedRecordSerializer(rec).data)


class LapseSerializer(serializers.Serializer):
    standard = serializers.IntegerField(source="standard.pk")
    standard_name = serializers.CharField(source="standard.name")
    institute = serializers.IntegerField(source="standard.institute_id")
    institute_name = serializers.CharField(source="standard.institute.name")
    region = serializers.CharField(source="standard.institute.region_id")
    kind = serializers.CharField()
    lapses_on = serializers.DateField()
    days_left = serializers.IntegerField()
    instruments = serializers.IntegerField(help_text="instruments whose chains run through the standard")
    standards = serializers.IntegerField(help_text="standards calibrated through it, transitively")


class WarningViewSet(viewsets.ViewSet):
    """Standards lapsing within the warning period (``days``, default the setting) that the user may see: a
    bureau its region's, an institute its own."""

    permission_classes = [IsAuthenticated]
    serializer_class = LapseSerializer

    @extend_schema(responses=LapseSerializer(many=True), parameters=[OpenApiParameter("days", int)])
    def list(self, request):
        days = request.query_params.get("days")
        if days is not None and (not days.isdigit() or int(days) > 3650):
            raise ValidationError({"days": _("Give a number of days from 0 to 3650.")})
        rows = lapsing.lapsing(MeasurementStandard.objects.restrict(request.user, VIEW), timezone.localdate(),
                               int(days) if days else None)
        return Response({"days": int(days) if days else lapsing.warning_days(), "count": len(rows),
                         "results": LapseSerializer(rows, many=True).data})
