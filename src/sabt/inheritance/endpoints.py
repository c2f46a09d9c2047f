"""Inheritance over HTTP (contract: inheritance.md)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from sqlalchemy.orm import Session

from sabt.identity.operator import require_operator
from sabt.inheritance import service
from sabt.registry.endpoints import session

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


@router.get("/{national_code}", dependencies=[Depends(require_operator)])
def resolve(
    national_code: Annotated[str, Path(description="national code of a registered death")],
    db: Annotated[Session, Depends(session)],
) -> dict[str, Any]:
    """The case read from the register, its result, and what needs review (staff only)."""
    return service.resolve(db, national_code).as_json()
