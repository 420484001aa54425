from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from jiliang.core.api.serializers import DetailURLField, QuantityField, RangeField, ScopedModelSerializer
from jiliang.core.identities import answering_clashes
from jiliang.core.models import Region
from jiliang.core.scoping import sees_provenance
from jiliang.registry import instrument_codes
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
        # The code's rules and its one answer when taken are registry.instrument_codes', not DRF's unique check.
        extra_kwargs = {"instrument_code": {"validators": [], "help_text": _(
            "Writable on create: the maker's (GB/T 36377) or the State Grid's (22 digits) code; left empty, jiliang "
            "issues its own (scheme local). Stable for the instrument's life: an update may repeat it, never "
            "change it.")},
            "code_scheme": {"help_text": _("The code's scheme; left out, SGCC for 22 digits, else GB/T 36377.")}}

    def validate(self, attrs):
        attrs = super().validate(attrs)
        given = {k: attrs[k] for k in ("instrument_code", "code_scheme") if k in attrs and k in self.initial_data}
        if not given:
            return attrs
        stored = m.Instrument._base_manager.get(pk=self.instance.pk) if self.instance is not None else None
        found = instrument_codes.given_code(given.get("instrument_code"), given.get("code_scheme"), current=stored)
        attrs.pop("instrument_code", None)
        attrs.pop("code_scheme", None)
        if found is not None:
            request = self.context.get("request")
            if stored is None or stored.instrument_code != found[0]:
                with answering_clashes(getattr(request, "user", None)):
                    instrument_codes.check_free(found[0], getattr(request, "user", None),
                                                exclude_pk=getattr(stored, "pk", None))
            attrs["instrument_code"], attrs["code_scheme"] = found
        return attrs


class MeasurementStandardSerializer(ScopedModelSerializer):
    url = DetailURLField("api:measurementstandard-detail")
    measuring_range = RangeField(prefix="range")
    expanded_uncertainty = QuantityField({"U": "uncertainty", "unit": "uncertainty_unit", "k": "coverage_factor"},
                                         required=False, allow_null=True)

    class Meta:
        model = m.MeasurementStandard
        fields = COMMON + ("institute", "name", "domain", "parameter", "measuring_range", "expanded_uncertainty",
                           "accuracy_class", "mpe", "level", "certificate_no", "valid_from", "valid_until",
                           "first_assessed_on", "rating", "status")


class ReferenceMaterialSerializer(ScopedModelSerializer):
    url = DetailURLField("api:referencematerial-detail")
    certified = QuantityField({"value": "certified_value", "unit": "unit", "U": "uncertainty", "k": "coverage_factor"})

    class Meta:
        model = m.ReferenceMaterial
        fields = COMMON + ("gbw_number", "grade", "name", "property", "certified", "producer", "holder", "lot",
                           "expiry_date")
        read_only_fields = ("grade",)
