"""Supervision API: verification events (read; reported records are POSTed to the same collection) and record
conflicts (read, resolve). Every queryset starts from ``restrict(user)``."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from jiliang.core.api.views import ReadOnlyScopedViewSet

from .. import filters, records
from .. import models as m
from . import record_serializers as s

MAX_BODY_BYTES = getattr(settings, "JILIANG_SUPERVISION_MAX_BODY_BYTES", 10 * 1024 * 1024)
MAX_RECORDS = getattr(settings, "JILIANG_SUPERVISION_MAX_RECORDS", 50_000)


class BodyError(ValueError):
    def __init__(self, reason: str, detail: str, line: int | None = None, code: int = 400):
        super().__init__(detail)
        self.reason, self.detail, self.line, self.code = reason, detail, line, code

    def response(self) -> Response:
        body = {"reason": self.reason, "detail": self.detail}
        if self.line is not None:
            body["line"] = self.line
        return Response(body, status=self.code)


def parse_records(body: bytes, content_type: str) -> list:
    """A JSON array, or NDJSON (one object a line, blank lines skipped: their numbers still count)."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BodyError("encoding", _("The body is not UTF-8.")) from exc
    if "ndjson" in content_type or "jsonl" in content_type:
        rows = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise BodyError("malformed", _("Line %(n)d is not valid JSON: %(err)s.")
                                % {"n": number, "err": exc.msg}, line=number) from exc
    else:
        try:
            rows = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BodyError("malformed", _("The body is not valid JSON (line %(n)d, column %(c)d): %(err)s.")
                            % {"n": exc.lineno, "c": exc.colno, "err": exc.msg}, line=exc.lineno) from exc
        if isinstance(rows, dict):
            rows = [rows]
        if not isinstance(rows, list):
            raise BodyError("malformed", _("Send a JSON array of records, or NDJSON."))
    if len(rows) > MAX_RECORDS:
        raise BodyError("too_large", _("The body holds %(n)d records; the limit is %(max)d. Send smaller batches.")
                        % {"n": len(rows), "max": MAX_RECORDS}, code=413)
    return rows


class VerificationEventViewSet(ReadOnlyScopedViewSet):
    """Verification events of the instruments in the user's scope (institutes: the events they reported or issued).

    ``POST`` takes reported verification records, a JSON array or NDJSON (``Content-Type: application/x-ndjson``),
    and answers a result per record: created, unchanged (the same record again), conflict (it contradicts the
    stored record of the same institution and number: kept for review, the event is not changed) or error (with
    the field and the reason). Good records are kept when others fail."""

    queryset = m.VerificationEvent.objects.select_related("institution")
    serializer_class = s.VerificationEventSerializer
    filterset_class = filters.VerificationEventFilterSet
    permission_classes = [IsAuthenticated]  # reads are scoped by restrict(); records.py decides who writes

    @extend_schema(request={"application/json": {"type": "array", "items": {
        "type": "object", "properties": {f: {"type": "string"} for f in records.FIELDS}}},
        "application/x-ndjson": {"type": "string"}},
        responses={200: s.ReportResultSerializer,
                   400: OpenApiResponse(description="the body cannot be read (the line is named)"),
                   403: OpenApiResponse(description="the user may not report records"),
                   413: OpenApiResponse(description="the body is too large")})
    def create(self, request):
        if not records.may_report(request.user):
            raise PermissionDenied(_("Only verification institutions and market supervision bureaus report "
                                     "verification records."))
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        try:
            if declared > MAX_BODY_BYTES:
                raise BodyError("too_large", _too_large(declared), code=413)
            body = request._request.read(MAX_BODY_BYTES + 1)
            if len(body) > MAX_BODY_BYTES:
                raise BodyError("too_large", _too_large(len(body)), code=413)
            rows = parse_records(body, request.content_type or "")
        except BodyError as exc:
            return exc.response()
        reports = records.report_records(rows, actor=request.user)
        return Response({"counts": records.counts_of(reports), "results": [r.as_dict() for r in reports]},
                        status=status.HTTP_200_OK)


def _too_large(size: int) -> str:
    return _("The body is %(size).1f MB; the limit is %(limit).1f MB. Send smaller batches.") % {
        "size": size / 1e6, "limit": MAX_BODY_BYTES / 1e6}


class RecordConflictViewSet(ReadOnlyScopedViewSet):
    """Reported records that contradict a stored event; a bureau resolves them."""

    queryset = m.RecordConflict.objects.select_related("event")
    serializer_class = s.RecordConflictSerializer
    filterset_class = filters.RecordConflictFilterSet
    permission_classes = [IsAuthenticated]  # reads are scoped by restrict(); records.py decides who writes

    @extend_schema(request=s.ResolveSerializer, responses={200: s.RecordConflictSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        conflict = self.get_object()
        data = s.ResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        conflict = records.resolve_conflict(conflict, actor=request.user, accept=data.validated_data["accept"],
                                            resolution=data.validated_data["resolution"])
        return Response(s.RecordConflictSerializer(conflict, context=self.get_serializer_context()).data)
