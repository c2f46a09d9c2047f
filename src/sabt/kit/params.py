"""The bounds of every number and instant the API takes, in one place.

Every id, page, count and index the API accepts (path, query or body) stops at `INT_MAX`,
PostgreSQL's `integer`, the type of every id column: a larger number cannot name anything
stored, and SQLite (64-bit) or PostgreSQL (32-bit) would refuse to bind it with a server
error. The OpenAPI states each bound (`maximum`), and `tests/api/test_bounds.py` walks the
OpenAPI to check that no integer parameter or body field is left without one.

Every instant and day a person or an organisation sends lies between `EARLIEST` and
`LATEST`: far enough apart for any event of the register (its oldest people were born in
the 1300s SH, 1920s), close enough that turning it into Tehran's civil date or adding a legal
period to it can never leave Python's calendar (years 1-9999).
"""

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import AfterValidator, AwareDatetime

INT_MAX = 2**31 - 1  # PostgreSQL `integer`
PAGE_MAX = 500  # rows in one page of a listing

EARLIEST = date(1800, 1, 1)
LATEST = date(2199, 12, 31)


def id_path(description: str) -> Any:
    """A row's id in a path: 1 … INT_MAX."""
    return Path(ge=1, le=INT_MAX, description=description)


def index_query(description: str, least: int = 0) -> Any:
    """A position or size in a query (a leaf index, a tree size): least … INT_MAX."""
    return Query(ge=least, le=INT_MAX, description=description)


Offset = Annotated[int, Query(ge=0, le=INT_MAX, description="rows to skip")]


def limit_query(most: int = PAGE_MAX) -> Any:
    return Query(ge=1, le=most, description="rows in the page")


def day_in_range(day: date) -> bool:
    return EARLIEST <= day <= LATEST


def instant_in_range(at: datetime) -> bool:
    """Compared as instants: the offset may be anything from -12:00 to +14:00."""
    return (
        datetime.combine(EARLIEST, datetime.min.time(), UTC)
        <= at
        < datetime.combine(LATEST, datetime.max.time(), UTC)
    )


RANGE_EN = f"a date between {EARLIEST.isoformat()} and {LATEST.isoformat()}"


def _instant(at: datetime) -> datetime:
    if not instant_in_range(at):
        raise ValueError(f"must be {RANGE_EN}")
    return at


def _day(day: date) -> date:
    if not day_in_range(day):
        raise ValueError(f"must be {RANGE_EN}")
    return day


Instant = Annotated[AwareDatetime, AfterValidator(_instant)]
Day = Annotated[date, AfterValidator(_day)]


def binary_response(*media_types: str, description: str = "Successful Response") -> dict[str, Any]:
    """An OpenAPI response of raw bytes (a PDF, a JPEG) with its schema stated, so that a
    generated client (openapi-python-client and its kind) types it as a file instead of
    dropping it."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {"description": description, "content": dict.fromkeys(media_types, binary)}
