"""Supervision's API serializers (read only: states change through services and the daily job)."""

from rest_framework import serializers

from ..models import InstrumentState, VerificationEvent


class EventSummarySerializer(serializers.ModelSerializer):
    institution_name = serializers.CharField(source="institution.name", read_only=True)

    class Meta:
        model = VerificationEvent
        fields = ("id", "institution", "institution_name", "number", "kind", "verified_on", "result", "next_due",
                  "source", "certificate")
        read_only_fields = fields


class InstrumentStateSerializer(serializers.ModelSerializer):
    """An instrument's supervision status, next due, latest verification and filing state."""

    instrument = serializers.IntegerField(source="instrument_id", read_only=True)
    last_event = EventSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = InstrumentState
        fields = ("instrument", "status", "status_on", "next_due", "last_event", "filing_state", "region", "owner",
                  "category", "usage", "key_supervised")
        read_only_fields = fields
