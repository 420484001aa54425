"""Serializers of the verification API: records out; workflow payloads in (the services validate them)."""


from rest_framework import serializers

from jiliang.core.api.serializers import ScopedModelSerializer
from jiliang.core.values.decimals import optional_decimal_text
from jiliang.verification import models as m

_dec = optional_decimal_text


class TestPointResultSerializer(serializers.ModelSerializer):
    reference = serializers.SerializerMethodField()
    indication = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField()

    class Meta:
        model = m.TestPointResult
        fields = ["label", "quantities", "attributes", "reference", "indication", "error", "temperature", "humidity",
                  "budget", "mpe", "outcome"]

    def get_reference(self, o) -> dict:
        return {"value": _dec(o.reference_value), "unit": o.unit}

    def get_indication(self, o) -> dict:
        return {"value": _dec(o.indication), "unit": o.unit}

    def get_error(self, o) -> dict:
        return {"value": _dec(o.error), "unit": o.error_unit, "U": _dec(o.expanded_uncertainty),
                "k": _dec(o.coverage_factor)}


class MeasurementResultSerializer(serializers.ModelSerializer):
    points = TestPointResultSerializer(many=True, read_only=True)

    class Meta:
        model = m.MeasurementResult
        fields = ["measured_on", "temperature", "humidity", "standards", "technician", "outcome", "decision",
                  "notes", "points"]


class WorkOrderItemSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:workorderitem-detail")
    result = MeasurementResultSerializer(read_only=True)
    certificates = serializers.SlugRelatedField(many=True, read_only=True, slug_field="number")

    class Meta:
        model = m.WorkOrderItem
        fields = ["id", "url", "display", "work_order", "instrument", "regulation", "method", "stage", "decision_rule",
                  "attributes", "parameters", "result", "certificates"]


class WorkOrderSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:workorder-detail")
    items = WorkOrderItemSerializer(many=True, read_only=True)
    turnaround_days = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = m.WorkOrder
        fields = ["id", "url", "display", "number", "owner", "institute", "kind", "location", "status",
                  "status_reason", "requested_by", "requested_at", "note", "scheduled_date", "technician", "checker",
                  "approver", "accepted_at", "measured_at", "checked_at", "approved_at", "issued_at", "closed_at",
                  "turnaround_days", "items"]
        read_only_fields = fields


class CertificateSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:certificate-detail")
    effective_status = serializers.SerializerMethodField()
    key_id = serializers.CharField(source="signing_key.key_id", read_only=True)
    superseded_by = serializers.SlugRelatedField(read_only=True, slug_field="number")

    class Meta:
        model = m.Certificate
        fields = ["id", "url", "display", "number", "kind", "item", "institute", "owner", "instrument", "issued_on",
                  "valid_until", "status", "effective_status", "status_reason", "superseded_by", "content",
                  "signature", "key_id", "pdf_sha256"]
        read_only_fields = fields

    def get_effective_status(self, o) -> str:
        return o.effective_status()


class StandardCalibrationSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:standardcalibration-detail")

    class Meta:
        model = m.StandardCalibration
        fields = ["id", "url", "display", "standard", "certificate_no", "laboratory", "calibrated_on", "valid_until",
                  "source", "traceability", "results", "certificate"]
        read_only_fields = fields


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = m.Notification
        fields = ["id", "organisation", "work_order", "message", "created", "emailed_to"]


# -- workflow payloads -------------------------------------------------------------------------------


class ItemRequestSerializer(serializers.Serializer):
    instrument = serializers.IntegerField()
    regulation = serializers.CharField(required=False, allow_blank=True, default="")
    method = serializers.CharField(required=False, allow_blank=True, default="")
    stage = serializers.ChoiceField(choices=["initial", "subsequent", "in_service"], default="initial")
    decision_rule = serializers.ChoiceField(choices=["simple", "guarded"], default="simple")
    attributes = serializers.DictField(required=False, default=dict)
    parameters = serializers.DictField(required=False, default=dict)


class WorkRequestSerializer(serializers.Serializer):
    owner = serializers.IntegerField()
    institute = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=m.WorkKind.choices)
    location = serializers.ChoiceField(choices=m.WorkLocation.choices, default=m.WorkLocation.LABORATORY)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    items = ItemRequestSerializer(many=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ScheduleSerializer(serializers.Serializer):
    date = serializers.DateField()
    technician = serializers.IntegerField()


class SignerSerializer(serializers.Serializer):
    person = serializers.IntegerField(required=False, help_text="optional: your own person; naming anyone else is refused (403): each signs from their own account")


class IssueSerializer(serializers.Serializer):
    numbers = serializers.DictField(child=serializers.CharField(), required=False,
                                    help_text="pre-assigned numbers by item id")


class ResultsSerializer(serializers.Serializer):
    measured_on = serializers.DateField()
    standards = serializers.ListField(child=serializers.IntegerField())
    temperature = serializers.CharField(required=False, allow_null=True, default=None)
    humidity = serializers.CharField(required=False, allow_null=True, default=None)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    points = serializers.ListField(child=serializers.DictField(), help_text=(
        "[{label, reference_value, indication, unit (D-SI), error?, error_unit?, U?, k?, budget?, quantities?, "
        "attributes?, temperature?, humidity?}]"))


class DccImportSerializer(serializers.Serializer):
    standard = serializers.IntegerField()
    xml = serializers.CharField()
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)
    traceability = serializers.CharField(required=False, allow_blank=True, default="")
