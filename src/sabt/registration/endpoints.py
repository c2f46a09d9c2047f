"""The registrar's back office over HTTP: reading records (every read logged with its
purpose), the queue, decisions."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy.orm import Session

from sabt.identity import service as identity
from sabt.identity.endpoints import require, write_session
from sabt.identity.service import Caller
from sabt.registry import queries
from sabt.registry.schemas import PersonOut
from sabt.registry.validation import parse_code

router = APIRouter(prefix="/api/v1", tags=["back office"])

CodePath = Annotated[str, Path(description="10-digit national code", examples=["0499370899"])]
Purpose = Annotated[
    str,
    Query(
        min_length=3,
        max_length=300,
        description="why the record is read; shown to the citizen in their access log",
        examples=["پرونده تصحیح ۱۲۳"],
    ),
]


@router.get("/persons/{national_code}", response_model=PersonOut)
def get_person(
    national_code: CodePath,
    purpose: Purpose,
    caller: Annotated[Caller, Depends(require("persons:read"))],
    db: Annotated[Session, Depends(write_session)],
) -> PersonOut:
    """A person's record in the register (staff with `persons:read`; the read is logged)."""
    person = queries.get_person(db, parse_code(national_code))
    identity.log_access(db, caller, person.national_code, "person.read", purpose)
    return PersonOut.of(person)
