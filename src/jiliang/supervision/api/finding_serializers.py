"""Serializers of on-site findings in the API: the finding with its photos (links, not bytes) and campaign link out;
the multipart payload in (onsite.record_finding validates it again)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from jiliang.supervision import models as m


class FindingPhotoSerializer(serializers.ModelSerializer):
    size = serializers.IntegerField(read_only=True, help_text="bytes")
    url = serializers.SerializerMethodField()

    class Meta:
        model = m.FindingPhoto
        fields = ["id", "content_type", "size", "taken_at", "url"]

    def get_url(self, o) -> str:
        return reverse("api:finding-photo-file", args=[o.finding_id, o.pk], request=self.context.get("request"))


class FindingSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    instrument_code = serializers.CharField(source="instrument.instrument_code", read_only=True)
    photos = FindingPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = m.Finding
        fields = ["id", "instrument", "instrument_code", "found_on", "inspector", "kind", "kind_display", "detail",
                  "measure", "photos", "latitude", "longitude", "notice", "campaign", "target", "created"]


@extend_schema_field({"type": "array", "items": {"type": "string", "format": "binary"}})
class PhotosField(serializers.ListField):
    child = serializers.FileField()


class FindingCreateSerializer(serializers.Serializer):
    instrument = serializers.IntegerField(required=False, allow_null=True, default=None,
                                          help_text="the instrument's id; or give its code")
    code = serializers.CharField(required=False, allow_blank=True, default="", max_length=200,
                                 help_text="the instrument's code, or the URL its QR code holds (…/i/<code>)")
    found_on = serializers.DateField(required=False, default=None, help_text="default: today (Beijing)")
    kind = serializers.ChoiceField(choices=m.FindingKind.choices)
    detail = serializers.CharField(required=False, allow_blank=True, default="")
    measure = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    photos = PhotosField(required=False, default=list, help_text="JPEG or PNG, at most 10 MB each, at most 10")
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True,
                                        default=None, min_value=-90, max_value=90)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True,
                                         default=None, min_value=-180, max_value=180)
    notice = serializers.IntegerField(required=False, allow_null=True, default=None)

    def validate(self, attrs):
        if attrs["instrument"] is None and not attrs["code"].strip():
            raise serializers.ValidationError({"instrument": "Give the instrument's id or its code."})
        return attrs
