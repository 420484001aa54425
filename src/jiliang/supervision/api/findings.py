"""On-site findings in the API (/api/supervision/findings/): the list and each finding as the user may see them
(region scope, plus the findings the user recorded), recording one with its photos (multipart, repeated ``photos``),
and each photo's bytes with its own content type. Who may record is decided by onsite.record_finding."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters import rest_framework as df
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from jiliang.core.api.views import ReadOnlyScopedViewSet
from jiliang.core.scoping import VIEW, is_authority
from jiliang.registry.models import Instrument
from jiliang.supervision import campaign_access, onsite
from jiliang.supervision import models as m
from jiliang.supervision.notice_views import photo_response

from . import finding_serializers as s

PHOTOS = onsite.PHOTOS_WITHOUT_DATA


class FindingFilterSet(df.FilterSet):
    class Meta:
        model = m.Finding
        fields = ["kind", "instrument", "notice", "campaign", "target"]


class FindingViewSet(ReadOnlyScopedViewSet):
    permission_classes = [IsAuthenticated]
    queryset = m.Finding.objects.select_related("instrument").prefetch_related(PHOTOS)
    serializer_class = s.FindingSerializer
    filterset_class = FindingFilterSet
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    ordering_fields = ["id", "found_on"]

    def _instrument(self, d) -> Instrument:
        if d["code"].strip():
            try:
                return onsite.find(self.request.user, d["code"])
            except onsite.CodeLookupError as exc:
                if exc.kind == "misread":
                    raise_misread(exc)
                raise Http404(exc.message) from exc
        instrument = Instrument.objects.filter(pk=d["instrument"]).first()
        if instrument is None or not campaign_access.may_inspect(self.request.user, instrument):
            raise Http404
        return instrument

    @extend_schema(request={"multipart/form-data": s.FindingCreateSerializer,
                            "application/json": s.FindingCreateSerializer},
                   responses={201: s.FindingSerializer, 400: OpenApiResponse(description="a field and its reason"),
                              403: OpenApiResponse(description="the user may not record this finding"),
                              404: OpenApiResponse(description="no instrument with this id or code in the scope")})
    def create(self, request):
        if not is_authority(request.user):
            raise PermissionDenied(_("Only a county bureau, or an inspector a campaign assigned to an instrument, "
                                     "records on-site findings."))
        payload = s.FindingCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        instrument = self._instrument(d)
        notice = (get_object_or_404(m.Notice.objects.restrict(request.user, VIEW), pk=d["notice"])
                  if d["notice"] else None)
        photos = onsite.read_uploads(d["photos"])
        finding = onsite.record_finding(actor=request.user, instrument=instrument,
                                        found_on=d["found_on"] or timezone.localdate(), kind=d["kind"],
                                        detail=d["detail"], measure=d["measure"], photos=photos,
                                        latitude=d["latitude"], longitude=d["longitude"], notice=notice)
        finding = self.queryset.get(pk=finding.pk)
        return Response(s.FindingSerializer(finding, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "image/jpeg"): bytes, (200, "image/png"): bytes, 404: None})
    @action(detail=True, methods=["get"])
    def photo(self, request, pk=None):
        """The finding's first photo."""
        found = self.get_object().photos.first()
        if found is None:
            raise Http404
        return photo_response(found)

    @extend_schema(responses={(200, "image/jpeg"): bytes, (200, "image/png"): bytes, 404: None})
    @action(detail=True, methods=["get"], url_path=r"photos/(?P<photo>[0-9]{1,18})", url_name="photo-file")
    def photo_file(self, request, pk=None, photo=None):
        """One photo of the finding, by its id (the ``url`` of each of the finding's ``photos``)."""
        found = self.get_object().photos.filter(pk=int(photo)).first()
        if found is None:
            raise Http404
        return photo_response(found)


def raise_misread(exc: onsite.CodeLookupError):
    from rest_framework.exceptions import ValidationError

    raise ValidationError({"code": [exc.message]})
