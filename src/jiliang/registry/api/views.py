from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from jiliang.core.api.serializers import extended_serializer
from jiliang.core.api.views import ReadOnlyScopedViewSet, ScopedModelViewSet
from jiliang.core.models import Region
from jiliang.core.scoping import VIEW
from jiliang.registry import filters, services
from jiliang.registry import models as m

from . import serializers as s


class RegionViewSet(ReadOnlyScopedViewSet):
    queryset = Region.objects.select_related("parent")
    serializer_class = s.RegionSerializer
    filterset_class = filters.RegionFilterSet
    lookup_value_regex = r"\d{6}"


class DesignationViewSet(ReadOnlyScopedViewSet):
    queryset = m.Designation.objects.all()
    serializer_class = s.DesignationSerializer
    filterset_fields = ["code"]


class DeregisterSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)
    date = serializers.DateField(required=False)


class DeregisterMixin:
    """``POST …/{id}/deregister/`` {"reason", "date"}: 注销 through registry.services; the record stays."""

    deregister_service = None

    @action(detail=True, methods=["post"], serializer_class=DeregisterSerializer)
    def deregister(self, request, pk=None):
        obj = self.get_object()
        data = DeregisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        done = type(self).deregister_service(obj, reason=data.validated_data["reason"],
                                             on=data.validated_data.get("date"), actor=request.user)
        return Response(extended_serializer(type(self).serializer_class)(done, context=self.get_serializer_context()).data)


class OrganisationViewSet(DeregisterMixin, ScopedModelViewSet):
    queryset = m.Organisation.objects.select_related("region").prefetch_related("designations")
    serializer_class = s.OrganisationSerializer
    filterset_class = filters.OrganisationFilterSet
    ordering_fields = ["name", "uscc", "region", "kind", "id"]
    deregister_service = staticmethod(services.deregister_organisation)


class PersonViewSet(ScopedModelViewSet):
    queryset = m.Person.objects.select_related("organisation")
    serializer_class = s.PersonSerializer
    filterset_class = filters.PersonFilterSet
    ordering_fields = ["name", "certificate_valid_until", "id"]


class InstrumentCategoryViewSet(ScopedModelViewSet):
    queryset = m.InstrumentCategory.objects.all()
    serializer_class = s.InstrumentCategorySerializer
    filterset_class = filters.InstrumentCategoryFilterSet
    ordering_fields = ["code", "name", "domain", "id"]


class SuspendSerializer(DeregisterSerializer):
    pass


class TransferSerializer(serializers.Serializer):
    owner = serializers.IntegerField()


class MoveSerializer(serializers.Serializer):
    region = serializers.RegexField(r"^\d{6}$")
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)


class InstrumentViewSet(DeregisterMixin, ScopedModelViewSet):
    queryset = m.Instrument.objects.select_related("category")  # owner and region travel as keys
    serializer_class = s.InstrumentSerializer
    filterset_class = filters.InstrumentFilterSet
    ordering_fields = ["id", "serial_number", "installation_date", "status"]
    deregister_service = staticmethod(services.deregister_instrument)

    def _act(self, serializer_class, act):
        obj = self.get_object()
        data = serializer_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        done = act(obj, data.validated_data)
        return Response(extended_serializer(type(self).serializer_class)(done, context=self.get_serializer_context()).data)

    @action(detail=True, methods=["post"], serializer_class=SuspendSerializer)
    def suspend(self, request, pk=None):
        """停用 with a reason and a date (registry.services.suspend_instrument)."""
        return self._act(SuspendSerializer, lambda obj, d: services.suspend_instrument(
            obj, reason=d["reason"], on=d.get("date"), actor=request.user))

    @action(detail=True, methods=["post"], serializer_class=TransferSerializer)
    def transfer(self, request, pk=None):
        """Another owner (registry.services.transfer_instrument); the owner must be one the user can see."""
        def act(obj, d):
            owner = m.Organisation.objects.restrict(request.user, VIEW).filter(pk=d["owner"]).first()
            if owner is None:
                raise ValidationError({"owner": _("Choose an owner you can see.")})
            return services.transfer_instrument(obj, owner=owner, actor=request.user)
        return self._act(TransferSerializer, act)

    @action(detail=True, methods=["post"], serializer_class=MoveSerializer)
    def move(self, request, pk=None):
        """Located in another region (registry.services.move_instrument)."""
        return self._act(MoveSerializer, lambda obj, d: services.move_instrument(
            obj, region=d["region"], address=d.get("address", ""), actor=request.user))


class MeasurementStandardViewSet(ScopedModelViewSet):
    queryset = m.MeasurementStandard.objects.select_related("institute")
    serializer_class = s.MeasurementStandardSerializer
    filterset_class = filters.MeasurementStandardFilterSet
    ordering_fields = ["name", "valid_until", "id"]


class ReferenceMaterialViewSet(ScopedModelViewSet):
    queryset = m.ReferenceMaterial.objects.select_related("holder")
    serializer_class = s.ReferenceMaterialSerializer
    filterset_class = filters.ReferenceMaterialFilterSet
    ordering_fields = ["gbw_number", "expiry_date", "id"]
