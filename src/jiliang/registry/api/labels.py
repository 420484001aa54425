"""``POST /api/instrument-labels/``: label sheets for a selection of instruments, printed by a background job.

The answer is 202 with the job (its page shows progress and offers the PDF, its ``download_url`` the file once
done); the selection and the limits are those of the "Print labels" page (registry.labels)."""

from __future__ import annotations

from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from jiliang.core.filters import MAX_ID

from .. import label_layouts, labels


class LabelRequestSerializer(serializers.Serializer):
    layout = serializers.ChoiceField(choices=list(label_layouts.LAYOUTS), default=label_layouts.DEFAULT_LAYOUT,
                                     help_text="the A4 label sheet")
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False,
                                max_length=labels.MAX_LABELS, help_text="these instruments (ascending id)")
    filters = serializers.DictField(required=False, help_text="or the instruments that /api/instruments/ lists "
                                    "with these filters, e.g. {\"owner_id\": 12, \"category\": \"nawi-price-scale\"}; "
                                    "a filter that takes several values takes a list")

    def validate(self, attrs):
        if "ids" in attrs and "filters" in attrs:
            raise serializers.ValidationError({"filters": _("Give either ids or filters, not both.")})
        if "ids" not in attrs and "filters" not in attrs:
            raise serializers.ValidationError({"filters": _("Give the instruments as ids or as filters.")})
        return attrs


class LabelJobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    state = serializers.CharField()
    url = serializers.CharField(help_text="the job's page: progress, then the PDF")
    download_url = serializers.CharField(help_text="the PDF, once the job is done")


def _query(filters: dict) -> str:
    q = QueryDict(mutable=True)
    for name, value in filters.items():
        q.setlist(name, [str(v) for v in value] if isinstance(value, list) else [str(value)])
    return q.urlencode()


class InstrumentLabelsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="instrument_labels", tags=["instruments"], request=LabelRequestSerializer,
        responses={202: LabelJobSerializer,
                   400: OpenApiResponse(description="unknown layout, empty selection, more than 50,000 labels, or ids "
                                                    "that do not exist or are not yours to see (field-keyed)")},
        examples=[OpenApiExample("an owner's scales", value={"layout": "L7160", "filters": {
            "owner_id": 12, "category": "nawi-price-scale"}}, request_only=True),
                  OpenApiExample("by id", value={"layout": "L7163", "ids": [101, 102, 103]}, request_only=True)])
    def post(self, request):
        body = LabelRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        job = labels.start_labels(request.user, layout=data["layout"], ids=data.get("ids"),
                                  query=_query(data.get("filters") or {}), api=True)
        url = request.build_absolute_uri(reverse("job-detail", args=[job.pk]))
        answer = LabelJobSerializer({"id": job.pk, "kind": job.kind, "title": job.title, "state": job.state,
                                     "url": url,
                                     "download_url": request.build_absolute_uri(reverse("job-download",
                                                                                        args=[job.pk]))})
        return Response(answer.data, status=status.HTTP_202_ACCEPTED, headers={"Location": url})
