"""One FilterSet per model, shared by list pages, the API and Excel export (NetBox's filtersets.py)."""

import django_filters as df
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiliang.core.filters import IdFilter, RegionSubtreeFilter, SearchFilterSet
from jiliang.core.models import Region

from . import models as m


class CategoryFilter(df.CharFilter):
    """``category=<code>``: instruments of a catalogue entry; on pages, a drop-down of the active entries."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("category (code)"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        # Resolve the code to its id first: the (region, category, id) index then serves the whole query.
        ids = list(m.InstrumentCategory.objects.filter(code=value).values_list("pk", flat=True))
        return qs.filter(category_id__in=ids)

    def page_choices(self, user) -> list[tuple[str, str]]:
        return [("", "—")] + [(c.code, str(c)) for c in m.InstrumentCategory.objects.filter(is_active=True)]


REGISTRATION_CHOICES = [("current", _("in the register")), ("deregistered", _("deregistered")), ("all", _("all"))]


class RegistrationFilterMixin:
    """``registration=current|deregistered|all``: deregistered records stay in the register, marked.

    The API lists every record unless asked (each one says whether it is deregistered); list pages and
    their exports show the records in the register unless the filter asks for the deregistered ones.
    """

    hide_deregistered = False
    deregistered_q: Q = Q()

    def filter_registration(self, qs, name, value):
        if value == "current":
            return qs.exclude(self.deregistered_q)
        if value == "deregistered":
            return qs.filter(self.deregistered_q)
        return qs

    @property
    def qs(self):
        qs = super().qs
        if self.hide_deregistered and not (self.data or {}).get("registration"):
            qs = qs.exclude(self.deregistered_q)
        return qs


def registration_filter():
    return df.ChoiceFilter(choices=REGISTRATION_CHOICES, method="filter_registration", label=_("registration"),
                           empty_label=None)


class RegionFilterSet(SearchFilterSet):
    search_fields = ("code", "name")
    parent = df.CharFilter(field_name="parent_id")

    class Meta:
        model = Region
        fields = ["code", "level", "is_current", "parent"]


class OrganisationFilterSet(RegistrationFilterMixin, SearchFilterSet):
    search_fields = ("name", "uscc", "address")
    deregistered_q = Q(deregistered_on__isnull=False)
    registration = registration_filter()
    region = RegionSubtreeFilter()
    kind = df.MultipleChoiceFilter(choices=m.OrganisationKind.choices)
    designation = df.ModelMultipleChoiceFilter(field_name="designations", queryset=m.Designation.objects.all(),
                                               label=_("designation"))

    class Meta:
        model = m.Organisation
        fields = ["uscc", "kind", "region", "mms_status", "designation"]


class PersonFilterSet(SearchFilterSet):
    search_fields = ("name", "metrologist_certificate")
    organisation_id = IdFilter(field_name="organisation_id")
    region = RegionSubtreeFilter(path="organisation__region")
    certified = df.BooleanFilter(method="filter_certified", label=_("has a metrologist certificate"))

    class Meta:
        model = m.Person
        fields = ["organisation_id", "metrologist_level", "region", "certified"]

    def filter_certified(self, qs, name, value):
        return qs.exclude(metrologist_certificate="") if value else qs.filter(metrologist_certificate="")


class InstrumentCategoryFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "name_en", "second_level", "regulation")

    class Meta:
        model = m.InstrumentCategory
        fields = ["code", "domain", "supervision_mode", "verification_mode", "confidence", "is_active"]


class InstrumentFilterSet(RegistrationFilterMixin, SearchFilterSet):
    search_fields = ("serial_number", "model", "manufacturer")
    deregistered_q = Q(status=m.InstrumentStatus.DEREGISTERED)
    registration = registration_filter()
    region = RegionSubtreeFilter()
    owner_id = IdFilter(field_name="owner_id")
    owner = df.CharFilter(field_name="owner__uscc", label=_("owner (USCC)"))
    category_id = IdFilter(field_name="category_id")
    category = CategoryFilter()
    status = df.MultipleChoiceFilter(choices=m.InstrumentStatus.choices)
    usage = df.MultipleChoiceFilter(choices=m.Usage.choices)
    installed_after = df.DateFilter(field_name="installation_date", lookup_expr="gte")
    installed_before = df.DateFilter(field_name="installation_date", lookup_expr="lte")
    instrument_code = df.CharFilter(method="filter_instrument_code", label=_("instrument code"))
    code_scheme = df.MultipleChoiceFilter(choices=m.CodeScheme.choices)

    class Meta:
        model = m.Instrument
        fields = ["region", "owner_id", "owner", "category_id", "category", "status", "usage", "mandatory",
                  "manufacturer", "model", "serial_number", "accuracy_class", "instrument_code", "code_scheme"]

    def filter_instrument_code(self, qs, name, value):
        """Exactly the code, as typed with spaces, dashes or in lower case (registry.instrument_codes)."""
        from .instrument_codes import candidates

        forms = candidates(value)
        return qs.filter(instrument_code__in=forms) if forms else qs


class MeasurementStandardFilterSet(SearchFilterSet):
    search_fields = ("name", "parameter", "certificate_no")
    institute_id = IdFilter(field_name="institute_id")
    region = RegionSubtreeFilter(path="institute__region")
    valid_on = df.DateFilter(method="filter_valid_on", label=_("certificate valid on"))
    expires_before = df.DateFilter(field_name="valid_until", lookup_expr="lte")

    class Meta:
        model = m.MeasurementStandard
        fields = ["institute_id", "region", "domain", "level", "rating", "status"]

    def filter_valid_on(self, qs, name, value):
        return qs.filter(valid_until__gte=value).filter(Q(valid_from__isnull=True) | Q(valid_from__lte=value))


class ReferenceMaterialFilterSet(SearchFilterSet):
    search_fields = ("gbw_number", "name", "property", "producer")
    holder_id = IdFilter(field_name="holder_id")
    region = RegionSubtreeFilter(path="holder__region")
    expires_before = df.DateFilter(field_name="expiry_date", lookup_expr="lte")

    class Meta:
        model = m.ReferenceMaterial
        fields = ["gbw_number", "grade", "holder_id", "region", "unit"]


class OrganisationPageFilterSet(OrganisationFilterSet):
    hide_deregistered = True


class InstrumentPageFilterSet(InstrumentFilterSet):
    hide_deregistered = True


class ChangeProposalFilterSet(SearchFilterSet):
    search_fields = ("object_repr", "reason")
    region = RegionSubtreeFilter(path="organisation__region")
    organisation_id = IdFilter(field_name="organisation_id")
    status = df.MultipleChoiceFilter(choices=m.ProposalStatus.choices)

    class Meta:
        model = m.ChangeProposal
        fields = ["status", "organisation_id", "region"]
