"""Serializers of the supervision API: records out; payloads in (the services in notices.py validate them)."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from jiliang.supervision import models as m
from jiliang.supervision.notices import PHOTO_MAX_BYTES


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


class FindingSerializer(serializers.ModelSerializer):
    has_photo = serializers.SerializerMethodField()
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = m.Finding
        fields = ["id", "instrument", "found_on", "inspector", "kind", "kind_display", "detail", "measure",
                  "photo_type", "has_photo", "latitude", "longitude", "notice", "created"]

    def get_has_photo(self, o) -> bool:
        return bool(o.photo_type)


class FindingCreateSerializer(serializers.Serializer):
    instrument = serializers.IntegerField()
    found_on = serializers.DateField()
    kind = serializers.ChoiceField(choices=m.FindingKind.choices)
    detail = serializers.CharField(required=False, allow_blank=True, default="")
    measure = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    photo = serializers.FileField(required=False, allow_null=True, default=None)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True,
                                        default=None, min_value=-90, max_value=90)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True,
                                         default=None, min_value=-180, max_value=180)
    notice = serializers.IntegerField(required=False, allow_null=True, default=None)

    def validate_photo(self, f):
        if f is not None and f.size > PHOTO_MAX_BYTES:  # refused before it is read into memory
            raise serializers.ValidationError(_("The photo is %(mb).1f MB; at most 10 MB.") % {"mb": f.size / 2**20})
        return f


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
