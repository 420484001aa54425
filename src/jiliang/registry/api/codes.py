"""``GET /api/instrument-codes/<code>/``: the instrument a code names, among those the user may see.

The code may be typed as printed (spaces, dashes of a grouped jiliang code, lower case: registry.instrument_codes).
An instrument outside the user's scope answers exactly like an unknown code (404, the same body), so the endpoint
cannot be used to learn which codes exist elsewhere.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from jiliang.registry import instrument_codes


class InstrumentCodeSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The code as stored (upper case, no spaces).")
    scheme = serializers.ChoiceField(choices=["GB/T 36377", "SGCC", "local"])
    instrument = serializers.IntegerField(help_text="The instrument's id.")
    url = serializers.URLField(help_text="The instrument in the API.")


def not_found_message(found) -> str:
    if found.misread:
        return _("No instrument with the code %(code)s is in your scope, and the code does not check: a character "
                 "was probably misread.") % {"code": found.code}
    return _("No instrument with the code %(code)s is in your scope.") % {"code": found.code}


class InstrumentCodeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="instrument_codes_retrieve", tags=["instrument-codes"],
        summary="The instrument a code names (GB/T 36377, State Grid or jiliang's own)",
        responses={200: InstrumentCodeSerializer,
                   404: OpenApiResponse(inline_serializer("InstrumentCodeNotFound", {"detail": serializers.CharField()}),
                                        description="No instrument with this code in the user's scope (an unknown "
                                                    "code and one of an instrument outside the scope answer alike)")})
    def get(self, request, code: str):
        found = instrument_codes.lookup(request.user, code)
        if not found.found:
            return Response({"detail": not_found_message(found)}, status=404)
        instrument = found.instrument
        return Response(InstrumentCodeSerializer({
            "code": instrument.instrument_code, "scheme": instrument.code_scheme, "instrument": instrument.pk,
            "url": request.build_absolute_uri(reverse("api:instrument-detail", args=[instrument.pk]))}).data)
