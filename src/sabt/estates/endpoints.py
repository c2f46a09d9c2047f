"""The estates API for staff: the queue of estates a registrar settles, what they declare and
issue; the dispute board's objections and decisions."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request, Response
from sqlalchemy.orm import Session

from sabt.estates import objections, service
from sabt.estates.schemas import DecisionIn, DeclarationIn, EstateIssueIn
from sabt.identity.endpoints import require
from sabt.identity.service import Caller
from sabt.kit.params import Offset, binary_response, id_path, limit_query
from sabt.registry.endpoints import ledger_session, session

router = APIRouter(prefix="/api/v1/estates", tags=["estates"])

CodePath = Annotated[str, Path(description="the deceased's national code")]
ObjectionId = Annotated[int, id_path("the objection's number")]


@router.get("/queue")
def queue(
    caller: Annotated[Caller, Depends(require("queue:read"))],
    db: Annotated[Session, Depends(session)],
    limit: Annotated[int, limit_query(200)] = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Estates of the caller's jurisdiction waiting for a registrar, with the reasons."""
    return service.queue(db, caller, limit, offset)


@router.get("/objections")
def board_objections(
    caller: Annotated[Caller, Depends(require("estates:decide"))],
    db: Annotated[Session, Depends(session)],
    status: Literal["filed", "rejected", "correcting", "upheld"] = "filed",
    limit: Annotated[int, limit_query(200)] = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Objections before the caller, oldest first, a page at a time (as every listing): the
    first level of their province (the board), or both levels (the national
    administration)."""
    return objections.board_list(db, caller, status, limit, offset)


@router.get("/objections/{objection_id}")
def board_objection(
    objection_id: ObjectionId,
    caller: Annotated[Caller, Depends(require("estates:decide"))],
    db: Annotated[Session, Depends(session)],
) -> dict[str, Any]:
    """An objection with the register's data, the engine's derivation and the certificate."""
    return objections.board_view(db, caller, objection_id)


@router.get(
    "/objections/{objection_id}/attachments/{digest}",
    response_class=Response,
    responses={200: binary_response("application/pdf", "image/jpeg")},
)
def objection_attachment(
    objection_id: ObjectionId,
    digest: Annotated[str, Path(pattern="^[0-9a-f]{64}$")],
    caller: Annotated[Caller, Depends(require("estates:decide"))],
    db: Annotated[Session, Depends(session)],
) -> Response:
    """A document attached to the objection, checked against the hash in the ledger."""
    found = objections.attachment(db, caller, objection_id, digest)
    disposition = f'attachment; filename="{digest[:12]}"'
    return Response(
        found.content, media_type=found.content_type, headers={"Content-Disposition": disposition}
    )


@router.post("/objections/{objection_id}/decision")
def decide(
    objection_id: ObjectionId,
    body: DecisionIn,
    caller: Annotated[Caller, Depends(require("estates:decide"))],
    db: Annotated[Session, Depends(ledger_session, scope="function")],
) -> dict[str, Any]:
    """Reject (the objector may object to the decision within 20 days), or correct the
    register: each change is filed as a correction that a senior registrar approves, and the
    approval reissues the certificate."""
    changes = [c.model_dump() for c in body.corrections]
    return objections.decide(db, caller, objection_id, body.decision, body.note, changes)


@router.get("/{code}")
def estate(
    code: CodePath,
    caller: Annotated[Caller, Depends(require("queue:read"))],
    db: Annotated[Session, Depends(session)],
) -> dict[str, Any]:
    """An estate: its status and reasons, what was declared, and the division now."""
    return service.view(db, caller, code)


@router.post("/{code}/declarations")
def declare(
    code: CodePath,
    body: DeclarationIn,
    caller: Annotated[Caller, Depends(require("queue:act"))],
    db: Annotated[Session, Depends(ledger_session, scope="function")],
) -> dict[str, Any]:
    """Record a pregnancy at the time of death, missing heirs or a declared will."""
    return service.declare(db, caller, code, pregnancy=body.pregnancy_reference,
                           missing=body.missing, will=body.will_reference)  # fmt: skip


@router.post("/{code}/issue")
def issue(
    code: CodePath,
    body: EstateIssueIn,
    request: Request,
    caller: Annotated[Caller, Depends(require("queue:act"))],
    db: Annotated[Session, Depends(ledger_session, scope="function")],
) -> dict[str, Any]:
    """Issue a queued estate's certificate (provisional with the reserve shown when the law
    allows it); 409 with the reasons while it cannot be issued."""
    public_url = request.app.state.settings.public_url
    return service.issue(db, caller, code, public_url, body.review).as_json()
