"""Telemetry serializers. Quantities travel with their unit and expanded uncertainty (U, k = 2)."""

import math
from decimal import Decimal

from rest_framework import serializers

from jiliang.core.api.serializers import ScopedModelSerializer
from jiliang.core.values.decimals import decimal_text
from jiliang.telemetry import models as m

COMMON = ("id", "url", "display", "description", "comments", "created", "last_updated")


def _dec(value, places: int = 6) -> str | None:
    if value is None:
        return None
    return decimal_text(Decimal(value).quantize(Decimal(1).scaleb(-places)))


def quantity(value, unit: str, u: float | None = None, places: int = 6) -> dict:
    out = {"value": _dec(value, places), "unit": unit}
    if u is not None:
        out.update({"U": _dec(Decimal(repr(2 * u)), places), "k": "2"})
    return out


class MeteringPointSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:meteringpoint-detail")
    last_reading = serializers.SerializerMethodField()

    class Meta:
        model = m.MeteringPoint
        fields = COMMON + ("enterprise", "code", "name", "energy_type", "unit", "meter", "multiplier",
                           "register_capacity", "role", "parent", "interval_seconds", "protocol", "meter_address",
                           "rated_capacity", "accuracy_class", "coefficient_variant", "required_for_online", "active",
                           "last_reading")

    def get_last_reading(self, obj) -> dict | None:
        state = getattr(obj, "state", None) if hasattr(obj, "state") else None
        if state is None or state.last_ts is None:
            return None
        return {"ts": state.last_ts.isoformat(), "value": quantity(state.last_value, obj.unit)}


class IngestBatchSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:ingestbatch-detail")

    class Meta:
        model = m.IngestBatch
        fields = ("id", "url", "display", "received_at", "sender", "enterprise", "channel", "reference", "accepted",
                  "duplicate", "rejected", "conflict", "rejections", "rejections_truncated")


class AnomalySerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:anomaly-detail")

    class Meta:
        model = m.Anomaly
        fields = ("id", "url", "display", "point", "enterprise", "kind", "state", "owner", "first_seen", "last_seen",
                  "occurrences", "evidence", "note")
        read_only_fields = fields


class AnomalyMoveSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=m.AnomalyState.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ReadingConflictSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:readingconflict-detail")

    class Meta:
        model = m.ReadingConflict
        fields = ("id", "url", "display", "point", "ts", "stored_value", "received_value", "received_at", "source",
                  "batch", "reviewed")
        read_only_fields = fields


class ReadingSerializer(serializers.ModelSerializer):
    value = serializers.SerializerMethodField()

    class Meta:
        model = m.Reading
        fields = ("point", "ts", "value", "received_at", "source", "batch")

    def get_value(self, obj) -> dict:
        return quantity(obj.value, obj.point.unit)


class PointRollupSerializer(serializers.ModelSerializer):
    consumption = serializers.SerializerMethodField()
    tce_equivalent = serializers.SerializerMethodField()
    tce_equal_price = serializers.SerializerMethodField()

    class Meta:
        model = m.PointRollup
        fields = ("point", "period", "start", "consumption", "tce_equivalent", "tce_equal_price", "readings")

    def get_consumption(self, obj) -> dict:
        return quantity(obj.consumption, obj.point.unit, float(obj.u))

    def get_tce_equivalent(self, obj) -> dict:
        ratio = float(obj.tce_equivalent / obj.consumption) if obj.consumption else 0.0
        return quantity(obj.tce_equivalent, "tce", abs(float(obj.u) * ratio), 9)

    def get_tce_equal_price(self, obj) -> dict:
        return quantity(obj.tce_equal_price, "tce", None, 9)


class EnterpriseRollupSerializer(serializers.ModelSerializer):
    consumption = serializers.SerializerMethodField()
    tce_equivalent = serializers.SerializerMethodField()
    tce_equal_price = serializers.SerializerMethodField()

    class Meta:
        model = m.EnterpriseRollup
        fields = ("enterprise", "energy_type", "period", "start", "consumption", "tce_equivalent", "tce_equal_price",
                  "readings")

    def get_consumption(self, obj) -> dict:
        return quantity(obj.consumption, obj.unit, math.sqrt(max(obj.u_sq, 0.0)))

    def get_tce_equivalent(self, obj) -> dict:
        return quantity(obj.tce_equivalent, "tce", math.sqrt(max(obj.u_tce_sq, 0.0)), 9)

    def get_tce_equal_price(self, obj) -> dict:
        return quantity(obj.tce_equal_price, "tce", None, 9)
