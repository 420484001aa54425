"""Unified social credit codes (GB 32100-2015) and reference material numbers."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from jiliang.registry.identity import (
    USCC_ALPHABET,
    IdentityError,
    make_uscc,
    normalise_gbw,
    uscc_check_char,
    validate_uscc,
)


@pytest.mark.parametrize("code", ["91110000600037341L", "91350100M000100Y43"])
def test_published_valid_codes(code):
    """stdnum's doctest code and a second real code (shared/reference/protocols-energy-dcc.md §6)."""
    assert validate_uscc(code) == code


def test_codes_of_departments_a_n_y_are_valid_though_stdnum_rejects_them():
    for first17 in ("N2110000MA0000000", "Y1110000MA0000000", "A1110000MA0000000"):
        code = make_uscc(first17)
        assert validate_uscc(code) == code
        assert code[-1] == stdnum_uscc.calc_check_digit(code)  # same check character as stdnum computes


@given(st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9), st.sampled_from("123456789"))
def test_check_character_agrees_with_stdnum(tail, dept):
    first17 = f"{dept}1320583{tail}"[:17]
    assert uscc_check_char(first17) == stdnum_uscc.calc_check_digit(first17 + "0")


@pytest.mark.parametrize(("code", "position", "words"), [
    ("91110000600037341X", 18, "check character"),
    ("9111000060003734", None, "18 characters"),
    ("91110000600037341I", 18, "not allowed"),
    ("B1110000600037341L", 1, "registration department"),
    ("911100AB600037341L", 3, "region code"),
])
def test_wrong_codes_say_what_is_wrong(code, position, words):
    with pytest.raises(IdentityError) as exc:
        validate_uscc(code)
    assert words in str(exc.value)
    assert exc.value.position == position


def test_spaces_and_lower_case_are_tolerated():
    assert validate_uscc(" 91110000 60003734 1l ") == "91110000600037341L"


@pytest.mark.parametrize(("raw", "number", "grade"), [
    ("GBW08601", "GBW08601", "primary"), ("gbw(e)130001", "GBW(E)130001", "secondary"),
    ("GBW (E) 130001", "GBW(E)130001", "secondary"),
])
def test_gbw_numbers(raw, number, grade):
    assert normalise_gbw(raw) == (number, grade)


@pytest.mark.parametrize("raw", ["GBW0860", "GBW(E)13000", "ABC08601", ""])
def test_bad_gbw_numbers(raw):
    with pytest.raises(IdentityError):
        normalise_gbw(raw)
