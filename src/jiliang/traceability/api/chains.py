"""GET /api/traceability/chains/?instrument=<id>&date=YYYY-MM-DD (or ?standard=<id>): the chain of one instrument or
standard at a date, checked link by link (chain_check.py). Scoped like the record asked for: an institute sees
its own standards' chains, a county bureau its instruments', an enterprise its own instruments'; a record the user
may not see is 404, as if it did not exist."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from jiliang.core.scoping import VIEW
from jiliang.registry.models import Instrument, MeasurementStandard

from .. import chain_check


def _param(name, description, kind=OpenApiTypes.STR):
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, description=description)


def _bad(field: str, detail: str) -> Response:
    return Response({"field": field, "detail": detail}, status=status.HTTP_400_BAD_REQUEST)


class ChainViewSet(viewsets.ViewSet):
    """The traceability chain of an instrument or a standard at a date: traceable (with the accumulated uncertainty,
    an estimate) or broken at link N, each reason a sentence in the request's language."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="traceability_chain", tags=["traceability"], responses={200: OpenApiTypes.OBJECT},
                   parameters=[_param("instrument", "instrument id", OpenApiTypes.INT),
                               _param("standard", "measurement standard id", OpenApiTypes.INT),
                               _param("date", "date of use, YYYY-MM-DD (default today)", OpenApiTypes.DATE)])
    def list(self, request):
        q = request.query_params
        raw_date = q.get("date")
        try:
            day = dt.date.fromisoformat(raw_date) if raw_date else timezone.localdate()
        except ValueError:
            return _bad("date", _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": raw_date})
        if bool(q.get("instrument")) == bool(q.get("standard")):
            return _bad("instrument", _("Give either an instrument or a standard."))
        field = "instrument" if q.get("instrument") else "standard"
        model = Instrument if field == "instrument" else MeasurementStandard
        try:
            pk = int(q[field])
        except ValueError:
            return _bad(field, _("“%(value)s” is not an id.") % {"value": q[field]})
        obj = model.objects.restrict(request.user, VIEW).filter(pk=pk).first()
        if obj is None:
            return Response({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)
        check = chain_check.check_instrument if field == "instrument" else chain_check.check_standard
        return Response(check(obj, day))
