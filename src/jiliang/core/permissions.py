"""DRF permission: role may act on the model at all; object visibility comes from ``restrict()``."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from .scoping import ADD, CHANGE, DELETE, may_write

METHOD_ACTION = {"POST": ADD, "PUT": CHANGE, "PATCH": CHANGE, "DELETE": DELETE}


class ScopedModelPermission(BasePermission):
    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if request.method in SAFE_METHODS:
            return True
        model = getattr(getattr(view, "queryset", None), "model", None)
        if model is None:
            return getattr(view, "allow_authenticated_writes", False)
        return may_write(user, model.scope, METHOD_ACTION.get(request.method, CHANGE))

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS:
            return True
        action = METHOD_ACTION.get(request.method, CHANGE)
        return type(obj).objects.restrict(request.user, action).filter(pk=obj.pk).exists()
