"""Inheritance use cases: divide a case given as JSON (the contract's formats)."""

from typing import Any

import orjson

from sabt.inheritance.case import InvalidCase, parse_case
from sabt.inheritance.law import compute


def compute_case(obj: object) -> dict[str, Any]:
    """The result object of the contract for a case object; InvalidCase if it is not one."""
    return compute(parse_case(obj)).as_json()


def read_json(text: str | bytes) -> object:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise InvalidCase(
            "bad_json", f"JSON نامعتبر است: {exc}", f"the input is not valid JSON: {exc}"
        ) from exc


def compute_line(line: str | bytes) -> tuple[dict[str, Any], bool]:
    """One line of a batch: (result, True), or ({"id", "error"}, False) for a bad case."""
    obj: object = None
    try:
        obj = read_json(line)
        return compute_case(obj), True
    except InvalidCase as exc:
        case_id = obj.get("id") if isinstance(obj, dict) else None
        return {"id": case_id, "error": exc.as_json()}, False
