"""Supervision's API: ``/api/supervision/states/`` (list, filter by status, next due, owner, region subtree) and
``/api/supervision/states/<instrument id>/``: an instrument's status, next due, latest verification and filing
state, scoped like its instrument."""

import django_filters as df
from rest_framework import mixins
from rest_framework.permissions import IsAuthenticated

from jiliang.core.api.views import ScopedViewSet
from jiliang.core.filters import FilterSet, IdFilter, RegionSubtreeFilter

from ..models import InstrumentState, Status
from .serializers import InstrumentStateSerializer


class InstrumentStateFilterSet(FilterSet):
    status = df.MultipleChoiceFilter(choices=Status.choices)
    next_due_before = df.DateFilter(field_name="next_due", lookup_expr="lte")
    next_due_after = df.DateFilter(field_name="next_due", lookup_expr="gte")
    owner = IdFilter(field_name="owner_id")
    region = RegionSubtreeFilter()

    class Meta:
        model = InstrumentState
        fields = ["status", "key_supervised", "usage", "filing_state"]


class InstrumentStateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Supervision state per instrument (the id is the instrument's)."""

    permission_classes = [IsAuthenticated]
    queryset = InstrumentState.objects.select_related("last_event__institution").order_by("instrument_id")
    serializer_class = InstrumentStateSerializer
    filterset_class = InstrumentStateFilterSet
    ordering_fields = ["instrument", "next_due", "status"]
    # The key is the instrument's (a one-to-one key, which Django's integer-range guard does not cover): an id past
    # a 64-bit integer never matches the URL, so it is a 404 rather than a database overflow.
    lookup_value_regex = "[0-9]{1,18}"
