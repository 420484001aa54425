"""The verification API: records read through ``restrict()``, each workflow step an action calling one service.

Writes never go through generic create/update: ``POST /api/work-orders/`` calls ``services.request_work``
and ``POST /api/work-orders/<id>/accept/`` ``services.accept``, and so on. Who may take a step is decided
by the service (the institute's staff, the owner's side); an object the user cannot see is a 404.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from jiliang.core.api.views import ReadOnlyScopedViewSet, ScopedViewSet
from jiliang.core.scoping import VIEW
from jiliang.registry.models import MeasurementStandard, Organisation, Person
from jiliang.verification import dcc_bridge, filters, services, signing
from jiliang.verification import models as m

from . import serializers as s

# Any signed-in user may ask for a step; the service decides whether this user may take it.
STEPS_DECIDED_BY_SERVICES = [IsAuthenticated]


def _person(request, pk):
    if pk is None:
        return None
    return get_object_or_404(Person.objects.restrict(request.user, VIEW), pk=pk)


class WorkOrderViewSet(ReadOnlyScopedViewSet):
    permission_classes = STEPS_DECIDED_BY_SERVICES
    queryset = m.WorkOrder.objects.select_related("owner", "institute").prefetch_related(
        "items__certificates", "items__instrument__category", "items__result__points", "items__result__standards")
    serializer_class = s.WorkOrderSerializer
    filterset_class = filters.WorkOrderFilterSet
    ordering_fields = ["id", "requested_at", "scheduled_date", "status"]

    def _done(self, wo, code=status.HTTP_200_OK):
        wo = self.get_queryset().get(pk=wo.pk)
        return Response(s.WorkOrderSerializer(wo, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=s.WorkRequestSerializer, responses=s.WorkOrderSerializer)
    def create(self, request):
        payload = s.WorkRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        owner = get_object_or_404(Organisation.objects.restrict(request.user, VIEW), pk=d["owner"])
        institute = get_object_or_404(Organisation.objects.all(), pk=d["institute"], kind__in=["institute",
                                                                                                "authorised"])
        wo = services.request_work(actor=request.user, owner=owner, institute=institute, kind=d["kind"],
                                   location=d["location"], note=d["note"], items=[dict(i) for i in d["items"]])
        return self._done(wo, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._done(services.accept(self.get_object(), actor=request.user))

    @extend_schema(request=s.ReasonSerializer, responses=s.WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._done(services.decline(self.get_object(), actor=request.user,
                                           reason=request.data.get("reason", "")))

    @extend_schema(request=s.ReasonSerializer, responses=s.WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._done(services.cancel(self.get_object(), actor=request.user,
                                          reason=request.data.get("reason", "")))

    @extend_schema(request=s.ScheduleSerializer, responses=s.WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def schedule(self, request, pk=None):
        wo = self.get_object()
        payload = s.ScheduleSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._done(services.schedule(wo, actor=request.user, date=payload.validated_data["date"],
                                            technician=_person(request, payload.validated_data["technician"])))

    @extend_schema(request=s.SignerSerializer, responses=s.WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        wo = self.get_object()
        return self._done(services.check(wo, actor=request.user, checker=_person(request, request.data.get("person"))))

    @extend_schema(request=s.SignerSerializer, responses=s.WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        wo = self.get_object()
        return self._done(services.approve(wo, actor=request.user,
                                           approver=_person(request, request.data.get("person"))))

    @extend_schema(request=s.ReasonSerializer, responses=s.WorkOrderSerializer)
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        """The checker (or approver) sends the order back to measurement with a reason."""
        return self._done(services.return_to_measurement(self.get_object(), actor=request.user,
                                                         reason=request.data.get("reason", "")))

    @extend_schema(request=s.IssueSerializer, responses=s.CertificateSerializer(many=True))
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        wo = self.get_object()
        payload = s.IssueSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        issued = services.issue_certificate(wo, actor=request.user, numbers=payload.validated_data.get("numbers"))
        return Response(s.CertificateSerializer(issued, many=True, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)


class WorkOrderItemViewSet(ReadOnlyScopedViewSet):
    permission_classes = STEPS_DECIDED_BY_SERVICES
    queryset = m.WorkOrderItem.objects.select_related("work_order", "instrument__category").prefetch_related(
        "certificates", "result__points", "result__standards")
    serializer_class = s.WorkOrderItemSerializer
    filterset_class = filters.WorkOrderItemFilterSet
    ordering_fields = ["id"]

    @extend_schema(request=s.ResultsSerializer, responses=s.WorkOrderItemSerializer)
    @action(detail=True, methods=["post"])
    def results(self, request, pk=None):
        item = self.get_object()
        payload = s.ResultsSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        standards = list(MeasurementStandard.objects.restrict(request.user, VIEW).filter(pk__in=d["standards"]))
        missing = set(d["standards"]) - {x.pk for x in standards}
        if missing:
            return Response({"standards": [f"unknown standard {sorted(missing)}"]}, status=400)
        services.record_results(item, actor=request.user, measured_on=d["measured_on"], standards=standards,
                                points=d["points"], temperature=d["temperature"], humidity=d["humidity"],
                                notes=d["notes"])
        item = self.get_queryset().get(pk=item.pk)
        return Response(s.WorkOrderItemSerializer(item, context=self.get_serializer_context()).data)


class CertificateViewSet(ReadOnlyScopedViewSet):
    permission_classes = STEPS_DECIDED_BY_SERVICES
    queryset = m.Certificate.objects.select_related("signing_key", "superseded_by").defer("pdf", "superseded_by__pdf")
    serializer_class = s.CertificateSerializer
    filterset_class = filters.CertificateFilterSet
    ordering_fields = ["id", "number", "issued_on", "valid_until"]

    @extend_schema(request=s.ReasonSerializer, responses=s.CertificateSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        cert = services.revoke_certificate(self.get_object(), actor=request.user,
                                           reason=request.data.get("reason", ""))
        return Response(s.CertificateSerializer(cert, context=self.get_serializer_context()).data)

    @extend_schema(request=s.ReasonSerializer, responses=s.CertificateSerializer)
    @action(detail=True, methods=["post"])
    def reissue(self, request, pk=None):
        new = services.reissue_certificate(self.get_object(), actor=request.user,
                                           reason=request.data.get("reason", ""))
        return Response(s.CertificateSerializer(new, context=self.get_serializer_context()).data, status=201)

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        cert = self.get_object()
        return HttpResponse(bytes(cert.pdf), content_type="application/pdf")

    @extend_schema(responses={(200, "application/json"): dict})
    @action(detail=True, methods=["get"])
    def signed(self, request, pk=None):
        cert = self.get_object()
        return Response(signing.signed_document(cert.content, cert.signature, cert.signing_key.key_id))

    @extend_schema(responses={(200, "application/xml"): bytes})
    @action(detail=True, methods=["get"])
    def dcc(self, request, pk=None):
        xml = dcc_bridge.export_dcc(self.get_object())
        return HttpResponse(xml, content_type="application/xml")


class StandardCalibrationViewSet(ReadOnlyScopedViewSet):
    permission_classes = STEPS_DECIDED_BY_SERVICES
    queryset = m.StandardCalibration.objects.select_related("standard")
    serializer_class = s.StandardCalibrationSerializer
    filterset_class = filters.StandardCalibrationFilterSet
    ordering_fields = ["id", "calibrated_on", "valid_until"]

    @extend_schema(request=s.DccImportSerializer, responses=s.StandardCalibrationSerializer)
    @action(detail=False, methods=["post"], url_path="import-dcc")
    def import_dcc(self, request):
        payload = s.DccImportSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        standard = get_object_or_404(MeasurementStandard.objects.restrict(request.user, VIEW), pk=d["standard"])
        cal = services.import_dcc(standard, d["xml"], actor=request.user, valid_until=d["valid_until"],
                                  traceability=d["traceability"])
        return Response(s.StandardCalibrationSerializer(cal, context=self.get_serializer_context()).data, status=201)


class NotificationViewSet(mixins.ListModelMixin, ScopedViewSet):
    permission_classes = STEPS_DECIDED_BY_SERVICES
    queryset = m.Notification.objects.all()
    serializer_class = s.NotificationSerializer
    filterset_class = filters.NotificationFilterSet
