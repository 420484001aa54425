from rest_framework import serializers

from jiliang.core.api.serializers import DetailURLField, QuantityField, RangeField, ScopedModelSerializer
from jiliang.core.models import Region
from jiliang.core.scoping import sees_provenance
from jiliang.registry import models as m

COMMON = ("id", "url", "display", "description", "comments", "created", "last_updated")


class RegionSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:region-detail")

    class Meta:
        model = Region
        fields = ("code", "url", "display", "name", "level", "parent", "is_current", "successor", "retired_year",
                  "source")


class DesignationSerializer(ScopedModelSerializer):
    class Meta:
        model = m.Designation
        fields = ("code", "display", "name", "name_en")


class OrganisationSerializer(ScopedModelSerializer):
    url = DetailURLField("api:organisation-detail")

    class Meta:
        model = m.Organisation
        fields = COMMON + ("name", "uscc", "kind", "region", "address", "contact_name", "contact_phone",
                           "contact_email", "designations", "mms_status", "mms_certificate", "mms_valid_until",
                           "deregistered_on", "deregistration_reason")


class PersonSerializer(ScopedModelSerializer):
    url = DetailURLField("api:person-detail")

    class Meta:
        model = m.Person
        fields = COMMON + ("name", "organisation", "position", "phone", "email", "metrologist_certificate",
                           "metrologist_level", "qualified_items", "certificate_valid_from",
                           "certificate_valid_until")


class InstrumentCategorySerializer(ScopedModelSerializer):
    url = DetailURLField("api:instrumentcategory-detail")

    class Meta:
        model = m.InstrumentCategory
        fields = COMMON + ("code", "name", "name_en", "second_level", "domain", "regulation", "supervision_mode",
                           "verification_mode", "period_months", "service_life_years", "mandatory_trade",
                           "mandatory_safety", "mandatory_medical", "mandatory_environment", "scope_text",
                           "source", "confidence", "is_active")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if not sees_provenance(getattr(request, "user", None)):
            for name in ("source", "confidence"):  # the provincial administrator's curation notes
                data.pop(name, None)
        return data


class InstrumentSerializer(ScopedModelSerializer):
    url = DetailURLField("api:instrument-detail")
    measuring_range = RangeField(prefix="range")

    class Meta:
        model = m.Instrument
        fields = COMMON + ("owner", "category", "manufacturer", "model", "serial_number", "pattern_approval_no",
                           "accuracy_class", "measuring_range", "usage", "region", "address", "installation_date",
                           "status", "status_reason", "status_date", "mandatory", "instrument_code", "code_scheme")
        read_only_fields = ("mandatory",)


class MeasurementStandardSerializer(ScopedModelSerializer):
    url = DetailURLField("api:measurementstandard-detail")
    measuring_range = RangeField(prefix="range")
    expanded_uncertainty = QuantityField({"U": "uncertainty", "unit": "uncertainty_unit", "k": "coverage_factor"},
                                         required=False, allow_null=True)

    class Meta:
        model = m.MeasurementStandard
        fields = COMMON + ("institute", "name", "domain", "parameter", "measuring_range", "expanded_uncertainty",
                           "accuracy_class", "mpe", "level", "certificate_no", "valid_from", "valid_until", "rating",
                           "status")


class ReferenceMaterialSerializer(ScopedModelSerializer):
    url = DetailURLField("api:referencematerial-detail")
    certified = QuantityField({"value": "certified_value", "unit": "unit", "U": "uncertainty", "k": "coverage_factor"})

    class Meta:
        model = m.ReferenceMaterial
        fields = COMMON + ("gbw_number", "grade", "name", "property", "certified", "producer", "holder", "lot",
                           "expiry_date")
        read_only_fields = ("grade",)
