"""Documents over HTTP: the public keys, verification with no login (a page for people, JSON
for machines), the transparency log, and staff issuance and revocation."""

from functools import cache
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from sqlalchemy.orm import Session

from sabt.documents import keys, pades, qr, render, service
from sabt.documents.models import Document
from sabt.documents.schemas import DocumentIssueIn, RevokeIn, VerifyIn
from sabt.identity.endpoints import require
from sabt.identity.service import Caller
from sabt.kit.params import binary_response, index_query
from sabt.persian.digits import to_persian
from sabt.registry.endpoints import ledger_session, session

router = APIRouter(tags=["documents"])
Number = Annotated[str, Path(max_length=24, description="the document number")]


def signing_keys(request: Request) -> keys.SigningKeys:
    return _keys(request.app.state.settings.home)


@cache
def _keys(home: FilePath) -> keys.SigningKeys:
    return keys.load(home)


@router.get("/api/v1/documents/jwks.json")
def jwks(signing: Annotated[keys.SigningKeys, Depends(signing_keys)]) -> dict[str, Any]:
    """The public keys that sign documents and tree heads (never the identity keys)."""
    return dict(signing.public.as_dict())


@router.post("/api/v1/documents/verify")
def verify(
    body: VerifyIn,
    db: Annotated[Session, Depends(session)],
    signing: Annotated[keys.SigningKeys, Depends(signing_keys)],
) -> dict[str, Any]:
    """Verify a token (or the QR's URL): signature, facts hash, revocation. No login."""
    return service.verify_token(signing.public, qr.token_of(body.token), db).as_json()


@router.get("/verify", response_class=HTMLResponse, include_in_schema=False)
def verify_page(
    db: Annotated[Session, Depends(session)],
    signing: Annotated[keys.SigningKeys, Depends(signing_keys)],
    t: Annotated[str | None, Query(max_length=4000)] = None,
    n: Annotated[str | None, Query(max_length=24)] = None,
) -> HTMLResponse:
    """The page a QR opens: valid / revoked / invalid, the facts a verifier needs, national
    codes masked. With `n` (the printed short address) the register's status only."""
    if t:
        verdict = service.verify_token(signing.public, t, db)
    else:
        document = db.get(Document, n or "")
        verdict = service.status_of(document)
    page = render.verify_page(verdict, _masked)
    return HTMLResponse(page, status_code=200 if verdict.status != "invalid" else 400)


def _masked(code: str) -> str:
    return to_persian("******" + code[-4:])


def pdf_keys(request: Request) -> pades.PdfKeys:
    return pades.load(request.app.state.settings.home)


@router.get("/api/v1/documents/ca.pem", response_class=PlainTextResponse)
def ca_certificate(material: Annotated[pades.PdfKeys, Depends(pdf_keys)]) -> PlainTextResponse:
    """The CA certificate a PDF reader should trust to show the documents' signer as
    trusted (PEM)."""
    return PlainTextResponse(material.ca_pem.decode(), media_type="application/x-pem-file")


@router.post(
    "/api/v1/documents", status_code=201,
    responses={201: binary_response(
        "application/pdf", description="JSON, or the signed PDF with `Accept: application/pdf`"
    )},
)  # fmt: skip
def issue(
    body: DocumentIssueIn,
    caller: Annotated[Caller, Depends(require("documents:issue"))],
    db: Annotated[Session, Depends(ledger_session, scope="function")],
    signing: Annotated[keys.SigningKeys, Depends(signing_keys)],
    material: Annotated[pades.PdfKeys, Depends(pdf_keys)],
    request: Request,
) -> Any:
    """Issue a document (staff). The answer carries its token and verification address, or
    is the signed PDF itself when the request accepts `application/pdf`."""
    issued = service.issue(db, signing, body.kind, body.national_code, caller.actor,
                           body.marriage_id)  # fmt: skip
    base = request.app.state.settings.public_url
    d = issued.document
    if "application/pdf" in request.headers.get("accept", ""):
        pdf = service.printable(issued, base, material)
        headers = {"X-Document-Number": d.number,
                   "Content-Disposition": f'attachment; filename="{d.number}.pdf"'}  # fmt: skip
        return Response(pdf, status_code=201, media_type="application/pdf", headers=headers)
    return {"number": d.number, "kind": d.kind, "token": issued.token,
            "verify_url": f"{base}/verify?t={issued.token}",
            "leaf_index": d.leaf_index}  # fmt: skip


@router.post("/api/v1/documents/{number}/revoke")
def revoke(
    number: Number,
    body: RevokeIn,
    caller: Annotated[Caller, Depends(require("documents:revoke"))],
    db: Annotated[Session, Depends(ledger_session, scope="function")],
) -> dict[str, Any]:
    """Revoke a document with a reason (an authorised registrar); a leaf of the log."""
    document = service.end(db, number, "revoked", body.reason, caller.actor, body.replaced_by)
    return {"number": document.number, "status": document.status}


# --- the transparency log (RFC 6962 spirit) ------------------------------------------


@router.get("/api/v1/transparency/sth")
def sth(
    db: Annotated[Session, Depends(session)],
    signing: Annotated[keys.SigningKeys, Depends(signing_keys)],
) -> dict[str, Any]:
    """The signed tree head: size, time, root hash, and a JWS over them."""
    return service.tree_head(db, signing)


@router.get("/api/v1/transparency/proof/inclusion")
def inclusion(
    db: Annotated[Session, Depends(session)],
    leaf_index: Annotated[int, index_query("the leaf's index")],
    tree_size: Annotated[int, index_query("the tree's size", least=1)],
) -> dict[str, Any]:
    return service.inclusion(db, leaf_index, tree_size)


@router.get("/api/v1/transparency/proof/consistency")
def consistency(
    db: Annotated[Session, Depends(session)],
    first: Annotated[int, index_query("the older tree's size", least=1)],
    second: Annotated[int, index_query("the newer tree's size", least=1)],
) -> dict[str, Any]:
    return service.consistency(db, first, second)


@router.get("/api/v1/transparency/leaves")
def leaves(
    db: Annotated[Session, Depends(session)],
    start: Annotated[int, index_query("the first leaf")],
    end: Annotated[int, index_query("the leaf after the last")],
) -> list[dict[str, Any]]:
    return service.leaves(db, start, end)
