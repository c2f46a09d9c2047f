import pytest
from hypothesis import given
from hypothesis import strategies as st

from sabt.persian import national_code as nc
from sabt.persian.places import all_prefixes

VALID = ["0499370899", "0076229645", "1583250689"]
INVALID = {
    "1234567890": "check_digit",
    "0010000000": "serial",
    "9999999999": "repeated",
    "0000000000": "repeated",
    "12345678": "length",
    "11537027": "length",  # 8 digits: other libraries pad; we require exactly 10
    "04993708991": "length",
    "049937089a": "non_digit",
    "": "length",
}


@pytest.mark.parametrize("code", VALID)
def test_valid_vectors(code: str) -> None:
    assert nc.is_valid(code)
    assert nc.validate(code) == code


@pytest.mark.parametrize(("code", "reason"), INVALID.items())
def test_invalid_vectors_say_why(code: str, reason: str) -> None:
    assert not nc.is_valid(code)
    with pytest.raises(nc.InvalidNationalCode) as info:
        nc.validate(code)
    assert info.value.reason == reason


def test_persian_and_arabic_indic_digits_are_canonicalised() -> None:
    assert nc.validate("۰۴۹۹۳۷۰۸۹۹") == "0499370899"
    assert nc.validate("٠٤٩٩٣٧٠٨٩٩") == "0499370899"
    assert nc.check_digit("۰۴۹۹۳۷۰۸۹") == 9


@pytest.mark.parametrize("digit", "0123456789")
def test_every_repeated_digit_code_passes_the_checksum_but_is_rejected(digit: str) -> None:
    assert nc.check_digit(digit * 9) == int(digit)
    assert not nc.is_valid(digit * 10)


def test_unknown_prefix_is_rejected_and_synthetic_prefixes_only_on_request() -> None:
    code = nc.allocate("950", 123)  # 950 is a synthetic simulation prefix
    with pytest.raises(nc.InvalidNationalCode) as info:
        nc.validate(code)
    assert info.value.reason == "prefix"
    assert nc.validate(code, prefixes=all_prefixes()) == code


def test_is_valid_never_raises_on_odd_input() -> None:
    for odd in [None, 499370899, b"0499370899", ["0499370899"], "\u0000" * 10]:
        assert nc.is_valid(odd) is False


def test_allocate_refuses_impossible_serials() -> None:
    with pytest.raises(ValueError):
        nc.allocate("001", 0)
    with pytest.raises(ValueError):
        nc.allocate("001", 1_000_000)
    with pytest.raises(ValueError):
        nc.allocate("111", 111_111)  # would be 1111111111
    with pytest.raises(ValueError):
        nc.allocate("01", 5)


@given(st.sampled_from(sorted(all_prefixes())), st.integers(1, 999_999))
def test_allocated_codes_validate_and_keep_their_parts(prefix: str, serial: int) -> None:
    try:
        code = nc.allocate(prefix, serial)
    except ValueError:
        return  # only the repeated-digit codes
    assert nc.validate(code, prefixes=all_prefixes()) == code
    assert code[:3] == prefix and int(code[3:9]) == serial


@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_exactly_one_check_digit_is_right(code: str) -> None:
    candidates = [code[:9] + str(d) for d in range(10)]
    passing = [c for c in candidates if nc.check_digit(c[:9]) == int(c[9])]
    assert len(passing) == 1


@given(st.lists(st.integers(min_value=-5, max_value=10**10 + 5), min_size=1, max_size=50))
def test_valid_codes_agrees_with_validate_code_by_code(values: list[int]) -> None:
    import numpy as np

    prefixes = all_prefixes() | {"12"}  # a prefix of two digits matches no code
    some_valid = [int(nc.allocate(p, s)) for p, s in (("001", 1), ("999", 999_998))]
    codes = np.array([*values, *some_valid, 0, 1_111_111_111, 4_999_999_999], dtype=np.int64)
    expected = [nc.is_valid(f"{c:010d}", prefixes=prefixes) for c in codes.tolist()]
    assert nc.valid_codes(codes, prefixes).tolist() == expected
