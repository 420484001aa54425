"""Identity codes of the registry. Pure: no Django imports.

Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters from ``0-9A-Z`` without
I, O, Z, S, V; position 1 registration department, 2 organisation category, 3–8 the registering
authority's GB/T 2260 region code, 9–17 the GB 11714 organisation code, 18 a mod-31 check character
(weights 3^(i−1) mod 31). python-stdnum's ``cn.uscc`` implements the same check but rejects valid
codes whose first character is a letter (departments A, N, Y), so the check is written here and
cross-checked against stdnum in the tests (shared/reference/protocols-energy-dcc.md §6).
"""

from __future__ import annotations

import re

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# Registration departments (GB 32100-2015 Table 1): 1–9, A (军队改革和编制), N (农业), Y (其他).
USCC_DEPARTMENTS = frozenset("123456789ANY")
_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}


def gettext_noop(message: str) -> str:
    """Marks a message for makemessages; the caller translates it (this module imports no Django)."""
    return message


class MarkedError(ValueError):
    """An error of a module that imports no Django, its message a template marked with :func:`gettext_noop` and
    its values: ``str(exc)`` (and ``exc.message``) is the English; ``exc.translated(gettext)`` the same in the
    active language, translated by the caller that reports it."""

    def __init__(self, template: str, **params):
        self.template, self.params = template, params
        self.message = template % params if params else template
        super().__init__(self.message)

    def translated(self, gettext) -> str:
        text = gettext(self.template)
        return text % self.params if self.params else text


class IdentityError(MarkedError):
    """A malformed identity code; ``position`` is 1-based where one character is at fault."""

    def __init__(self, template: str, position: int | None = None, **params):
        super().__init__(template, **params)
        self.position = position


def compact_uscc(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").upper()


def uscc_check_char(first17: str) -> str:
    total = sum(_VALUE[c] * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(code: str) -> str:
    """Return the compact code, or raise :class:`IdentityError` saying which character is wrong and why."""
    code = compact_uscc(code)
    if len(code) != 18:
        raise IdentityError(gettext_noop("a unified social credit code has 18 characters, this one has %(n)d"),
                            n=len(code))
    for i, c in enumerate(code, start=1):
        if c not in _VALUE:
            raise IdentityError(gettext_noop("character %(i)d (%(c)s) is not allowed: the code uses 0-9 and A-Z "
                                             "without I, O, Z, S, V"), position=i, i=i, c=repr(c))
    if code[0] not in USCC_DEPARTMENTS:
        raise IdentityError(gettext_noop("character 1 (%(c)s) is not a registration department code (1-9, A, N, Y)"),
                            position=1, c=repr(code[0]))
    if not code[2:8].isdigit():
        raise IdentityError(gettext_noop("characters 3-8 (%(part)s) must be the six digits of a GB/T 2260 region "
                                         "code"), position=3, part=repr(code[2:8]))
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise IdentityError(gettext_noop("check character is %(c)s, but the first 17 characters give %(expected)s"),
                            position=18, c=repr(code[17]), expected=repr(expected))
    return code


def make_uscc(first17: str) -> str:
    """Complete 17 characters with their check character (demo data and tests)."""
    return first17 + uscc_check_char(first17)


GBW_PATTERN = re.compile(r"^GBW\s*(\(E\)|（E）)?\s*(\d+)$")


def normalise_gbw(number: str) -> tuple[str, str]:
    """Normalise a certified reference material number; return (number, grade).

    国家一级标准物质 are numbered GBW + 5 digits, 国家二级标准物质 GBW(E) + 6 digits
    (JJF 1006《一级标准物质技术规范》 and the 标准物质管理办法 numbering).
    """
    raw = (number or "").strip().upper()
    m = GBW_PATTERN.match(raw)
    if not m:
        raise IdentityError(gettext_noop("a reference material number is GBW followed by 5 digits, or GBW(E) "
                                         "followed by 6 digits"))
    secondary, digits = bool(m.group(1)), m.group(2)
    if secondary and len(digits) != 6:
        raise IdentityError(gettext_noop("a GBW(E) number has 6 digits after GBW(E), this one has %(n)d"),
                            n=len(digits))
    if not secondary and len(digits) != 5:
        raise IdentityError(gettext_noop("a GBW number has 5 digits after GBW, this one has %(n)d"), n=len(digits))
    return (f"GBW(E){digits}", "secondary") if secondary else (f"GBW{digits}", "primary")
