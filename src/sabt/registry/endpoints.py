"""The register's HTTP endpoints (staff only; the API assembly adds the guard)."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from sqlalchemy.orm import Session

from sabt.registry import queries
from sabt.registry.schemas import PersonOut
from sabt.registry.validation import parse_code

router = APIRouter(prefix="/api/v1", tags=["register"])


def session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine) as s:
        yield s


CodePath = Annotated[str, Path(description="10-digit national code", examples=["0499370899"])]


@router.get("/persons/{national_code}", response_model=PersonOut)
def get_person(national_code: CodePath, db: Annotated[Session, Depends(session)]) -> PersonOut:
    """A person's record in the register (staff only)."""
    return PersonOut.of(queries.get_person(db, parse_code(national_code)))
