"""Inheritance over HTTP (contract: inheritance.md)."""

from typing import Any

from fastapi import APIRouter, Request

from sabt.inheritance import service

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
