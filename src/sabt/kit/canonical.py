"""Canonical JSON, the form every ledger entry is stored and hashed in.

Rule: UTF-8; object keys sorted (by code point); no insignificant whitespace; non-ASCII
characters written as themselves, not escaped; only strings, integers, booleans, null,
arrays and objects (no floats: dates and fractions are strings).
"""

from typing import Any

import orjson


def dumps(value: Any) -> bytes:
    """Canonical JSON bytes of `value`."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def loads(data: bytes | str) -> Any:
    return orjson.loads(data)
