"""National codes as people type them, checked against the offices that issue them.

A module of its own, free of the database: `sabt person show` checks the code it is given
without importing SQLAlchemy (issue 29: the command starts in under half a second)."""

from collections.abc import Collection

from sabt.kit.errors import BadInput
from sabt.persian import national_code, places


def check_code(code: str, prefixes: Collection[str], what: str = "national code") -> str:
    try:
        return national_code.validate(code, prefixes=prefixes)
    except national_code.InvalidNationalCode as exc:
        raise BadInput(
            "invalid_national_code", f"کد ملی نامعتبر است: {code}", f"{what}: {exc}"
        ) from exc


def parse_code(code: str) -> str:
    """A national code typed by a person (ASCII, Persian or Arabic-Indic digits), checked
    against every office prefix the platform knows (published and simulation ones)."""
    return check_code(code, places.all_prefixes())
