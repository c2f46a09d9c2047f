"""The 10-digit Iranian national code (کد ملی): check digit, validation, allocation.

Layout (facts.md §1.1): d1-d3 issuing office prefix, d4-d9 serial, d10 check digit.
    s = sum(d_i * (11 - i) for i in 1..9);  r = s mod 11
    valid  <=>  (r < 2 and d10 == r) or (r >= 2 and d10 == 11 - r)
The ten repeated-digit codes pass that rule, so they are rejected explicitly.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from sabt.persian.digits import to_ascii
from sabt.persian.places import published_prefixes

if TYPE_CHECKING:  # numpy is imported by the column functions only: the CLI starts faster
    import numpy as np
    import numpy.typing as npt


class InvalidNationalCode(ValueError):
    """A national code that is not valid; `reason` is a short machine-readable word."""

    def __init__(self, code: object, reason: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason


def check_digit(first9: str) -> int:
    """The check digit for nine digits (ASCII, Persian or Arabic-Indic)."""
    digits = to_ascii(first9)
    if len(digits) != 9 or not digits.isascii() or not digits.isdigit():
        raise ValueError(f"check_digit needs exactly 9 digits, got {first9!r}")
    return _check(digits)


def _check(digits: str) -> int:
    """Check digit of the first nine of `digits` (ASCII digits, already checked)."""
    d = digits.encode("ascii")
    # Weights 10..2 on the ASCII codes, less 48 ("0") times the sum of the weights (54).
    s = (
        d[0] * 10
        + d[1] * 9
        + d[2] * 8
        + d[3] * 7
        + d[4] * 6
        + d[5] * 5
        + d[6] * 4
        + d[7] * 3
        + d[8] * 2
    )
    r = (s - 48 * 54) % 11
    return r if r < 2 else 11 - r


def validate(code: object, *, prefixes: Collection[str] | None = None) -> str:
    """Return the canonical 10 ASCII digits of `code`, or raise InvalidNationalCode saying why.

    `prefixes` is the set of office prefixes to accept; by default the published ones
    (never the synthetic simulation prefixes). Pass the register's own prefix set to accept
    codes issued by offices known to that register.
    """
    if not isinstance(code, str):
        raise InvalidNationalCode(code, "type", "a national code must be text of 10 digits")
    if len(code) == 10 and code.isascii() and code.isdigit():  # canonical already: as is
        digits = code
    else:
        digits = to_ascii(code.strip())
    if digits and not (digits.isascii() and digits.isdigit()):
        raise InvalidNationalCode(
            code, "non_digit", f"{code!r} contains a character that is not a digit"
        )
    if len(digits) != 10:
        raise InvalidNationalCode(code, "length", f"{code!r} has {len(digits)} digits, not 10")
    if digits == digits[0] * 10:
        raise InvalidNationalCode(code, "repeated", f"{digits} repeats one digit")
    if digits[3:9] == "000000":
        raise InvalidNationalCode(code, "serial", f"{digits} has an all-zero serial")
    if _check(digits) != ord(digits[9]) - 48:
        raise InvalidNationalCode(code, "check_digit", f"{digits}: the check digit is wrong")
    allowed = published_prefixes() if prefixes is None else prefixes
    if digits[:3] not in allowed:
        raise InvalidNationalCode(
            code, "prefix", f"{digits}: office prefix {digits[:3]} is unknown"
        )
    return digits


def is_valid(code: object, *, prefixes: Collection[str] | None = None) -> bool:
    """True when `validate` would accept `code`; never raises."""
    try:
        validate(code, prefixes=prefixes)
    except (InvalidNationalCode, ValueError, TypeError):
        return False
    return True


def allocate(prefix: str, serial: int) -> str:
    """The national code of office `prefix` (3 digits) and `serial` (1..999999).

    Raises ValueError when that pair cannot make a valid code (serial 0 or out of range,
    or a repeated-digit code such as 1111111111).
    """
    if len(prefix) != 3 or not prefix.isascii() or not prefix.isdigit():
        raise ValueError(f"prefix must be 3 ASCII digits, got {prefix!r}")
    if not 1 <= serial <= 999_999:
        raise ValueError(f"serial must be in 1..999999, got {serial}")
    first9 = f"{prefix}{serial:06d}"
    code = first9 + str(check_digit(first9))
    if code == code[0] * 10:
        raise ValueError(f"{prefix}/{serial} makes the repeated-digit code {code}")
    return code


def check_digits(first9: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """`check_digit` of many codes at once, each given by its first nine digits as an
    integer."""
    import numpy as np

    s = np.zeros(len(first9), dtype=np.int64)
    rest = first9.copy()
    for weight in range(2, 11):  # the ninth digit has weight 2
        s += (rest % 10) * weight
        rest //= 10
    r = s % 11
    return np.where(r < 2, r, 11 - r)


def valid_codes(codes: npt.NDArray[np.int64], prefixes: Collection[str]) -> npt.NDArray[np.bool_]:
    """Which of `codes` (10-digit codes as integers) `validate` accepts with `prefixes`, all
    at once: the same rules, for a column of codes (a bulk import's chunk, say). Call
    `validate` on a code this rejects for the reason."""
    import numpy as np

    codes = np.asarray(codes, dtype=np.int64)
    first9 = codes // 10
    known_prefixes = sorted(int(p) for p in prefixes if len(p) == 3 and p.isascii() and p.isdigit())
    known = np.array(known_prefixes, np.int64)
    valid: npt.NDArray[np.bool_] = (
        (codes >= 0)
        & (codes < 10**10)
        & (codes % 1_111_111_111 != 0)  # one digit repeated (0 included)
        & (first9 % 1_000_000 != 0)  # an all-zero serial
        & (check_digits(first9) == codes % 10)
        & np.isin(codes // 10**7, known)
    )
    return valid
