"""Base viewsets: every query through ``restrict()``, every write through a service."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from jiliang.core import services
from jiliang.core.api.serializers import extended_serializer
from jiliang.core.filters import extension_select_related
from jiliang.core.scoping import VIEW


# The base of every API viewset: the rows are ``queryset`` restricted to what the user may see. Subclasses
# declare queryset (with its order, where a list needs one), serializer_class and filterset_class, and take
# the operations they offer: ReadOnlyScopedViewSet (list and detail; a workflow's or ingest's records add
# actions that call one service each), ScopedModelViewSet (and create, update, delete through core.services),
# or one of DRF's mixins (list only). These bases carry comments, not docstrings: drf-spectacular would
# describe every endpoint below them with the base's docstring.
# Other apps' fields and filters on the model's lists (extending.ListExtension) come in here and through
# ExtendedFilterBackend (settings.REST_FRAMEWORK), so every list of a model has them without its app importing them.
class ScopedViewSet(viewsets.GenericViewSet):
    def get_queryset(self):
        qs = self.queryset.all().restrict(self.request.user, VIEW)
        if joined := extension_select_related(qs.model):
            qs = qs.select_related(*joined)
        return qs

    def get_serializer_class(self):
        return extended_serializer(super().get_serializer_class())


class ReadOnlyScopedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    pass


class ScopedModelViewSet(mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
                         mixins.DestroyModelMixin, mixins.ListModelMixin, ScopedViewSet):
    """Like NetBox's NetBoxModelViewSet: subclasses declare queryset, serializer_class and filterset_class."""

    brief_fields: tuple[str, ...] = ("id", "url", "display")

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


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    otp_token = serializers.CharField(required=False, allow_blank=True,
                                      help_text="the authenticator code, for users with a second factor")
    name = serializers.CharField(required=False, max_length=100, help_text="what will use the token")


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    scope = serializers.CharField()
    expires = serializers.DateTimeField()


class TokenView(APIView):
    """``POST /api/auth/token/``: username and password (and the authenticator code of users who set up a
    second factor) give a new full-scope API token, valid ``JILIANG_API_TOKEN_DAYS``; the key is in this
    answer only. Failed attempts count toward the same lockout as the sign-in page (429 when locked)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenResponseSerializer,
                                                              400: OpenApiResponse(description="wrong credentials"),
                                                              429: OpenApiResponse(description="locked out")})
    def post(self, request):
        from django.contrib.auth import authenticate
        from django.core.exceptions import ValidationError

        from jiliang.core import auth

        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["username"]
        verdict = auth.blocked(username, request._request)
        if verdict is not None:
            return Response({"detail": auth.blocked_message(verdict)}, status=429,
                            headers={"Retry-After": str(verdict.retry_after)})
        user = authenticate(request._request, username=username, password=data.validated_data["password"])
        if user is None:
            return Response({"non_field_errors": [_("Unable to log in with provided credentials.")]}, status=400)
        try:
            auth.check_second_factor(user, data.validated_data.get("otp_token"), request._request)
        except ValidationError as exc:
            return Response({"otp_token": exc.messages}, status=400)
        auth.succeeded(username)
        token, key = services.create_api_token(
            actor=user, name=data.validated_data.get("name") or "POST /api/auth/token/", scope="full")
        return Response({"token": key, "scope": token.scope, "expires": token.expires})
