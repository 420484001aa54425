"""Instrument identification codes (计量器具识别编码, "一具一码"). Pure: no Django imports.

Three schemes are stored, each as a string with its scheme (shared/reference/supervision-integrity-licensing.md §2):

``GB/T 36377``
    The national coding of GB/T 36377-2018. Its segment table is not available to us, so the code is kept
    as the maker or owner gives it (letters, digits and ``-``, at most 40 characters); nothing about its
    segments or check character is checked. It may not have the shape of a jiliang code.
``SGCC``
    The State Grid's 22-digit electricity-meter asset code, Q/GDW 1205-2013 《电能计量器具条码》 (the standard
    named by a State Grid explainer, 118le.com/xingyexinwen/35931280.html; the structure quoted from the
    company's 计量器具配置规范 at xiaoxinys.cn/86553.html): 5 digits of the using unit (2 of the managing unit,
    1 of its kind, 2 reserved "00"), 2 of the asset type, 14 of the product serial and 1 check digit, carried
    as Code 128 and QR. Both sources say there is a check digit "to check the code" but not how it is computed,
    and no real 22-digit code printed on a meter was found to test against (searched 2026-12-04). jiliang checks
    it with the GS1 mod-10 algorithm (GB 12904 / EAN-13: from the right, weights 3 and 1; the worked example
    690123456789 → 2 of GB 12904's annex), which is the common reading but **unverified** against the State
    Grid's text. ``SGCC_CHECK_DIGIT`` turns the check off.
``local``
    jiliang's own code for an instrument that came without one, ``JL`` + 10 body characters + 1 check
    character, 13 in all, from the GB 32100 alphabet (``0-9A-Z`` without I, O, S, V, Z: nothing to misread
    on a label). The body is a keyed permutation of a sequence number (a Feistel network over 31^10
    values), so codes are unique without a search and not sequential: a visitor cannot guess the next one.
    The check character is ISO/IEC 7064's pure mod-31 system with weights 3^i mod 31 (as GB 32100): 3 is
    a primitive root of 31, so the weights of the 12 positions are distinct and non-zero; every single
    substituted character changes the sum by a non-zero multiple of a weight, which is never 0 mod 31
    (prime), so it is always detected; so is every transposition of two adjacent characters.
"""

from __future__ import annotations

import hashlib
import re

from .identity import IdentityError, gettext_noop

GBT36377, SGCC, LOCAL = "GB/T 36377", "SGCC", "local"
SCHEMES = (GBT36377, SGCC, LOCAL)
SGCC_CHECK_DIGIT = True

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
LOCAL_PREFIX = "JL"
BODY_LENGTH = 10
LOCAL_LENGTH = len(LOCAL_PREFIX) + BODY_LENGTH + 1
HALF = 31 ** (BODY_LENGTH // 2)  # each Feistel half is a number below 31^5
CAPACITY = HALF * HALF  # 31^10 ≈ 8.2 × 10^14 local codes
ROUNDS = 6
_MASK = (1 << 64) - 1
LOCAL_PATTERN = re.compile(rf"^{LOCAL_PREFIX}[{ALPHABET}]{{{BODY_LENGTH + 1}}}$")
CODE_SHAPE = re.compile(r"^[0-9A-Z][0-9A-Z-]{0,39}$")  # what a stored code of any scheme looks like


def compact(code: str) -> str:
    """The code as stored: upper case, without spaces (labels print it in groups)."""
    return "".join(str(code or "").split()).upper()  # (str.split: the whitespace of re's \s, faster per row)


def check_char(text: str) -> str:
    """The mod-31 check character of ``text`` (characters of :data:`ALPHABET`)."""
    total = sum(_VALUE[c] * pow(3, i, 31) for i, c in enumerate(reversed(text), start=1))
    return ALPHABET[(-total) % 31]


def round_keys(secret: str) -> tuple[int, ...]:
    """The Feistel round keys derived from an installation secret."""
    digest = hashlib.sha512(b"jiliang instrument code\0" + secret.encode()).digest()
    return tuple(int.from_bytes(digest[8 * i:8 * i + 8], "big") for i in range(ROUNDS))


def _mix(x: int) -> int:
    """splitmix64's finaliser: a cheap bijective scrambler of 64-bit words."""
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9 & _MASK
    x = (x ^ (x >> 27)) * 0x94D049BB133111EB & _MASK
    return x ^ (x >> 31)


def permute(n: int, keys: tuple[int, ...]) -> int:
    """The n-th value of a keyed bijection of [0, 31^10): a Feistel network with modular addition."""
    if not 0 <= n < CAPACITY:
        raise ValueError(f"sequence number {n} outside [0, {CAPACITY})")
    left, right = divmod(n, HALF)
    for key in keys:
        left, right = right, (left + _mix(right ^ key)) % HALF
    return left * HALF + right


def permute_many(numbers, keys: tuple[int, ...]):
    """:func:`permute` over a numpy array of sequence numbers (the same values, vectorised)."""
    import numpy as np

    n = np.asarray(numbers, dtype=np.uint64)
    left, right = n // np.uint64(HALF), n % np.uint64(HALF)
    with np.errstate(over="ignore"):
        for key in keys:
            x = right ^ np.uint64(key)
            x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            x = x ^ (x >> np.uint64(31))
            left, right = right, (left + x % np.uint64(HALF)) % np.uint64(HALF)
    return left * np.uint64(HALF) + right


def body(value: int) -> str:
    chars = []
    for _ in range(BODY_LENGTH):
        value, r = divmod(value, 31)
        chars.append(ALPHABET[r])
    return "".join(reversed(chars))


def local_code(n: int, keys: tuple[int, ...]) -> str:
    """jiliang's code for sequence number ``n``."""
    text = LOCAL_PREFIX + body(permute(n, keys))
    return text + check_char(text)


def local_codes(start: int, count: int, keys: tuple[int, ...]) -> list[str]:
    """:func:`local_code` of the sequence numbers ``start`` … ``start + count - 1`` (the same codes, vectorised:
    a bulk import issues hundreds of thousands)."""
    import numpy as np

    if count <= 0:
        return []
    if start < 0 or start + count > CAPACITY:
        raise ValueError(f"sequence numbers {start}…{start + count - 1} outside [0, {CAPACITY})")
    values = permute_many(np.arange(start, start + count, dtype=np.uint64), keys)
    digits = np.empty((count, BODY_LENGTH + 1), dtype=np.int64)
    for position in range(BODY_LENGTH - 1, -1, -1):  # base 31, most significant first (as body)
        values, digits[:, position] = np.divmod(values, np.uint64(31))
    # check_char of prefix + body: weights 3^i mod 31, i = 1 for the last character
    text_length = len(LOCAL_PREFIX) + BODY_LENGTH
    weights = np.array([pow(3, text_length - p, 31) for p in range(len(LOCAL_PREFIX), text_length)], dtype=np.int64)
    prefix_sum = sum(_VALUE[c] * pow(3, text_length - p, 31) for p, c in enumerate(LOCAL_PREFIX))
    digits[:, BODY_LENGTH] = (-(prefix_sum + digits[:, :BODY_LENGTH] @ weights)) % 31
    chars = np.array(list(ALPHABET), dtype="<U1")[digits]
    return [LOCAL_PREFIX + c for c in np.ascontiguousarray(chars).view(f"<U{BODY_LENGTH + 1}").ravel().tolist()]


def gs1_check_digit(digits: str) -> str:
    """GS1 mod-10 check digit of ``digits`` (weights 3, 1, 3, … from the right; GB 12904-2008 Annex)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def validate(code: str, scheme: str) -> str:
    """The compact code if it is well formed for ``scheme``; else :class:`IdentityError` naming the fault."""
    code = compact(code)
    if scheme not in SCHEMES:
        raise IdentityError(gettext_noop("unknown code scheme %(scheme)s: use GB/T 36377, SGCC or local"),
                            scheme=repr(scheme))
    if not code:
        raise IdentityError(gettext_noop("the code is empty"))
    if scheme == LOCAL:
        if len(code) != LOCAL_LENGTH or not code.startswith(LOCAL_PREFIX):
            raise IdentityError(gettext_noop("a jiliang code has 13 characters starting with JL, this one is %(code)s"),
                                code=code)
        for i, c in enumerate(code, start=1):
            if c not in _VALUE:
                raise IdentityError(gettext_noop("character %(i)d (%(c)s) is not allowed: the code uses 0-9 and "
                                                 "A-Z without I, O, S, V, Z"), position=i, i=i, c=repr(c))
        if check_char(code[:-1]) != code[-1]:
            raise IdentityError(gettext_noop("the check character is wrong: a character of %(code)s was misread"),
                                position=LOCAL_LENGTH, code=code)
        return code
    if scheme == SGCC:
        if not code.isdigit() or len(code) != 22 or not code.isascii():
            raise IdentityError(gettext_noop("a State Grid asset code has 22 digits, this one is %(code)s"), code=code)
        if SGCC_CHECK_DIGIT and gs1_check_digit(code[:21]) != code[21]:
            raise IdentityError(gettext_noop("the check digit of State Grid code %(code)s is wrong (expected "
                                             "%(digit)s): a digit was misread"), position=22, code=code,
                                digit=gs1_check_digit(code[:21]))
        return code
    if not CODE_SHAPE.match(code) or not code.isascii():
        raise IdentityError(gettext_noop("a GB/T 36377 code has at most 40 letters, digits and dashes, "
                                         "this one is %(code)s"), code=code)
    if LOCAL_PATTERN.match(code):
        raise IdentityError(gettext_noop("%(code)s has the shape of a jiliang code (JL + 11 characters); "
                                         "give the maker's code as printed"), code=code)
    return code


def guess_scheme(code: str) -> str:
    """The scheme a bare code most likely belongs to, for a lookup box (never for storing)."""
    code = compact(code)
    if LOCAL_PATTERN.match(code):
        return LOCAL
    if len(code) == 22 and code.isdigit():
        return SGCC
    return GBT36377


def group(code: str) -> str:
    """The code in groups of four for a label (``JL2K-8H3M-QX4T-7``)."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4)) if LOCAL_PATTERN.match(code) else code
