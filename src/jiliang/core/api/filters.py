"""The API's filter backend: django-filter's, with the filters other apps contribute to a model's lists
(extending.ListExtension), so that /api/<model>/ filters as its list page does. drf-spectacular's django-filter
extension asks this backend for the FilterSet, so the contributed filters are in the OpenAPI schema too."""

from django_filters.rest_framework import DjangoFilterBackend

from jiliang.core.filters import extended_filterset


class ExtendedFilterBackend(DjangoFilterBackend):
    def get_filterset_class(self, view, queryset=None):
        filterset_class = super().get_filterset_class(view, queryset)
        if filterset_class is None or queryset is None:
            return filterset_class
        return extended_filterset(filterset_class, queryset.model)
