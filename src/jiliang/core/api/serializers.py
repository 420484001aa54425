"""Base serializers: brief mode, scoped related fields, and quantities that carry their unit."""

from decimal import Decimal

from django.urls import reverse
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from jiliang.core import extending
from jiliang.core.scoping import VIEW
from jiliang.core.values.decimals import optional_decimal_text


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key the user may only point at records they can see (form dropdowns do the same)."""

    def get_queryset(self):
        qs = super().get_queryset()
        request = self.context.get("request")
        if request is None or not hasattr(qs, "restrict"):
            return qs
        return qs.restrict(request.user, VIEW)


class DetailURLField(serializers.Field):
    """The record's API URL, from one ``reverse()`` per response instead of one per row.

    HyperlinkedIdentityField resolves the URL pattern for every row; on a 50-row page that is a
    tenth of the response time. The template is cached in the serializer context, shared by the rows.
    """

    def __init__(self, view_name: str, **kwargs):
        self.view_name = view_name
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, obj):
        key = f"_url_template:{self.view_name}"
        template = self.context.get(key)
        if template is None:
            path = reverse(self.view_name, args=[987654321])
            request = self.context.get("request")
            url = request.build_absolute_uri(path) if request is not None else path
            template = url.replace("987654321", "{}")
            self.context[key] = template
        return template.format(obj.pk)


class ScopedModelSerializer(serializers.ModelSerializer):
    """Checks the shape of the data only: Model.clean() runs in the service, one validation path for
    forms, API, imports and commands (NetBox's ValidatedModelSerializer, moved into the service)."""

    serializer_related_field = ScopedRelatedField
    display = serializers.SerializerMethodField()

    def __init__(self, *args, fields=None, **kwargs):
        super().__init__(*args, **kwargs)
        if fields:
            for name in list(self.fields):
                if name not in fields:
                    self.fields.pop(name)

    def get_display(self, obj) -> str:
        return str(obj)

    # A record's identity (``identity_fields``) is checked by the service, which answers a clash the same way
    # whether the registered record is in the user's scope or not (core.identities), not by DRF's validators.
    def _identity(self) -> set[str]:
        return set(getattr(self.Meta.model, "identity_fields", ()))

    def get_validators(self):
        identity = self._identity()
        return [v for v in super().get_validators() if not (identity and set(getattr(v, "fields", ())) == identity)]

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if field_name in self._identity() and len(self._identity()) == 1:
            kwargs["validators"] = [v for v in kwargs.get("validators", []) if not isinstance(v, UniqueValidator)]
        return field_class, kwargs

    def split_m2m(self, data: dict) -> tuple[dict, dict]:
        m2m_names = {f.name for f in self.Meta.model._meta.many_to_many}
        plain = {k: v for k, v in data.items() if k not in m2m_names}
        m2m = {k: v for k, v in data.items() if k in m2m_names}
        return plain, m2m



_dec = optional_decimal_text


class RangeField(serializers.Field):
    """A measuring range as ``{"min": "0", "max": "30", "unit": "kg"}`` (value and unit travel together)."""

    def __init__(self, prefix: str = "range", **kwargs):
        self.prefix = prefix
        kwargs.setdefault("source", "*")
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, obj):
        lo, hi, unit = (getattr(obj, f"{self.prefix}_{p}") for p in ("min", "max", "unit"))
        if lo is None and hi is None:
            return None
        return {"min": _dec(lo), "max": _dec(hi), "unit": unit}

    def to_internal_value(self, data):
        p = self.prefix
        if data is None:
            return {f"{p}_min": None, f"{p}_max": None, f"{p}_unit": ""}
        if not isinstance(data, dict):
            raise serializers.ValidationError('Expected {"min": …, "max": …, "unit": …}.')
        unknown = set(data) - {"min", "max", "unit"}
        if unknown:
            raise serializers.ValidationError(f"Unknown keys: {', '.join(sorted(unknown))}.")
        out = {f"{p}_unit": str(data.get("unit") or "")}
        for key in ("min", "max"):
            out[f"{p}_{key}"] = _decimal_or_error(data.get(key), key)
        if (out[f"{p}_min"] is not None or out[f"{p}_max"] is not None) and not out[f"{p}_unit"]:
            raise serializers.ValidationError("A measuring range needs its unit.")
        return out


class QuantityField(serializers.Field):
    """A value with unit and expanded uncertainty: ``{"value", "unit", "U", "k"}``.

    ``mapping`` names the model fields, e.g. ``{"value": "certified_value", "unit": "unit",
    "U": "uncertainty", "k": "coverage_factor"}``; keys absent from the mapping are not carried.
    """

    def __init__(self, mapping: dict[str, str], **kwargs):
        self.mapping = mapping
        kwargs.setdefault("source", "*")
        super().__init__(**kwargs)

    def to_representation(self, obj):
        out = {}
        for key, attr in self.mapping.items():
            value = getattr(obj, attr)
            out[key] = value if key == "unit" else _dec(value)
        if all(out.get(k) is None for k in out if k != "unit"):
            return None
        return out

    def to_internal_value(self, data):
        if data is None:
            if self.allow_null:
                return {attr: ("" if key == "unit" else None) for key, attr in self.mapping.items()}
            raise serializers.ValidationError("This quantity is required.")
        if not isinstance(data, dict):
            raise serializers.ValidationError(f"Expected an object with keys {', '.join(self.mapping)}.")
        unknown = set(data) - set(self.mapping)
        if unknown:
            raise serializers.ValidationError(f"Unknown keys: {', '.join(sorted(unknown))}.")
        out = {}
        for key, attr in self.mapping.items():
            if key == "unit":
                out[attr] = str(data.get("unit") or "")
            else:
                out[attr] = _decimal_or_error(data.get(key), key)
        if "unit" in self.mapping and not out[self.mapping["unit"]]:
            raise serializers.ValidationError("A quantity needs its unit.")
        return out


def _decimal_or_error(value, key: str):
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise serializers.ValidationError({key: "Expected a number."})
    try:
        result = Decimal(str(value))
    except Exception as exc:
        raise serializers.ValidationError({key: f"{value!r} is not a number."}) from exc
    if not result.is_finite():
        raise serializers.ValidationError({key: "Expected a finite number."})
    return result



_extended_serializers = extending.cache()


def extended_serializer(serializer_class: type) -> type:
    """``serializer_class`` (a ModelSerializer) with the read-only fields other apps contribute to its model
    (extending.ListExtension ``api_fields``); the class itself when none do. The class keeps its name, so the
    OpenAPI component of the model carries the contributed fields."""
    meta = getattr(serializer_class, "Meta", None)
    model = getattr(meta, "model", None)
    if model is None:
        return serializer_class
    extensions = [e for e in extending.list_extensions(model) if e.api_fields]
    if not extensions:
        return serializer_class
    made = _extended_serializers.get(serializer_class)
    if made is None:
        extra = {}
        for ext in extensions:
            extra.update(ext.api_fields())
        fields = meta.fields if meta.fields == serializers.ALL_FIELDS else (*meta.fields, *extra)
        new_meta = type("Meta", (meta,), {"fields": fields})
        made = _extended_serializers[serializer_class] = type(serializer_class.__name__, (serializer_class,), {
            **extra, "Meta": new_meta, "__module__": serializer_class.__module__,
            "__qualname__": serializer_class.__qualname__, "__doc__": serializer_class.__doc__})
    return made
