"""Serializers of the supervision API: records out; payloads in (the services in notices.py validate them)."""

from rest_framework import serializers

from jiliang.supervision import models as m


class NoticeSerializer(serializers.ModelSerializer):
    instruments = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = m.Notice
        fields = ["id", "number", "bureau_region", "owner", "instruments", "issued_on", "deadline", "basis", "status",
                  "status_display", "issued_by", "read_at", "created"]


class NoticeCreateSerializer(serializers.Serializer):
    owner = serializers.IntegerField()
    instruments = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)
    deadline = serializers.DateField()


class ReminderSerializer(serializers.ModelSerializer):
    class Meta:
        model = m.Reminder
        fields = ["id", "instrument", "kind", "due", "sent_at", "emailed_to"]


class LateRequestSerializer(serializers.Serializer):
    work_order = serializers.IntegerField(source="work_order.pk")
    number = serializers.CharField(source="work_order.number")
    institution = serializers.IntegerField(source="work_order.institute_id")
    institution_name = serializers.CharField(source="work_order.institute.name")
    owner = serializers.IntegerField(source="work_order.owner_id")
    location = serializers.CharField(source="work_order.location")
    received = serializers.DateField()
    result = serializers.DateField()
    limit = serializers.IntegerField(allow_null=True)
    working_days = serializers.IntegerField(source="taken", allow_null=True)
    last_day = serializers.DateField(allow_null=True)
    days_late = serializers.IntegerField()
    consequence = serializers.SerializerMethodField()

    def get_consequence(self, o) -> str:
        from jiliang.supervision.late import CONSEQUENCE

        return str(CONSEQUENCE)


class LateRequestQuerySerializer(serializers.Serializer):
    institution = serializers.IntegerField(required=False, allow_null=True, default=None)
    since = serializers.DateField(required=False, allow_null=True, default=None)
    until = serializers.DateField(required=False, allow_null=True, default=None)
