"""The code rules of registry.codes (pure): jiliang's own codes never collide, every single-character substitution
and every adjacent transposition is detected, the State Grid code's GS1 check digit, and foreign codes that have the
shape of a jiliang code are refused (issue #14, item 1)."""

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiliang.registry import codes
from jiliang.registry.identity import IdentityError
from jiliang.registry.instrument_codes import candidates, misread, scheme_for

KEYS = codes.round_keys("a test installation")
indices = st.integers(min_value=0, max_value=codes.CAPACITY - 1)
secrets = st.text(min_size=1, max_size=40)


def test_ten_million_local_codes_do_not_collide_and_the_vector_permutation_is_the_scalar_one():
    total, chunk = 10_000_000, 1_000_000
    values = np.empty(total, dtype=np.uint64)
    for start in range(0, total, chunk):
        values[start:start + chunk] = codes.permute_many(np.arange(start, start + chunk, dtype=np.uint64), KEYS)
    assert int(values.max()) < codes.CAPACITY
    values.sort()
    assert not np.any(values[1:] == values[:-1])  # 10 M distinct bodies, hence 10 M distinct codes
    rng = random.Random(14)
    sample = [rng.randrange(total) for _ in range(2000)] + [0, 1, total - 1]
    vector = codes.permute_many(np.array(sample, dtype=np.uint64), KEYS)
    assert [int(v) for v in vector] == [codes.permute(n, KEYS) for n in sample]
    # Not sequential: consecutive numbers land far apart.
    firsts = [codes.local_code(n, KEYS) for n in range(100)]
    assert len(set(firsts)) == 100 and sum(a[2:6] == b[2:6] for a, b in zip(firsts, firsts[1:])) < 5


@settings(max_examples=200, deadline=None)
@given(st.lists(indices, min_size=1, max_size=50, unique=True), secrets)
def test_the_permutation_is_injective_for_any_key(numbers, secret):
    keys = codes.round_keys(secret)
    out = [codes.permute(n, keys) for n in numbers]
    assert len(set(out)) == len(out) and all(0 <= v < codes.CAPACITY for v in out)
    assert [int(v) for v in codes.permute_many(np.array(numbers, dtype=np.uint64), keys)] == out


def _local_codes(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [codes.local_code(rng.randrange(codes.CAPACITY), KEYS) for _ in range(count)]


def _refused(code: str) -> bool:
    try:
        codes.validate(code, codes.LOCAL)
    except IdentityError:
        return True
    return False


def test_every_single_substitution_at_every_position_is_detected():
    checked = 0
    for code in _local_codes(400, seed=1):
        assert codes.validate(code, codes.LOCAL) == code
        for i in range(len(code)):
            for c in codes.ALPHABET:
                if c == code[i]:
                    continue
                wrong = code[:i] + c + code[i + 1:]
                assert _refused(wrong), (code, wrong)
                if i >= len(codes.LOCAL_PREFIX) and i < len(code) - 1:  # by the check character itself
                    assert codes.check_char(wrong[:-1]) != wrong[-1]
                checked += 1
    assert checked == 400 * 13 * 30


def test_every_adjacent_transposition_is_detected():
    checked = 0
    for code in _local_codes(2000, seed=2):
        for i in range(len(code) - 1):
            if code[i] == code[i + 1]:
                continue
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2:]
            assert _refused(swapped), (code, swapped)
            checked += 1
    assert checked > 2000 * 10


@settings(max_examples=300, deadline=None)
@given(indices, st.integers(min_value=0, max_value=12), st.sampled_from(codes.ALPHABET))
def test_property_a_substituted_character_never_checks(n, position, char):
    code = codes.local_code(n, KEYS)
    if code[position] != char:
        assert _refused(code[:position] + char + code[position + 1:])


@settings(max_examples=200, deadline=None)
@given(indices)
def test_local_codes_are_well_formed_and_belong_to_no_other_scheme(n):
    code = codes.local_code(n, KEYS)
    assert codes.LOCAL_PATTERN.match(code) and len(code) == 13 and not set(code) & set("IOSVZ")
    assert codes.guess_scheme(code) == codes.LOCAL
    with pytest.raises(IdentityError):
        codes.validate(code, codes.SGCC)  # letters: never 22 digits
    with pytest.raises(IdentityError, match="shape of a jiliang code"):
        codes.validate(code, codes.GBT36377)  # a foreign code may not look like one of ours
    assert codes.group(code).replace("-", "") == code and candidates(codes.group(code).lower())[-1] == code


def test_gs1_check_digit_worked_example_of_gb_12904():
    # GB 12904 (EAN/UCC-13), the worked example of its check-digit annex: 690123456789 → 2.
    assert codes.gs1_check_digit("690123456789") == "2"
    assert codes.gs1_check_digit("977167121601") == "4"


def test_sgcc_codes_check_their_last_digit():
    body = "330000101234567890123"[:21]
    good = body + codes.gs1_check_digit(body)
    assert codes.validate(good, codes.SGCC) == good
    assert codes.validate(" ".join([good[:5], good[5:7], good[7:21], good[21]]), codes.SGCC) == good
    for i in range(22):
        for d in "0123456789":
            if d != good[i]:
                with pytest.raises(IdentityError):
                    codes.validate(good[:i] + d + good[i + 1:], codes.SGCC)
    with pytest.raises(IdentityError, match="22 digits"):
        codes.validate(good[:-1], codes.SGCC)
    with pytest.raises(IdentityError, match="22 digits"):
        codes.validate(good[:-1] + "X", codes.SGCC)
    assert misread(good[:-1] + str((int(good[-1]) + 1) % 10)) and not misread(good)


def test_a_code_without_scheme_is_sgcc_for_22_digits_else_gbt_36377():
    assert scheme_for("3300001" + "0" * 15) == codes.SGCC
    assert scheme_for("3300 0010 0000 0000 0000 00") == codes.SGCC
    assert scheme_for("ABC-123") == codes.GBT36377
    assert scheme_for("1" * 21) == codes.GBT36377
    assert scheme_for("ABC", codes.SGCC) == codes.SGCC


def test_misread_is_said_only_of_codes_that_have_a_check_character():
    code = _local_codes(1, seed=3)[0]
    other = codes.ALPHABET[(codes.ALPHABET.index(code[5]) + 1) % 31]
    assert misread(code[:5] + other + code[6:])
    assert misread(codes.group(code[:5] + other + code[6:]).lower())
    assert misread(code[:5] + "O" + code[6:])  # a letter O read for a zero
    assert not misread(code) and not misread("ABC-123") and not misread("")


def test_the_vectorised_local_codes_are_the_scalar_ones():
    for start, count in ((0, 2000), (codes.CAPACITY - 300, 300), (987_654_321, 7), (5, 1)):
        assert codes.local_codes(start, count, KEYS) == [codes.local_code(n, KEYS) for n in range(start, start + count)]
    assert codes.local_codes(10, 0, KEYS) == []
    with pytest.raises(ValueError):
        codes.local_codes(codes.CAPACITY - 1, 2, KEYS)
