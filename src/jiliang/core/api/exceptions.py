"""API errors: Django validation errors become 400 with field-keyed messages, protected deletes 409."""

from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from jiliang.core.services import validation_messages


def protected_dependants(exc: ProtectedError, limit: int = 20) -> list[dict]:
    return [{"type": o._meta.label_lower, "id": o.pk, "name": str(o)} for o in list(exc.protected_objects)[:limit]]


def exception_handler(exc, context):
    if isinstance(exc, ValidationError):
        return Response(validation_messages(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ProtectedError):
        return Response(
            {"detail": "This record cannot be deleted while other records refer to it.",
             "dependants": protected_dependants(exc)},
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)
