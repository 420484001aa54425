"""The filing API under /api/supervision/: filings (owners file), filing entries (county bureaus decide) and
designations of the verifying institution. Records are read through ``restrict()``; every write is one call of
supervision/filing.py, which decides who may take it (the owner's staff; the county bureau in scope)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from jiliang.core.api.views import ReadOnlyScopedViewSet
from jiliang.core.scoping import VIEW
from jiliang.registry.models import Instrument, InstrumentCategory, Organisation

from .. import filing
from ..filing_filters import DesignationFilterSet, FilingEntryFilterSet, FilingFilterSet
from ..models import Filing, FilingEntry, InstitutionDesignation

STEPS_DECIDED_BY_SERVICES = [IsAuthenticated]


class FilingEntrySerializer(serializers.ModelSerializer):
    instrument_label = serializers.CharField(source="instrument.__str__", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = FilingEntry
        fields = ["id", "filing", "instrument", "instrument_label", "state", "state_display", "reason",
                  "designated_institution", "decided_by", "decided_at", "created"]
        read_only_fields = fields


class FilingSerializer(serializers.ModelSerializer):
    entries = FilingEntrySerializer(many=True, read_only=True)

    class Meta:
        model = Filing
        fields = ["id", "owner", "bureau_region", "submitted_by", "note", "created", "entries"]
        read_only_fields = fields


class FileRequestSerializer(serializers.Serializer):
    owner = serializers.IntegerField(required=False, help_text="the owner; defaults to the user's organisation")
    instruments = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=10000)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class RefusalSerializer(serializers.Serializer):
    instrument = serializers.IntegerField()
    label = serializers.CharField()
    reason = serializers.CharField()


class FileResultSerializer(serializers.Serializer):
    filings = FilingSerializer(many=True)
    refused = RefusalSerializer(many=True)


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[filing.ACCEPT, filing.RETURN])
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500,
                                   help_text="one reason for every returned entry")
    reasons = serializers.DictField(child=serializers.CharField(allow_blank=True, max_length=500), required=False,
                                    help_text="the reason per entry id (a return needs one for each)")
    designated_institution = serializers.IntegerField(required=False, allow_null=True)


class BulkDecideSerializer(DecideSerializer):
    entries = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=10000)


class InstitutionDesignationSerializer(serializers.ModelSerializer):
    class Meta:
        model = InstitutionDesignation
        fields = ["id", "owner", "category", "institution", "designated_by", "created", "last_updated"]
        read_only_fields = fields


class DesignateSerializer(serializers.Serializer):
    owner = serializers.IntegerField()
    institution = serializers.IntegerField()
    category = serializers.IntegerField(required=False, allow_null=True)
    instrument = serializers.IntegerField(required=False, allow_null=True,
                                          help_text="designate for this instrument only (its accepted filing)")


class FilingViewSet(ReadOnlyScopedViewSet):
    """Filings (登记造册、备案, 1987 measures Art. 5). ``POST``: the owner's staff file instruments; those that
    cannot be filed are listed in ``refused`` with the reason, the rest are filed (400 when none is)."""

    permission_classes = STEPS_DECIDED_BY_SERVICES
    queryset = Filing.objects.select_related("owner", "bureau_region").prefetch_related("entries__instrument")
    serializer_class = FilingSerializer
    filterset_class = FilingFilterSet
    ordering_fields = ["id", "created"]

    @extend_schema(request=FileRequestSerializer, responses={201: FileResultSerializer, 400: FileResultSerializer})
    def create(self, request):
        payload = FileRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        owner_id = d.get("owner") or request.user.organisation_id
        owner = get_object_or_404(Organisation.objects.restrict(request.user, VIEW), pk=owner_id)
        result = filing.file_instruments(owner, d["instruments"], request.user, note=d["note"])
        filings = self.get_queryset().filter(pk__in=[f.pk for f in result.filings])
        body = {"filings": FilingSerializer(filings, many=True).data,
                "refused": [r.as_dict() for r in result.refused]}
        return Response(body, status=status.HTTP_201_CREATED if result.filings else status.HTTP_400_BAD_REQUEST)


def _reasons(d) -> dict | str:
    if d.get("reasons"):
        out = {}
        for key, text in d["reasons"].items():
            try:
                out[int(key)] = text
            except ValueError:
                raise serializers.ValidationError({"reasons": [f"{key!r} is not an entry id"]}) from None
        return out
    return d.get("reason", "")


class FilingEntryViewSet(ReadOnlyScopedViewSet):
    """Filing entries, one per instrument filed; the county bureau accepts or returns them
    (``POST decide/`` for many, ``POST <id>/decide/`` for one)."""

    permission_classes = STEPS_DECIDED_BY_SERVICES
    queryset = FilingEntry.objects.select_related("filing", "instrument", "designated_institution")
    serializer_class = FilingEntrySerializer
    filterset_class = FilingEntryFilterSet
    ordering_fields = ["id", "created", "state"]

    def _decide(self, request, ids, d):
        visible = set(self.get_queryset().filter(pk__in=ids).values_list("pk", flat=True))
        missing = [i for i in ids if i not in visible]
        if missing:
            return Response({"entries": [f"no filing entry {i} that you may see" for i in missing]},
                            status=status.HTTP_404_NOT_FOUND)
        rows = filing.decide(ids, request.user, d["decision"], reasons=_reasons(d),
                             institution=d.get("designated_institution"))
        out = self.get_queryset().filter(pk__in=[r.pk for r in rows])
        return Response(FilingEntrySerializer(out, many=True).data)

    @extend_schema(operation_id="supervision_filing_entries_decide_many", request=BulkDecideSerializer,
                   responses={200: FilingEntrySerializer(many=True),
                                                            404: OpenApiResponse(description="entries not found")})
    @action(detail=False, methods=["post"])
    def decide(self, request):
        payload = BulkDecideSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._decide(request, payload.validated_data["entries"], payload.validated_data)

    @extend_schema(request=DecideSerializer, responses={200: FilingEntrySerializer(many=True)},
                   operation_id="supervision_filing_entries_decide_one")
    @action(detail=True, methods=["post"], url_path="decide")
    def decide_one(self, request, pk=None):
        entry = self.get_object()
        payload = DecideSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._decide(request, [entry.pk], payload.validated_data)


class DesignationViewSet(ReadOnlyScopedViewSet):
    """The verifying institution designated per owner and category (or all categories), 细则 Art. 11.
    ``POST``: the county bureau designates, for an owner (and category) or for one instrument."""

    permission_classes = STEPS_DECIDED_BY_SERVICES
    queryset = InstitutionDesignation.objects.select_related("owner", "category", "institution").order_by("id")
    serializer_class = InstitutionDesignationSerializer
    filterset_class = DesignationFilterSet
    ordering_fields = ["id", "created"]

    @extend_schema(request=DesignateSerializer,
                   responses={201: InstitutionDesignationSerializer, 200: FilingEntrySerializer})
    def create(self, request):
        payload = DesignateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        owner = get_object_or_404(Organisation.objects.restrict(request.user, VIEW), pk=d["owner"])
        category = get_object_or_404(InstrumentCategory.objects.all(), pk=d["category"]) if d.get("category") \
            else None
        instrument = get_object_or_404(Instrument.objects.restrict(request.user, VIEW), pk=d["instrument"]) \
            if d.get("instrument") else None
        done = filing.designate(owner, d["institution"], request.user, category=category, instrument=instrument)
        if isinstance(done, FilingEntry):
            return Response(FilingEntrySerializer(done).data)
        return Response(InstitutionDesignationSerializer(done).data, status=status.HTTP_201_CREATED)
