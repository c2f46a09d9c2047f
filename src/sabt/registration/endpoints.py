"""The registrar's back office over HTTP: reading records (every read logged with its
purpose), the queue, decisions."""

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from sqlalchemy.orm import Session

from sabt.identity import service as identity
from sabt.identity.endpoints import require, write_session
from sabt.identity.service import Caller
from sabt.registration import notifications, service
from sabt.registration.schemas import BIRTH_EXAMPLE, Declaration
from sabt.registry import db as registry_db
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


def ledger_session(request: Request) -> Iterator[Session]:
    """One write transaction on the register (committed when the endpoint returns)."""
    with registry_db.write_session(request.app.state.engine) as s:
        yield s


NOTIFICATION_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "object"}, "example": BIRTH_EXAMPLE},
            "application/fhir+json": {"schema": {"type": "object"}},
        },
    }
}


@router.post("/births/notifications", status_code=201, openapi_extra=NOTIFICATION_BODY)
async def notify_birth(
    request: Request,
    response: Response,
    caller: Annotated[Caller, Depends(require("births:notify"))],
    db: Annotated[Session, Depends(ledger_session)],
) -> dict[str, Any]:
    """A hospital's birth notification: plain JSON or a FHIR R4B Bundle
    (`Content-Type: application/fhir+json`), as contracts/birth-notification.md defines.
    201 the first time; a resend of the same notification id answers the first outcome
    with 200."""
    # The body is read raw: one endpoint takes two encodings, chosen by Content-Type.
    notice = notifications.read_birth(await request.body(), request.headers.get("content-type", ""))
    outcome = service.notify_birth(db, caller, notice)
    response.status_code = outcome.status_code
    return outcome.body


@router.post("/births/{case_id}/declaration")
def declare_birth(
    case_id: Annotated[int, Path(ge=1, description="the case id the notification returned")],
    body: Declaration,
    caller: Annotated[Caller, Depends(require("births:declare"))],
    db: Annotated[Session, Depends(ledger_session)],
) -> dict[str, Any]:
    """A parent declares their newborn online (citizen token): confirms or changes the
    proposed first name. Clean and on time → registered with a national code at once;
    otherwise queued for a registrar with the flags and what would clear them."""
    return service.declare_birth(db, caller, case_id, body.first_name)
