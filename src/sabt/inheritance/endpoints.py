"""Inheritance over HTTP (contract: inheritance.md)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy.orm import Session

from sabt.identity import access_log
from sabt.identity.endpoints import require, write_session
from sabt.identity.service import Caller
from sabt.inheritance import service
from sabt.registry.codes import parse_code

router = APIRouter(prefix="/api/v1/inheritance", tags=["inheritance"])

EXAMPLE_CASE = {
    "id": "x1",
    "deceased_sex": "male",
    "deceased": {"muslim": True, "date_of_death": "1403/05/12"},
    "heirs": [
        {"id": "h1", "relation": "spouse", "sex": "female"},
        {"id": "h3", "relation": "son", "sex": "male"},
        {"id": "s2", "relation": "son", "sex": "male", "deceased": True},
        {"id": "g1", "relation": "grandson", "sex": "male", "via": "s2"},
    ],
}


@router.post(
    "/compute",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "object"}, "example": EXAMPLE_CASE}
            },
        }
    },
)
async def compute(request: Request) -> dict[str, Any]:
    """Heirs and shares of a case, with the derivation (400 for an invalid case)."""
    # The body is read here rather than as a Pydantic model: the contract wants unknown keys
    # ignored and every defect reported as one 400 error object, not FastAPI's 422 list.
    return service.compute_case(service.read_json(await request.body()))


@router.get("/{national_code}")
def resolve(
    national_code: Annotated[str, Path(description="national code of a registered death")],
    purpose: Annotated[
        str, Query(min_length=3, max_length=300, description="why; logged for the family")
    ],
    caller: Annotated[Caller, Depends(require("persons:read"))],
    db: Annotated[Session, Depends(write_session, scope="function")],
) -> dict[str, Any]:
    """The case read from the register, its result, and what needs review (staff with
    `persons:read`; the read is logged against the deceased)."""
    resolution = service.resolve(db, national_code)
    subject = parse_code(national_code)  # valid: resolve has checked it
    access_log.log_access(db, caller, subject, "inheritance.read", purpose)
    return resolution.as_json()
