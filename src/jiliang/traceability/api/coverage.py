"""``/api/traceability/coverage/?region=&date=``: plan indicator 2 by measurement domain, parameter and region, with
the gaps and the target; ``/api/traceability/tree/?parameter=``: the province view per parameter. Scoped as the
pages are (traceability/coverage.py): bureaus and institutes, their own subtree and the province."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from .. import coverage as cov
from .. import coverage_rules as rules
from .. import tree as trees


def _param(name, description):
    return OpenApiParameter(name, OpenApiTypes.STR, OpenApiParameter.QUERY, description=description)


def _bad(exc: Exception) -> Response:
    field, _sep, detail = str(exc).partition(": ")
    return Response({"field": field, "detail": detail}, status=status.HTTP_400_BAD_REQUEST)


def _tally(t: rules.Tally) -> dict:
    return t.as_dict()


def coverage_body(c: cov.Coverage) -> dict:
    r = c.result
    target = c.target
    return {
        "region": c.region, "date": c.on.isoformat(), "version": rules.DEFINITION_VERSION,
        "uncertainty_rule": cov.UNCERTAINTY_RULE, "total": _tally(r.total),
        "target": None if target is None else {"region": target.region_id, "year": target.year,
                                               "percent": str(target.target_percent), "source": target.source},
        "meets_target": c.meets_target,
        "by_domain": [_tally(t) for _k, t in sorted(r.by_domain.items())],
        "by_parameter": [_tally(t) for _k, t in sorted(r.by_parameter.items())],
        "by_region": [_tally(t) for _k, t in sorted(r.by_region.items())],
        "gaps": [{"parameter": g.parameter, "range": g.band, "reason": g.reason, "instruments": g.instruments,
                  "outside_province": g.outside, "nowhere": g.nowhere, "laboratories": list(g.laboratories),
                  "categories": sorted(g.categories), "regions": sorted(g.regions)} for g in r.gaps],
        "unjudged_uncertainty": r.unjudged_uncertainty,
    }


class CoverageViewSet(viewsets.ViewSet):
    """Coverage of social public standards and the value-transfer system (plan indicator 2)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="traceability_coverage", tags=["traceability"], responses={200: OpenApiTypes.OBJECT},
                   parameters=[_param("region", "region code: your own subtree or the province (default: yours)"),
                               _param("date", "YYYY-MM-DD (default today)")])
    def list(self, request):
        try:
            region = cov.check_region(request.user, request.query_params.get("region"))
            on = cov.parse_date(request.query_params.get("date"), timezone.localdate())
        except cov.BadParameter as exc:
            return _bad(exc)
        except PermissionDenied as exc:
            raise DRFPermissionDenied("coverage is for bureaus and institutes, of their area and the province") from exc
        return Response(coverage_body(cov.compute(region, on, user=request.user)))


class TreeViewSet(viewsets.ViewSet):
    """The province view of one parameter: national roots → provincial → city → county standards → instruments."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="traceability_tree", tags=["traceability"], responses={200: OpenApiTypes.OBJECT},
                   parameters=[_param("parameter", "a standards' parameter, e.g. 质量, 压力, 电能")])
    def list(self, request):
        try:
            cov.root_of(request.user)
        except PermissionDenied as exc:
            raise DRFPermissionDenied("the tree is for bureaus and institutes") from exc
        parameter = request.query_params.get("parameter") or ""
        if parameter not in trees.parameters():
            return Response({"field": "parameter", "detail": f"no standard has the parameter {parameter!r}"},
                            status=status.HTTP_400_BAD_REQUEST)
        t = trees.build(parameter, request.user, timezone.localdate())
        return Response({"parameter": parameter, "counts": t.counts, "cycles": t.cycles, "tree": t.data})
