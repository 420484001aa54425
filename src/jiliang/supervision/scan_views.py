"""The inspector's phone: ``/supervision/scan/`` reads an instrument's QR code with the camera (or takes the code
typed), ``/supervision/scan/<code>/`` shows the instrument's status, owner and history and records a finding on the
spot. For bureau users; what an inspector may see is ``campaign_access.may_inspect`` (onsite.find), and an unknown
code and one outside the scope get the same answer."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiliang.core.scoping import VIEW, is_authority
from jiliang.core.services import validation_messages

from . import onsite
from .forms import FindingForm
from .models import FindingKind, Notice, NoticeStatus


class ScanFindingForm(FindingForm):
    """The finding form of the result page: the instrument is the scanned one, the kinds are big buttons, the
    position comes from the phone (hidden fields filled by scan.js), the date is today unless changed."""

    kind = forms.ChoiceField(choices=FindingKind.choices, label=gettext_lazy("finding"), widget=forms.RadioSelect)
    latitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, min_value=-90, max_value=90,
                                  label=gettext_lazy("latitude"), widget=forms.HiddenInput)
    longitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, min_value=-180, max_value=180,
                                   label=gettext_lazy("longitude"), widget=forms.HiddenInput)

    def __init__(self, *args, instrument=None, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        del self.fields["instrument"]
        self.fields["notice"].queryset = (Notice.objects.restrict(user, VIEW)
                                          .filter(instruments=instrument, status=NoticeStatus.OPEN).order_by("-pk"))
        self.fields["found_on"].initial = timezone.localdate()
        self.fields["found_on"].required = False
        self.fields["photos"].widget.attrs["class"] = "form-control form-control-lg"
        self.fields["kind"].widget.attrs.pop("class", None)


def _bureau_only(request) -> None:
    if not is_authority(request.user):
        raise PermissionDenied(_("The scan page is for inspectors of a market regulation bureau."))


@login_required
def scan_start(request):
    """The camera and the code box; a code given (typed, or decoded by scan.js) goes to its result page."""
    _bureau_only(request)
    text = request.GET.get("code", "")
    if text.strip():
        code = onsite.code_from_scan(text)
        if code and len(code) <= 40 and "/" not in code:
            return redirect("supervision-scan-result", code=code)
        return _start(request, text, _("No instrument with this code in your scope."), 404)
    return _start(request, "", "", 200)


def _start(request, text: str, error: str, status: int):
    return render(request, "supervision/scan/start.html", {"code": text, "error": error}, status=status)


@login_required
def scan_result(request, code: str):
    """The instrument's status, owner and history; a POST records a finding."""
    _bureau_only(request)
    try:
        instrument = onsite.find(request.user, code)
    except onsite.CodeLookupError as exc:
        return _start(request, code, exc.message, 400 if exc.kind == "misread" else 404)
    may_record = onsite.may_record(request.user, instrument)
    form = ScanFindingForm(request.POST or None, request.FILES or None, instrument=instrument, user=request.user,
                           prefix="finding")
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied(_("Only a county bureau, or an inspector a campaign assigned to this instrument, "
                                     "records on-site findings."))
        if form.is_valid():
            d = form.cleaned_data
            try:
                finding = onsite.record_finding(
                    actor=request.user, instrument=instrument, found_on=d["found_on"] or timezone.localdate(),
                    kind=d["kind"], detail=d["detail"], measure=d["measure"],
                    photos=onsite.read_uploads(d["photos"]), latitude=d["latitude"], longitude=d["longitude"],
                    notice=d["notice"])
            except ValidationError as exc:
                for name, errs in validation_messages(exc).items():
                    form.add_error(name if name in form.fields else None, errs)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                text = _("The finding was recorded.")
                if finding.target_id:
                    text += " " + _("Campaign %(number)s: this target is now checked.") % {
                        "number": finding.campaign.number}
                messages.success(request, text)
                return redirect(reverse("supervision-scan-result", args=[instrument.instrument_code]) + "#history")
    else:
        onsite.record_scan(instrument, actor=request.user)
    context = onsite.view_of(request.user, instrument)
    context.update({"form": form, "supervision_lead": context["state"],
                    "photo_max_bytes": onsite.PHOTO_MAX_BYTES, "max_photos": onsite.MAX_PHOTOS})
    return render(request, "supervision/scan/result.html", context, status=400 if form.errors else 200)


urlpatterns = [
    path("scan/", scan_start, name="supervision-scan"),
    path("scan/<str:code>/", scan_result, name="supervision-scan-result"),
]
