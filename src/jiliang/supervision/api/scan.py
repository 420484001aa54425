"""The inspector's view of an instrument by its code: ``GET /api/supervision/scan/<code>/``.

For bureau users (others get 403): the instrument, its owner with the contact, its supervision state (status, what
it means, next due, the latest verification with institution and certificate) and its history (verification
events, findings, notices, filing), for an instrument the user may inspect (campaign_access.may_inspect). An unknown
code and one outside the scope are the same 404; a local (JL…) or State Grid code whose check character is wrong is
a 400 saying a character was misread. Each answered look is an audit entry on the instrument (onsite.record_scan):
the bureau sees who looked, when and from where."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from jiliang.core.scoping import is_authority
from jiliang.supervision import onsite

from .finding_serializers import FindingSerializer


class IsBureauUser(BasePermission):
    message = _("The scan page is for inspectors of a market regulation bureau.")

    def has_permission(self, request, view) -> bool:
        return is_authority(request.user)


class ScanOwnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    address = serializers.CharField()
    contact_name = serializers.CharField()
    contact_phone = serializers.CharField()
    contact_email = serializers.CharField()


class ScanInstrumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    instrument_code = serializers.CharField()
    code_scheme = serializers.CharField()
    category = serializers.CharField(source="category.name")
    manufacturer = serializers.CharField()
    model = serializers.CharField()
    serial_number = serializers.CharField()
    usage = serializers.CharField()
    region = serializers.CharField(source="region_id")
    address = serializers.CharField()
    status = serializers.CharField()


class ScanEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    institution = serializers.CharField(source="institution.name")
    verified_on = serializers.DateField()
    result = serializers.CharField()
    kind = serializers.CharField()
    next_due = serializers.DateField(allow_null=True)
    source = serializers.CharField()
    void = serializers.BooleanField()


class ScanStateSerializer(serializers.Serializer):
    status = serializers.CharField()
    status_display = serializers.CharField(source="label")
    meaning = serializers.CharField()
    must_not_be_used = serializers.BooleanField()
    next_due = serializers.DateField(allow_null=True)
    filing_state = serializers.CharField()
    last_verification = ScanEventSerializer(source="last_event", allow_null=True)
    certificate_url = serializers.SerializerMethodField(help_text="the certificate's page, where the user may open it")

    def get_certificate_url(self, o) -> str | None:
        request = self.context.get("request")
        return request.build_absolute_uri(o.link) if o.link and request is not None else o.link


class ScanNoticeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    issued_on = serializers.DateField()
    deadline = serializers.DateField()
    status = serializers.CharField()


class ScanFilingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    filing = serializers.IntegerField(source="filing_id")
    state = serializers.CharField()
    designated_institution = serializers.CharField(source="designated_institution.name", allow_null=True,
                                                   default=None)
    created = serializers.DateTimeField()


class ScanTargetSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    campaign = serializers.IntegerField(source="campaign_id")
    campaign_number = serializers.CharField(source="campaign.number")
    campaign_title = serializers.CharField(source="campaign.title")
    position = serializers.IntegerField()


class ScanSerializer(serializers.Serializer):
    instrument = ScanInstrumentSerializer()
    owner = ScanOwnerSerializer()
    state = ScanStateSerializer()
    events = ScanEventSerializer(many=True)
    findings = FindingSerializer(many=True)
    notices = ScanNoticeSerializer(many=True)
    filings = ScanFilingSerializer(many=True)
    may_record = serializers.BooleanField(help_text="whether this user may record a finding on this instrument")
    open_targets = ScanTargetSerializer(many=True, help_text="the user's open campaign targets covering it; a "
                                                             "finding recorded now checks the first")


class ScanView(APIView):
    """The inspector's view of the instrument with this code (a bare code; the QR code's URL ends in /i/<code>)."""

    permission_classes = [IsBureauUser]
    serializer_class = ScanSerializer

    @extend_schema(responses={200: ScanSerializer,
                              400: OpenApiResponse(description="a character of the code was misread (wrong check "
                                                               "character of a JL… or State Grid code)"),
                              404: OpenApiResponse(description="no instrument with this code in the user's scope")})
    def get(self, request, code: str):
        try:
            instrument = onsite.find(request.user, code)
        except onsite.CodeLookupError as exc:
            if exc.kind == "misread":
                raise ValidationError({"code": [exc.message]}) from exc
            raise NotFound(exc.message) from exc
        onsite.record_scan(instrument, actor=request.user)
        return Response(ScanSerializer(onsite.view_of(request.user, instrument), context={"request": request}).data)

