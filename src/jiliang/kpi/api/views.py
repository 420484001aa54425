"""The kpi API under /api/kpi/ (issue #17 item 7), for market supervision bureaus only (access.py):

* ``indicators/?plan=&region=&on=``: every indicator of a plan with its value, target and status for a region
  (default the reader's own; a city or county bureau may ask for the plan's province row, public indicators only).
  Today's values are computed live; a past date reads its snapshot where one was taken (``source``), else computes
  as of that date.
* ``snapshots/``: the stored month-end values, filtered by indicator, plan, region and date; a city or county bureau
  sees its own subtree and the province's public indicators (restrict() with kpi's ScopeGrant).
* ``reports/``: the evaluation reports of the reader's region; POST starts one (202, with its job).

A bad parameter is a 400 naming it."""

from __future__ import annotations

import datetime as dt

import django_filters as df
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from jiliang.core.api.views import ReadOnlyScopedViewSet
from jiliang.core.filters import FilterSet, IdFilter
from jiliang.core.models import Region

from .. import access, reports, values
from ..models import EvaluationReport, Plan, ReportKind, Snapshot, SnapshotState


class IsBureau(BasePermission):
    """Market supervision bureaus (and superusers); anyone else 403, anonymous 401/403."""

    message = "the plan's indicators are for market supervision bureaus"

    def has_permission(self, request, view):
        return access.may_read(request.user)


def _bad(field: str, detail: str):
    raise serializers.ValidationError({field: [detail]})


def _plan(code: str | None) -> Plan:
    if not code:
        plan = Plan.objects.first()  # the newest plan (ordering: -starts_on)
        if plan is None:
            _bad("plan", _("No plan is loaded."))
        return plan
    plan = Plan.objects.filter(code=code).first()
    if plan is None:
        _bad("plan", _("No plan has the code %(c)s.") % {"c": code})
    return plan


def _date(raw: str | None, name: str, default: dt.date) -> dt.date:
    if not raw:
        return default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        _bad(name, _("Give the date as YYYY-MM-DD, not %(v)s.") % {"v": raw[:40]})


class IndicatorReadingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    group = serializers.CharField()
    unit = serializers.CharField()
    direction = serializers.CharField()
    source = serializers.CharField(help_text="computed or entered")
    city_assessment = serializers.BooleanField()
    public = serializers.BooleanField()
    region = serializers.CharField()
    on = serializers.DateField()
    read_from = serializers.CharField(help_text="snapshot (stored at the date) or live (computed now)")
    state = serializers.CharField(help_text="ok, empty (nothing to count), missing (not entered) or failed")
    value = serializers.DecimalField(max_digits=20, decimal_places=6, allow_null=True)
    numerator = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    denominator = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    target = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    target_year = serializers.IntegerField(allow_null=True)
    expected = serializers.DecimalField(max_digits=20, decimal_places=6, allow_null=True,
                                        help_text="the straight line's value on the date (with a baseline)")
    status = serializers.CharField(help_text="met, on_track, behind, not_met, no_target, no_value or failed")
    definition = serializers.CharField()
    version = serializers.CharField(help_text="the definition's version")
    note = serializers.CharField()
    reason = serializers.CharField(help_text="why the computation failed")


class IndicatorListSerializer(serializers.Serializer):
    plan = serializers.CharField()
    region = serializers.CharField()
    on = serializers.DateField()
    results = IndicatorReadingSerializer(many=True)


def reading_row(r: values.Reading, read_from: str) -> dict:
    i = r.indicator
    return {"id": i.pk, "code": i.code, "name": i.name, "name_en": i.name_en, "group": i.group, "unit": i.unit,
            "direction": i.direction, "source": i.source_kind, "city_assessment": i.city_assessment,
            "public": i.public, "region": r.region, "on": r.on, "read_from": read_from, "state": r.state,
            "value": r.value, "numerator": r.numerator, "denominator": r.denominator, "target": r.target,
            "target_year": r.goal.by.year if r.goal else None, "expected": r.expected, "status": r.status,
            "definition": r.definition, "version": r.version, "note": r.note, "reason": r.reason}


def readings_for(user, plan: Plan, region: str, on: dt.date) -> list[dict]:
    """The rows of ``indicators/``: the snapshot of the date where taken (a past date), else computed."""
    public_only = not access.may_see(user, region)  # the plan region's row, seen for its public indicators
    indicators = list(plan.indicators.select_related("plan").order_by("position", "code"))
    if public_only:
        indicators = [i for i in indicators if i.public]
    stored = values.stored(indicators, [region], on) if on < timezone.localdate() else {}
    missing = [i for i in indicators if (i.code, region) not in stored]
    live = values.live(missing, [region], on) if missing else {}
    return [reading_row(stored[(i.code, region)], "snapshot") if (i.code, region) in stored
            else reading_row(live[(i.code, region)], "live") for i in indicators]


def _param(name: str, description: str, kind=str):
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, description=description)


class IndicatorViewSet(viewsets.ViewSet):
    """Every indicator of a plan with its value, target and status for one region at a date."""

    permission_classes = [IsBureau]

    @extend_schema(operation_id="kpi_indicators_list", tags=["kpi"], responses=IndicatorListSerializer,
                   parameters=[_param("plan", "the plan's code (default: the newest plan)"),
                               _param("region", "a region code (default: your own region; the province's row "
                                                "shows its public indicators to city and county bureaus)"),
                               _param("on", "YYYY-MM-DD, not in the future (default: today)")])
    def list(self, request):
        user = request.user
        plan = _plan(request.query_params.get("plan"))
        today = timezone.localdate()
        on = _date(request.query_params.get("on"), "on", today)
        if on > today:
            _bad("on", _("The date %(d)s lies in the future.") % {"d": on})
        if on < plan.starts_on:
            _bad("on", _("The date %(d)s comes before the plan's start on %(s)s.") % {"d": on, "s": plan.starts_on})
        region = request.query_params.get("region") or access.root_of(user)
        if not Region.objects.filter(code=region[:12], is_current=True).exists():
            _bad("region", _("No current region has the code %(c)s.") % {"c": region[:12]})
        if not access.may_see(user, region, public_only=region == plan.region_id):
            raise DRFPermissionDenied(_("The region %(r)s lies outside your region.") % {"r": region})
        rows = readings_for(user, plan, region, on)
        return Response(IndicatorListSerializer({"plan": plan.code, "region": region, "on": on,
                                                 "results": rows}).data)


class SnapshotFilterSet(FilterSet):
    indicator_id = IdFilter(field_name="indicator_id")
    plan = df.CharFilter(field_name="indicator__plan__code", label=_("plan (code)"))
    indicator = df.CharFilter(field_name="indicator__code", label=_("indicator (code)"))
    region = df.ModelChoiceFilter(field_name="region", queryset=Region.objects.all(), to_field_name="code",
                                  label=_("region (code)"))
    on = df.DateFilter(field_name="on")
    on_after = df.DateFilter(field_name="on", lookup_expr="gte")
    on_before = df.DateFilter(field_name="on", lookup_expr="lte")
    state = df.ChoiceFilter(field_name="state", choices=SnapshotState.choices)

    class Meta:
        model = Snapshot
        fields = ["indicator_id", "plan", "indicator", "region", "on", "on_after", "on_before", "state"]


class SnapshotSerializer(serializers.ModelSerializer):
    indicator_code = serializers.CharField(source="indicator.code", read_only=True)
    plan = serializers.CharField(source="indicator.plan.code", read_only=True)

    class Meta:
        model = Snapshot
        fields = ["id", "plan", "indicator", "indicator_code", "region", "on", "state", "value", "numerator",
                  "denominator", "source_kind", "definition", "version", "note", "reason", "taken_at"]
        read_only_fields = fields


class SnapshotViewSet(ReadOnlyScopedViewSet):
    """Month-end values as they were taken (never changed): a city or county bureau sees its own subtree and the
    province's public indicators."""

    queryset = Snapshot.objects.select_related("indicator__plan").order_by("on", "indicator__position", "region_id",
                                                                           "id")
    serializer_class = SnapshotSerializer
    filterset_class = SnapshotFilterSet
    permission_classes = [IsBureau]


class ReportSerializer(serializers.ModelSerializer):
    plan = serializers.CharField(source="plan.code", read_only=True)
    job_state = serializers.CharField(source="job.state", read_only=True, default=None)
    job_done = serializers.IntegerField(source="job.done", read_only=True, default=None)
    job_total = serializers.IntegerField(source="job.total", read_only=True, default=None)
    job_message = serializers.CharField(source="job.message", read_only=True, default=None)
    pdf_url = serializers.SerializerMethodField()
    xlsx_url = serializers.SerializerMethodField()

    class Meta:
        model = EvaluationReport
        fields = ["id", "plan", "kind", "on", "public", "region", "job", "job_state", "job_done", "job_total",
                  "job_message", "published_on", "pdf_url", "xlsx_url", "created"]
        read_only_fields = fields

    def _url(self, obj, fmt) -> str | None:
        from django.urls import reverse

        return reverse("kpi:report-file", args=[obj.pk, fmt]) if getattr(obj, fmt) else None

    def get_pdf_url(self, obj) -> str | None:
        return self._url(obj, "pdf")

    def get_xlsx_url(self, obj) -> str | None:
        return self._url(obj, "xlsx")


class StartReportSerializer(serializers.Serializer):
    plan = serializers.CharField(max_length=60, help_text="the plan's code")
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    on = serializers.DateField(required=False, help_text="for kind 'other': the date evaluated")
    public = serializers.BooleanField(default=False, help_text="the public version")
    region = serializers.CharField(max_length=12, required=False, help_text="default: the plan's or your region")


class ReportViewSet(mixins.CreateModelMixin, ReadOnlyScopedViewSet):
    """Evaluation reports of the reader's region; POST starts one as a background job (202)."""

    queryset = EvaluationReport.objects.select_related("plan", "job").order_by("-on", "-id")
    serializer_class = ReportSerializer
    permission_classes = [IsBureau]

    @extend_schema(request=StartReportSerializer, responses={202: ReportSerializer})
    def create(self, request, *args, **kwargs):
        data = StartReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        plan = Plan.objects.filter(code=v["plan"]).first()
        if plan is None:
            raise ValidationError({"plan": _("No plan has the code %(c)s.") % {"c": v["plan"]}})
        report = reports.start_report(request.user, plan, on=v.get("on"), kind=v["kind"], public=v["public"],
                                      region=v.get("region"))
        report = self.get_queryset().get(pk=report.pk)
        return Response(ReportSerializer(report).data, status=status.HTTP_202_ACCEPTED)

