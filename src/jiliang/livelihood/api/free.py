"""The free-verification API (计量惠民) under /api/livelihood/: programmes (the provincial bureau writes, everyone
signed in reads), free verifications (list, detail; POST marks a verification free: free_services.mark_free), and
the year's figures of a region (free_figures.summary). Every queryset starts from ``restrict(user)``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from jiliang.core.api.serializers import DetailURLField, ScopedModelSerializer
from jiliang.core.api.views import ReadOnlyScopedViewSet, ScopedModelViewSet
from jiliang.core.scoping import VIEW
from jiliang.supervision.models import VerificationEvent

from .. import free_figures, free_filters, free_report, free_services
from ..models import FreeProgramme, FreeVerification


class FreeProgrammeSerializer(ScopedModelSerializer):
    url = DetailURLField("api:free-programme-detail")

    class Meta:
        model = FreeProgramme
        fields = ("id", "url", "display", "code", "name", "name_en", "kind", "region", "basis", "starts_on",
                  "ends_on", "active", "categories", "owners", "description", "comments", "created")
        read_only_fields = ("created",)


class FreeProgrammeViewSet(ScopedModelViewSet):
    """Free-verification programmes (计量惠民): which verifications are free (docs/livelihood-free-verification.md
    gives the rule by kind). Everyone signed in reads them; the provincial bureau creates and changes them."""

    queryset = FreeProgramme.objects.prefetch_related("categories", "owners").order_by("kind", "code")
    serializer_class = FreeProgrammeSerializer
    filterset_class = free_filters.FreeProgrammeFilterSet

    def perform_create(self, serializer):
        data, m2m = serializer.split_m2m(serializer.validated_data)
        serializer.instance = free_services.create_programme(data, actor=self.request.user, m2m=m2m)

    def perform_update(self, serializer):
        data, m2m = serializer.split_m2m(serializer.validated_data)
        serializer.instance = free_services.update_programme(serializer.instance, data, actor=self.request.user,
                                                             m2m=m2m)


class FreeVerificationSerializer(ScopedModelSerializer):
    url = DetailURLField("api:free-verification-detail")
    id = serializers.IntegerField(source="pk", read_only=True)
    number = serializers.CharField(source="event.number", read_only=True)
    institution = serializers.IntegerField(source="event.institution_id", read_only=True)
    instrument = serializers.IntegerField(source="event.instrument_id", read_only=True)
    region = serializers.CharField(source="event.instrument.region_id", read_only=True)
    verified_on = serializers.DateField(source="event.verified_on", read_only=True)
    result = serializers.CharField(source="event.result", read_only=True)
    programme_code = serializers.CharField(source="programme.code", read_only=True)
    fee_waived = serializers.DecimalField(max_digits=10, decimal_places=2, read_only=True, allow_null=True,
                                          help_text="yuan; null: not entered yet")

    class Meta:
        model = FreeVerification
        fields = ("id", "url", "display", "event", "number", "institution", "instrument", "region", "verified_on",
                  "result", "programme", "programme_code", "fee_waived", "fee_basis", "marked_by", "created")
        read_only_fields = fields


class MarkSerializer(serializers.Serializer):
    event = serializers.IntegerField(help_text="the verification event's id (supervision verification records)")
    programme = serializers.CharField(help_text="the programme's code")
    fee_waived = serializers.CharField(required=False, allow_blank=True, allow_null=True,
                                       help_text="yuan; left out: the fee schedule's fee of the category")
    fee_basis = serializers.CharField(required=False, allow_blank=True, max_length=200)


class FreeVerificationViewSet(ReadOnlyScopedViewSet):
    """Verifications done free of charge under a programme, with the fee waived. ``POST`` marks one free
    (the institution that did it, or a bureau of the instrument's region); a refusal names its reason."""

    queryset = FreeVerification.objects.select_related("event", "event__instrument", "programme") \
        .order_by("-event__verified_on", "-event_id")
    serializer_class = FreeVerificationSerializer
    filterset_class = free_filters.FreeVerificationFilterSet
    lookup_value_regex = r"[0-9]{1,18}"  # the key is the event's: a number the database can take, else 404
    permission_classes = [IsAuthenticated]

    @extend_schema(request=MarkSerializer, responses={201: FreeVerificationSerializer})
    def create(self, request):
        data = MarkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        event = get_object_or_404(VerificationEvent.objects.restrict(request.user, VIEW), pk=v["event"])
        programme = FreeProgramme.objects.filter(code=v["programme"]).first()
        if programme is None:
            raise DRFValidationError({"programme": [_("No programme has the code %(c)s.") % {"c": v["programme"]}]})
        free = free_services.mark_free(event, programme, v.get("fee_waived"), v.get("fee_basis") or "",
                                       actor=request.user)
        return Response(FreeVerificationSerializer(free, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)


class FreeSummaryViewSet(viewsets.ViewSet):
    """The year's free-verification figures of a region (bureaus; an institution its own): counts, fees waived,
    受检率 and 合格率 by county and by programme, against the plan's 专栏10 targets; each rate names its
    definition and version."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="livelihood_free_summary", responses={200: OpenApiTypes.OBJECT}, parameters=[
        OpenApiParameter("year", OpenApiTypes.INT, description="the year (default: this year)"),
        OpenApiParameter("region", OpenApiTypes.STR, description="region code in the user's subtree"),
        OpenApiParameter("programme", OpenApiTypes.STR, description="a programme's code")])
    def list(self, request):
        if not free_report.may_report(request.user):
            raise DRFPermissionDenied(_("The free-verification figures are for market supervision bureaus and "
                                        "verification institutions."))
        try:
            year = int(request.query_params.get("year") or timezone.localdate().year)
        except ValueError:
            raise DRFValidationError({"year": [_("Give the year as a number.")]}) from None
        try:
            region = free_report.check_region(request.user, request.query_params.get("region"))
        except PermissionDenied as exc:
            raise DRFPermissionDenied(str(exc)) from exc
        programme = None
        if code := request.query_params.get("programme"):
            programme = FreeProgramme.objects.filter(code=code).first()
            if programme is None:
                raise DRFValidationError({"programme": [_("No programme has the code %(c)s.") % {"c": code}]})
        return Response(free_figures.summary(request.user, year=year, region=region, programme=programme).as_dict())
