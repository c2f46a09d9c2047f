"""The exchange's API: the services agencies call (every call that names a person is a
POST with a JSON body: identifiers never travel in URLs, which end up in logs) and the
administrators' registration of agencies."""

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from sabt.exchange import service, verify
from sabt.exchange.schemas import AgencyIn, PersonCheckIn
from sabt.identity.endpoints import require, write_session
from sabt.identity.service import Caller

router = APIRouter(prefix="/api/v1/exchange", tags=["exchange"])


@router.post("/verify")
def verify_person(
    body: PersonCheckIn,
    caller: Annotated[Caller, Depends(require("exchange:call"))],
    db: Annotated[Session, Depends(write_session, scope="function")],
) -> dict[str, Any]:
    """Yes or no: `{"match", "transaction_id"}` (and `alive` for an agency granted life
    status). Which detail failed is never said; an unknown code, a hotlisted identity and a
    wrong detail answer alike. The citizen's access log row is committed before the answer
    leaves."""
    agency = service.agency_of(db, caller)
    return verify.verify(db, caller, agency, verify.claim_of(body), body.purpose)


@router.post("/agencies", status_code=201)
def add_agency(
    body: AgencyIn,
    caller: Annotated[Caller, Depends(require("identity:admin"))],
    db: Annotated[Session, Depends(write_session, scope="function")],
) -> dict[str, str]:
    """Register an agency (national administrators): its client authenticates with the keys
    given (`private_key_jwt` only) and is granted the services and attributes listed, under
    the legal basis given."""
    return service.add_agency(
        db, code=body.code, name_fa=body.name_fa, jwks=json.dumps(body.jwks),
        services=body.services, attributes=body.attributes, legal_basis=body.legal_basis,
        per_second=body.per_second, per_day=body.per_day, actor=caller.actor,
    ).as_json()  # fmt: skip
