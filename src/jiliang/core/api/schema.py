"""OpenAPI descriptions of jiliang's quantity fields (registered with drf-spectacular on import)."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension

NUMBER = {"type": "string", "format": "decimal", "nullable": True, "description": "exact decimal as a string"}


class RangeFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "jiliang.core.api.serializers.RangeField"

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "object", "nullable": True,
                "properties": {"min": NUMBER, "max": NUMBER, "unit": {"type": "string"}},
                "description": "measuring range with its unit"}


class QuantityFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "jiliang.core.api.serializers.QuantityField"

    def map_serializer_field(self, auto_schema, direction):
        props = {key: ({"type": "string"} if key == "unit" else NUMBER) for key in self.target.mapping}
        return {"type": "object", "nullable": bool(self.target.allow_null), "properties": props,
                "description": "value with unit and expanded uncertainty U (coverage factor k)"}


class DetailURLFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "jiliang.core.api.serializers.DetailURLField"

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "format": "uri", "readOnly": True}
