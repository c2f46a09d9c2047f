"""The bounds of every integer the API takes, in one place.

Every id, page, count and index the API accepts (path, query or body) stops at `INT_MAX`,
PostgreSQL's `integer`, the type of every id column: a larger number cannot name anything
stored, and SQLite (64-bit) or PostgreSQL (32-bit) would refuse to bind it with a server
error. The OpenAPI states each bound (`maximum`), and `tests/api/test_bounds.py` walks the
OpenAPI to check that no integer parameter or body field is left without one.
"""

from typing import Annotated, Any

from fastapi import Path, Query

INT_MAX = 2**31 - 1  # PostgreSQL `integer`
PAGE_MAX = 500  # rows in one page of a listing


def id_path(description: str) -> Any:
    """A row's id in a path: 1 … INT_MAX."""
    return Path(ge=1, le=INT_MAX, description=description)


def index_query(description: str, least: int = 0) -> Any:
    """A position or size in a query (a leaf index, a tree size): least … INT_MAX."""
    return Query(ge=least, le=INT_MAX, description=description)


Offset = Annotated[int, Query(ge=0, le=INT_MAX, description="rows to skip")]


def limit_query(most: int = PAGE_MAX) -> Any:
    return Query(ge=1, le=most, description="rows in the page")
