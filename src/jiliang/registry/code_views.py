"""The code look-up of the navigation bar: a code typed or scanned goes to the instrument's page when the user may
see it, else to a page saying no instrument with that code is in their scope (and, when the code does not check,
that a character was probably misread). An instrument outside the scope answers exactly like an unknown code."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe

from . import codes, instrument_codes


@login_required
def lookup(request):
    text = request.GET.get("code", "")
    if not codes.compact(text):
        return render(request, "registry/codes/lookup.html", {"text": ""})
    found = instrument_codes.lookup(request.user, text)
    if found.found:
        return redirect("instruments-detail", pk=found.instrument.pk)
    return render(request, "registry/codes/lookup.html", {"text": text, "found": found}, status=404)


def qr_svg(data: str, scale: int = 3) -> str:
    """An inline SVG QR code of ``data`` (segno; error correction M, as labels use)."""
    import segno

    return mark_safe(segno.make(data, error="m", micro=False).svg_inline(scale=scale, title=data))


def detail_lead(request, obj) -> dict:
    """The code panel of an instrument's page: the code in groups, its scheme and the QR code of its public page."""
    if not obj.instrument_code:
        return {}
    return {"code_svg": qr_svg(obj.public_url), "code_grouped": codes.group(obj.instrument_code),
            "code_public_url": obj.public_url}
