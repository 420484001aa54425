"""Base viewset: every query through ``restrict()``, every write through a service."""

from rest_framework import viewsets

from jiliang.core import services
from jiliang.core.scoping import VIEW


class ScopedModelViewSet(viewsets.ModelViewSet):
    """Like NetBox's NetBoxModelViewSet: subclasses declare queryset, serializer_class and filterset_class."""

    brief_fields: tuple[str, ...] = ("id", "url", "display")

    def get_queryset(self):
        return self.queryset.all().restrict(self.request.user, VIEW)

    def get_serializer(self, *args, **kwargs):
        if self.request and self.request.query_params.get("brief") in ("1", "true"):
            kwargs["fields"] = self.brief_fields
        return super().get_serializer(*args, **kwargs)

    def perform_create(self, serializer):
        data, m2m = serializer.split_m2m(serializer.validated_data)
        serializer.instance = services.create_record(self.queryset.model, data, actor=self.request.user, m2m=m2m)

    def perform_update(self, serializer):
        data, m2m = serializer.split_m2m(serializer.validated_data)
        serializer.instance = services.update_record(serializer.instance, data, actor=self.request.user, m2m=m2m)

    def perform_destroy(self, instance):
        services.delete_record(instance, actor=self.request.user)
