"""Inheritance use cases: divide a case given as JSON (the contract's formats), or the
estate of a registered death, its heirs read from the register."""

from dataclasses import replace
from typing import Any

import orjson
from sqlalchemy.orm import Session

from sabt.inheritance import heirs
from sabt.inheritance.case import InvalidCase, parse_case
from sabt.inheritance.heirs import Resolution
from sabt.inheritance.law import Result, compute
from sabt.kit.errors import BadInput, SabtError
from sabt.registry.codes import parse_code


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


class InvalidCode(SabtError):
    status = 400


def certificate_tables(resolution: Resolution) -> list[tuple[str, Result]]:
    """The division tables a certificate states: one (`any`); or, for a death under the old
    regime (Art. 946 before its 1387 amendment) where land is divided otherwise, one for
    `movables` (with buildings and trees) and one for `land`."""
    case = parse_case(resolution.case)
    if case.regime != "pre_1387" or resolution.result.status == "refused":
        return [("any", resolution.result)]
    rest = compute(replace(case, asset_class="movables"))
    land = compute(replace(case, asset_class="land"))
    if rest.shares == land.shares and rest.state == land.state:
        return [("any", rest)]
    return [("movables", rest), ("land", land)]


def resolve(session: Session, raw_code: str) -> Resolution:
    """Heirs and shares of a registered death, read from the register."""
    try:
        code = parse_code(raw_code)
    except BadInput as exc:
        raise InvalidCode(exc.code, exc.message_fa, exc.message_en) from exc
    return heirs.resolve(session, code)
