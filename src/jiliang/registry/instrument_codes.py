"""Instrument codes in the register (一具一码): the scheme of a code given without one, whether a given code may be
stored on an instrument, and finding an instrument by its code within what a user may see.

The rules of the codes themselves (shapes, check characters, jiliang's own codes) are pure, in
:mod:`jiliang.registry.codes`; this module applies them to the register, one path for the API, the import and the
pages (docs/instrument-codes.md):

- a code given without its scheme is a State Grid code when it has 22 digits, else a GB/T 36377 code;
- jiliang issues the ``local`` codes itself: a new instrument may not bring one (a code of that shape given as a
  maker's code is refused by :func:`codes.validate`);
- a code already held by another instrument gets one answer whether that instrument lies in the submitter's scope
  or not, and the bureau holding it is told when it does not (:mod:`jiliang.core.identities`);
- an instrument's code is stable for its life: once stored, neither the code nor its scheme changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jiliang.core.identities import IdentityTaken
from jiliang.core.scoping import VIEW

from . import codes
from .identity import IdentityError

CODE_TAKEN_MESSAGE = _("This instrument code cannot be registered again. If the instrument is yours, contact your "
                       "market supervision bureau.")


class CodeTaken(IdentityTaken):
    """Another instrument holds the code (answered like a taken identity: core.identities.answering_clashes)."""

    def __init__(self, existing, *, outside: bool):
        self.existing, self.outside = existing, outside
        ValidationError.__init__(self, {"instrument_code": [CODE_TAKEN_MESSAGE]})


def scheme_for(code: str, scheme: str | None = None) -> str:
    """The scheme a code is stored under: the one given, else SGCC for 22 digits, else GB/T 36377."""
    if scheme:
        return scheme
    code = codes.compact(code)
    return codes.SGCC if len(code) == 22 and code.isdigit() and code.isascii() else codes.GBT36377


def stable_error(current, field: str = "instrument_code") -> ValidationError:
    return ValidationError({field: [gettext(
        "An instrument's code is stable for its life: this instrument's code is %(code)s (%(scheme)s) and cannot "
        "be changed.") % {"code": current.instrument_code, "scheme": current.get_code_scheme_display()}]})


def given_code(code: str | None, scheme: str | None, *, current=None) -> tuple[str, str] | None:
    """The (code, scheme) to store for a code given on a page, in the API or an import, or None when no code was
    given (a new instrument then gets jiliang's own; an existing one keeps its code).

    ``current`` is the instrument as stored (None for a new one). Raises a ValidationError keyed by
    ``instrument_code`` or ``code_scheme`` naming the fault.
    """
    code = codes.compact(code or "")
    if not code:
        if scheme and scheme != codes.LOCAL and current is None:
            raise ValidationError({"code_scheme": [gettext(
                "A scheme without a code: give the instrument's code too, or leave both empty and jiliang issues "
                "its own.")]})
        if scheme and current is not None and current.instrument_code and scheme != current.code_scheme:
            raise stable_error(current, "code_scheme")
        return None
    forms = candidates(code)
    if current is not None and current.instrument_code:
        if current.instrument_code not in forms:
            raise stable_error(current)
        if scheme and scheme != current.code_scheme:
            raise stable_error(current, "code_scheme")
        return current.instrument_code, current.code_scheme
    if len(forms) > 1 and scheme != codes.GBT36377:
        code = forms[-1]  # a State Grid or jiliang code printed in groups
    scheme = scheme_for(code, scheme)
    try:
        code = codes.validate(code, scheme)
    except IdentityError as exc:
        raise ValidationError({"instrument_code": [exc.translated(gettext)]}) from exc
    if scheme == codes.LOCAL:
        raise ValidationError({"code_scheme": [gettext(
            "jiliang issues its own codes (scheme local) itself: leave the code empty, or give the maker's or the "
            "utility's code with its scheme (GB/T 36377 or SGCC).")]})
    return code, scheme


def holder(code: str, *, exclude_pk=None):
    """The instrument that holds ``code``, wherever it is (None if none)."""
    from .models import Instrument

    qs = Instrument._base_manager.filter(instrument_code=code)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.only("pk", "region_id", "owner_id", "instrument_code").first()


def check_free(code: str, actor, *, exclude_pk=None) -> None:
    """Raise :class:`CodeTaken` when another instrument holds ``code`` (visible to ``actor`` or not)."""
    from .models import Instrument

    existing = holder(code, exclude_pk=exclude_pk)
    if existing is not None:
        visible = Instrument.objects.restrict(actor, VIEW).filter(pk=existing.pk).exists()
        raise CodeTaken(existing, outside=not visible)


# --- look-up ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Lookup:
    """What a code typed or scanned names, for one user: the instrument if they may see it; else whether a
    character was probably misread (a local or State Grid code whose check character is wrong)."""

    code: str
    instrument: object = None
    misread: bool = False

    @property
    def found(self) -> bool:
        return self.instrument is not None


def candidates(text: str) -> list[str]:
    """The stored forms a typed code may have: as typed (compacted, upper case), then without dashes when that is
    a jiliang or State Grid code (labels print jiliang's codes in groups, ``JL2K-8H3M-QX4T-7``; a GB/T 36377 code
    may have dashes of its own)."""
    code = codes.compact(text)
    out = [code] if code else []
    bare = code.replace("-", "")
    if bare and bare != code and codes.guess_scheme(bare) != codes.GBT36377:
        out.append(bare)
    return out


def misread(text: str) -> bool:
    """True when ``text`` has the shape of a jiliang code (JL + 11 characters, a letter O or I included) or of a
    State Grid code (22 digits) but does not check: a character was misread or mistyped."""
    bare = codes.compact(text).replace("-", "")
    if len(bare) == codes.LOCAL_LENGTH and bare.startswith(codes.LOCAL_PREFIX):
        scheme = codes.LOCAL
    elif len(bare) == 22 and bare.isdigit() and bare.isascii() and codes.SGCC_CHECK_DIGIT:
        scheme = codes.SGCC
    else:
        return False
    try:
        codes.validate(bare, scheme)
    except IdentityError:
        return True
    return False


def lookup(user, text: str) -> Lookup:
    """The instrument with the code ``text`` among those ``user`` may see. An instrument outside their scope is
    not found, exactly like an unknown code."""
    from .models import Instrument

    forms = candidates(text)
    if not forms:
        return Lookup("")
    found = {i.instrument_code: i for i in Instrument.objects.restrict(user, VIEW).filter(instrument_code__in=forms)}
    for code in forms:
        if code in found:
            return Lookup(code, found[code])
    return Lookup(forms[-1], None, misread(text))
