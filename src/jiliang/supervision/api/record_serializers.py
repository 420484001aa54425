"""Serializers of the supervision API."""

from rest_framework import serializers

from jiliang.core.api.serializers import DetailURLField, ScopedModelSerializer

from .. import models as m


class VerificationEventSerializer(ScopedModelSerializer):
    url = DetailURLField("api:verificationevent-detail")
    institution_uscc = serializers.CharField(source="institution.uscc", read_only=True)

    class Meta:
        model = m.VerificationEvent
        fields = ("id", "url", "display", "institution", "institution_uscc", "number", "instrument", "source",
                  "certificate", "kind", "verified_on", "result", "next_due", "certificate_valid_until",
                  "free_of_charge", "void", "void_reason", "batch", "created")
        read_only_fields = fields


class RecordConflictSerializer(ScopedModelSerializer):
    url = DetailURLField("api:recordconflict-detail")
    number = serializers.CharField(source="event.number", read_only=True)

    class Meta:
        model = m.RecordConflict
        fields = ("id", "url", "display", "event", "number", "received", "differences", "status", "resolution",
                  "resolved_at", "created")
        read_only_fields = fields


class ResolveSerializer(serializers.Serializer):
    accept = serializers.BooleanField(help_text="true: the stored (reported) event takes the reported values; "
                                                "false: the stored event stays")
    resolution = serializers.CharField(max_length=500, help_text="how the conflict was resolved")


class RecordErrorSerializer(serializers.Serializer):
    field = serializers.CharField()
    message = serializers.CharField()


class RowResultSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="position in the body, from 1 (the line of NDJSON)")
    status = serializers.ChoiceField(choices=["created", "unchanged", "conflict", "error"])
    event = serializers.IntegerField(required=False)
    conflict = serializers.IntegerField(required=False)
    differences = serializers.DictField(required=False)
    errors = RecordErrorSerializer(many=True, required=False)


class ReportResultSerializer(serializers.Serializer):
    counts = serializers.DictField(child=serializers.IntegerField())
    results = RowResultSerializer(many=True)
