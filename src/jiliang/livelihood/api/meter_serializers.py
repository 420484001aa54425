"""Serializers of household meters, batches and rotation lists (/api/livelihood/)."""

from rest_framework import serializers

from jiliang.core.api.serializers import DetailURLField

from ..meter_import import KEYS
from ..models import HouseholdMeter, MeterBatch


class HouseholdMeterSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="pk", read_only=True, help_text="the instrument's id")
    url = DetailURLField("api:householdmeter-detail")
    instrument_code = serializers.CharField(source="instrument.instrument_code", read_only=True)
    code_scheme = serializers.CharField(source="instrument.code_scheme", read_only=True)
    manufacturer = serializers.CharField(source="instrument.manufacturer", read_only=True)
    model = serializers.CharField(source="instrument.model", read_only=True)
    serial_number = serializers.CharField(source="instrument.serial_number", read_only=True)
    status = serializers.CharField(source="instrument.status", read_only=True)
    batch_number = serializers.CharField(source="batch.number", read_only=True, default=None)
    service_life = serializers.SerializerMethodField()

    class Meta:
        model = HouseholdMeter
        fields = ["id", "instrument", "url", "instrument_code", "code_scheme", "utility", "region", "kind", "size",
                  "gas_kind", "accuracy_class", "rule", "service_life", "service_life_years", "manufacturer", "model",
                  "serial_number", "batch", "batch_number", "account_area", "installed_on", "first_verified_on",
                  "first_result", "first_errors", "rotation_due", "retired_on", "replaced_by", "status"]
        read_only_fields = fields

    def get_service_life(self, obj) -> dict:
        return {"value": obj.service_life_years, "unit": "a"}


class HouseholdMeterInputSerializer(serializers.Serializer):
    """One meter as the bulk endpoint and create take it: the columns of the meter file (docs)."""

    utility = serializers.IntegerField(required=False, help_text="the utility's id (default: your organisation)")
    instrument_code = serializers.CharField(required=False, allow_blank=True)
    code_scheme = serializers.CharField(required=False, allow_blank=True)
    kind = serializers.CharField()
    size = serializers.CharField(required=False, allow_blank=True)
    gas_kind = serializers.CharField(required=False, allow_blank=True)
    accuracy_class = serializers.CharField(required=False, allow_blank=True)
    q3 = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    manufacturer = serializers.CharField()
    model = serializers.CharField(required=False, allow_blank=True)
    serial_number = serializers.CharField()
    batch_number = serializers.CharField(required=False, allow_blank=True)
    region_code = serializers.CharField()
    address = serializers.CharField(required=False, allow_blank=True)
    account_area = serializers.CharField(required=False, allow_blank=True)
    installed_on = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    first_verified_on = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    first_result = serializers.CharField(required=False, allow_blank=True)
    institution_uscc = serializers.CharField(required=False, allow_blank=True)


assert set(KEYS) <= set(HouseholdMeterInputSerializer().fields)  # noqa: S101 - the file's columns, all of them


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    field = serializers.CharField()
    message = serializers.CharField()


class BulkResultSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    first_verifications = serializers.IntegerField()
    error_rows = serializers.IntegerField()
    errors = RowErrorSerializer(many=True)
    errors_left_off = serializers.IntegerField()


class MeterBatchSerializer(serializers.ModelSerializer):
    url = DetailURLField("api:meterbatch-detail")

    class Meta:
        model = MeterBatch
        fields = ["id", "url", "utility", "number", "kind", "manufacturer", "model", "declared_count", "institution",
                  "verified_on", "flows", "statistics", "biased", "passed", "failed"]
        read_only_fields = ["statistics", "biased", "passed", "failed"]


class BatchResultRowSerializer(serializers.Serializer):
    instrument_code = serializers.CharField()
    result = serializers.CharField()
    errors = serializers.DictField(child=serializers.FloatField(allow_null=True), required=False)


class BatchResultsSerializer(serializers.Serializer):
    verified_on = serializers.DateField(required=False)
    flows = serializers.ListField(child=serializers.CharField(), required=False)
    meters = BatchResultRowSerializer(many=True)


class RotationRowSerializer(serializers.Serializer):
    instrument_code = serializers.CharField(source="instrument__instrument_code")
    kind = serializers.CharField()
    size = serializers.CharField()
    gas_kind = serializers.CharField()
    accuracy_class = serializers.CharField()
    rule = serializers.CharField()
    regulation = serializers.CharField()
    service_life_years = serializers.IntegerField()
    first_verified_on = serializers.DateField()
    rotation_due = serializers.DateField()
    state = serializers.CharField()
    utility = serializers.CharField(source="utility__name")
    region = serializers.CharField(source="region_id")
    account_area = serializers.CharField()


class RotateSerializer(serializers.Serializer):
    rotated_on = serializers.DateField()
    manufacturer = serializers.CharField()
    model = serializers.CharField(required=False, allow_blank=True)
    serial_number = serializers.CharField()
    instrument_code = serializers.CharField(required=False, allow_blank=True)
    code_scheme = serializers.CharField(required=False, allow_blank=True)
    size = serializers.CharField(required=False, allow_blank=True)
    gas_kind = serializers.CharField(required=False, allow_blank=True)
    accuracy_class = serializers.CharField(required=False, allow_blank=True)
    first_verified_on = serializers.DateField(required=False, allow_null=True)
    first_result = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True)
