from rest_framework import serializers

from ..models import InstrumentState


class RateSerializer(serializers.Serializer):
    """rates.Rate.as_dict(): the rate with its numerator, denominator, definition and version."""

    name = serializers.CharField()
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    value = serializers.FloatField(allow_null=True, help_text="numerator ÷ denominator; null when nothing was due")
    definition = serializers.CharField()
    version = serializers.CharField()


class RateGroupSerializer(serializers.Serializer):
    region = serializers.CharField()
    name = serializers.CharField()
    statuses = serializers.DictField(child=serializers.IntegerField(), help_text="instruments by status today")
    rates = RateSerializer(many=True)


class RatesSerializer(serializers.Serializer):
    region = serializers.CharField()
    period = serializers.CharField()
    first_month = serializers.IntegerField()
    last_month = serializers.IntegerField()
    version = serializers.CharField()
    total = RateGroupSerializer()
    children = RateGroupSerializer(many=True, required=False)


class OverdueSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.name")
    contact_name = serializers.CharField(source="owner.contact_name")
    contact_phone = serializers.CharField(source="owner.contact_phone")
    serial_number = serializers.CharField(source="instrument.serial_number")
    owner_kind = serializers.CharField(help_text="the owner's kind (market, hospital, fuel_station, …)")
    days_overdue = serializers.SerializerMethodField()

    class Meta:
        model = InstrumentState
        fields = ["instrument", "region", "owner", "owner_name", "contact_name", "contact_phone", "category",
                  "usage", "owner_kind", "key_supervised", "serial_number", "next_due", "days_overdue"]

    def get_days_overdue(self, obj) -> int | None:
        today = self.context["today"]
        return (today - obj.next_due).days if obj.next_due else None
