"""``POST /api/uncertainty/evaluate`` and ``/export``, and the budget and template viewsets."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from jiliang.budgets import evaluation, services
from jiliang.budgets import models as m
from jiliang.budgets.filters import BudgetTemplateFilterSet, SavedBudgetFilterSet
from jiliang.core.api.views import ScopedModelViewSet
from jiliang.uncertainty import UncertaintyError

from . import serializers as s

EXAMPLE = OpenApiExample("V / I with correlated inputs (issue #3)", request_only=True, value=evaluation.EXAMPLE)
ERRORS = {
    400: OpenApiResponse(s.UncertaintyErrorSerializer, description="an input the engine refuses, named by its field "
                                                                "path; or a body that is not JSON (field null)"),
    413: OpenApiResponse(s.UncertaintyErrorSerializer, description="the body exceeds "
                                                                "JILIANG_UNCERTAINTY_MAX_BODY_BYTES"),
    503: OpenApiResponse(s.UncertaintyErrorSerializer, description="every evaluation slot of the server stayed "
                                                                "busy (JILIANG_UNCERTAINTY_MAX_CONCURRENT); "
                                                                "Retry-After says when to try again"),
}


class JSONOnlyNegotiation(DefaultContentNegotiation):
    """Answers in JSON whatever ``?format=`` says: on these views ``format`` names the budget file."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class _EngineView(APIView):
    permission_classes = [IsAuthenticated]
    content_negotiation_class = JSONOnlyNegotiation

    def evaluated(self, request) -> dict | Response:
        try:
            payload = evaluation.read_json_body(request)
        except evaluation.BodyError as exc:
            return Response(exc.body(), status=exc.status)
        try:
            return evaluation.evaluate(payload)
        except evaluation.EvaluatorBusy as exc:
            return Response(evaluation.error_body(exc), status=status.HTTP_503_SERVICE_UNAVAILABLE,
                            headers={"Retry-After": "30"})
        except UncertaintyError as exc:
            return Response(evaluation.error_body(exc), status=status.HTTP_400_BAD_REQUEST)


class EvaluateView(_EngineView):
    """Evaluate a measurement model: GUM (JJF 1059.1), Monte Carlo (JJF 1059.2), validation and budget.

    Numbers are unrounded; each result also carries ``display`` strings rounded per JJF 1059.1 (the
    uncertainty to at most two significant digits, the value to the same decimal place).
    """

    @extend_schema(operation_id="uncertainty_evaluate", tags=["uncertainty"], request=s.UncertaintyEvaluationSerializer,
                   examples=[EXAMPLE], responses={200: s.UncertaintyResultSerializer, **ERRORS})
    def post(self, request):
        result = self.evaluated(request)
        return result if isinstance(result, Response) else Response(result)


class ExportView(_EngineView):
    """The same request as ``evaluate``, answered with the budget table as an Excel or PDF file."""

    @extend_schema(
        operation_id="uncertainty_export", tags=["uncertainty"], request=s.UncertaintyEvaluationSerializer,
        examples=[EXAMPLE],
        parameters=[OpenApiParameter("format", OpenApiTypes.STR, OpenApiParameter.QUERY, enum=["xlsx", "pdf"],
                                     default="xlsx", description="the file type")],
        responses={(200, evaluation.FILE_TYPES["xlsx"][0]): OpenApiTypes.BINARY,
                   (200, evaluation.FILE_TYPES["pdf"][0]): OpenApiTypes.BINARY, **ERRORS})
    def post(self, request):
        fmt = request.query_params.get("format", "xlsx")
        if fmt not in evaluation.FILE_TYPES:
            return Response({"field": "format", "detail": "format must be xlsx or pdf"},
                            status=status.HTTP_400_BAD_REQUEST)
        result = self.evaluated(request)
        if isinstance(result, Response):
            return result
        data, content_type = evaluation.budget_file(result, fmt)
        response = HttpResponse(data, content_type=content_type)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="uncertainty-budget-{stamp}.{fmt}"'
        return response


@extend_schema(tags=["uncertainty"])
class BudgetTemplateViewSet(ScopedModelViewSet):
    parser_classes = [evaluation.LimitedJSONParser]
    queryset = m.BudgetTemplate.objects.select_related("institute")
    serializer_class = s.BudgetTemplateSerializer
    filterset_class = BudgetTemplateFilterSet
    ordering_fields = ["name", "procedure", "last_updated", "id"]

    @extend_schema(request=s.TemplateFillSerializer,
                   responses={200: s.TemplateFillResultSerializer, 400: s.UncertaintyErrorSerializer})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def fill(self, request, pk=None):
        """Fill the template's open parameters for one calibration; optionally evaluate the result."""
        template = get_object_or_404(self.get_queryset(), pk=pk)
        body = s.TemplateFillSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            payload = services.fill_template(template, body.validated_data["values"])
            out = {"payload": payload}
            if body.validated_data.get("evaluate"):
                out["result"] = evaluation.evaluate(payload)
        except evaluation.EvaluatorBusy as exc:
            return Response(evaluation.error_body(exc), status=status.HTTP_503_SERVICE_UNAVAILABLE,
                            headers={"Retry-After": "30"})
        except UncertaintyError as exc:
            return Response(evaluation.error_body(exc), status=status.HTTP_400_BAD_REQUEST)
        return Response(out)


@extend_schema(tags=["uncertainty"])
class SavedBudgetViewSet(ScopedModelViewSet):
    """Saved budgets; ``result`` is computed by the server from ``payload`` on create and when it changes."""

    parser_classes = [evaluation.LimitedJSONParser]
    queryset = m.SavedBudget.objects.select_related("institute", "template", "created_by", "attached_type")
    serializer_class = s.SavedBudgetSerializer
    filterset_class = SavedBudgetFilterSet
    ordering_fields = ["title", "created", "id"]

    def perform_create(self, serializer):
        data, _m2m = serializer.split_m2m(serializer.validated_data)
        serializer.instance = services.save_budget(actor=self.request.user, **data)

    def perform_update(self, serializer):
        data, m2m = serializer.split_m2m(serializer.validated_data)
        serializer.instance = services.update_budget(serializer.instance, data, actor=self.request.user, m2m=m2m)

