"""The exchange's API: the services agencies call (every call that names a person is a
POST with a JSON body: identifiers never travel in URLs, which end up in logs), their
receipts and the evidence log's signed heads, and the administrators' registration of
agencies.

Every answer that names a person leaves only after its access-log rows and its evidence
leaf are committed (exchange.journal); a request refused (4xx) writes nothing."""

import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from sabt.documents import keys
from sabt.documents.endpoints import signing_keys
from sabt.exchange import (
    batches,
    ekyc,
    evidence,
    journal,
    life,
    limits,
    notices,
    people,
    service,
    verify,
)
from sabt.exchange.schemas import AgencyIn, EkycIn, LifeStatusIn, PersonCheckIn
from sabt.identity import hoda, sms
from sabt.identity.endpoints import require, write_session
from sabt.identity.service import Caller
from sabt.kit import clock
from sabt.kit.errors import BadInput
from sabt.kit.params import index_query
from sabt.registry.endpoints import session

router = APIRouter(prefix="/api/v1/exchange", tags=["exchange"])
_TRANSACTION = re.compile(r"^[0-9a-f]{32}$")
_RUNTIME_LOCK = threading.Lock()


@dataclass
class Runtime:
    """What the exchange keeps for the server's life: the journal's writer, the rate
    limiter, the SMS notifier and the key of agencies' pseudonyms."""

    journal: journal.Journal
    limiter: limits.Limiter
    notifier: notices.Notifier
    worker: batches.Worker
    token_key: bytes

    def answer(self, db: Session, agency: service.Calling, name: str, body: BaseModel,
               answered: people.Answered, named: int) -> dict[str, Any]:  # fmt: skip
        """The answer, once its access rows and evidence leaf are committed."""
        db.rollback()  # the request's reads are done: hold no snapshot while waiting
        request = body.model_dump(exclude_unset=True)
        purpose = str(request.get("purpose", ""))
        done = evidence.Transaction(answered.answer["transaction_id"], agency.code, name,
                                    purpose, request, answered.answer, clock.now())  # fmt: skip
        self.journal.commit(answered.accesses, done, named)
        return answered.answer


def runtime_of(app: FastAPI) -> Runtime:
    state = app.state
    with _RUNTIME_LOCK:
        if getattr(state, "exchange", None) is None:
            engine, settings = state.engine, state.settings
            notifier = notices.Notifier(engine, sms.gateway(settings))
            state.exchange = Runtime(
                journal.Journal(engine, committed=notifier.accessed), limits.Limiter(engine),
                notifier, batches.Worker(engine, settings.home),
                hoda.instance_key(settings.home, "agency-token.key"),
            )  # fmt: skip
        found: Runtime = state.exchange
        return found


def runtime(request: Request) -> Runtime:
    return runtime_of(request.app)


def start(app: FastAPI) -> None:
    """At the server's start: resume the batch jobs a stopped server left unfinished."""
    if batches.unfinished(app.state.engine):
        runtime_of(app).worker.kick()


def close(app: FastAPI) -> None:
    """Stop the journal's writer (after its last commit), the notifier and the worker."""
    found: Runtime | None = getattr(app.state, "exchange", None)
    if found is not None:
        found.worker.close()
        found.journal.close()
        found.notifier.close()
        app.state.exchange = None


Agent = Annotated[Caller, Depends(require("exchange:call"))]
Db = Annotated[Session, Depends(session)]
Live = Annotated[Runtime, Depends(runtime)]


@router.post("/verify")
def verify_person(body: PersonCheckIn, caller: Agent, db: Db, rt: Live) -> dict[str, Any]:
    """Yes or no: `{"match", "transaction_id"}` (and `alive` for an agency granted life
    status), for a national code or a VID. Which detail failed is never said; an unknown
    code, a revoked VID, a hotlisted identity and a wrong detail answer alike."""
    agency = service.agency_of(db, caller)
    rt.limiter.take(agency)
    answered = verify.verify(db, caller, agency, verify.claim_of(db, body), body.purpose)
    return rt.answer(db, agency, "verify", body, answered, 1)


@router.post("/life-status")
def life_status(body: LifeStatusIn, caller: Agent, db: Db, rt: Live) -> dict[str, Any]:
    """Alive or deceased (with the date of death), for `national_code` or up to 10,000
    `national_codes`: `{"transaction_id", "results": [{"national_code", "status"}…]}`, status
    `alive`, `deceased` or `unknown`; a malformed code in a list gets its own `error`."""
    agency = service.agency_of(db, caller)
    codes = life.codes_of(body)
    rt.limiter.take(agency, len(codes))
    answered = life.life_status(db, caller, agency, codes, body.purpose)
    return rt.answer(db, agency, "life-status", body, answered, len(codes))


@router.post("/ekyc")
def ekyc_person(body: EkycIn, caller: Agent, db: Db, rt: Live) -> dict[str, Any]:
    """The attributes the agency is granted, with its own pseudonym for the person
    (`agency_token`): with the citizen's HODA token (`hoda_token`, issued to the agency's
    relying party), or for an agency granted eKYC by law, a `national_code` or `vid` and a
    `case_reference`. A citizen's eKYC lock answers `locked` with no attribute."""
    agency = service.agency_of(db, caller)
    rt.limiter.take(agency)
    answered = ekyc.ekyc(db, caller, agency, body, rt.token_key)
    return rt.answer(db, agency, "ekyc", body, answered, 1)


@router.post("/verify/batches", status_code=202)
async def submit_batch(
    request: Request, caller: Agent,
    purpose: Annotated[str, Query(min_length=3, max_length=300, description="shown to citizens")],
) -> dict[str, Any]:  # fmt: skip
    """A batch of verifications: the body a CSV file (`text/csv`, a header naming its
    columns among national_code, vid, first_name, last_name, father_name, birth_date,
    booklet_serial) or JSON lines (`application/x-ndjson`), up to 1,000,000 rows. Answers
    202 with the job; `GET …/batches/{id}` its progress, `…/{id}/result` the answered file."""
    rt, fmt = runtime_of(request.app), batches.format_of(request.headers.get("content-type", ""))
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > batches.MAX_BYTES:
        raise batches.too_large()
    agency = await run_in_threadpool(_batch_agency, request.app, caller)
    job_id = people.transaction_id()
    raw = batches.folder(request.app.state.settings.home) / f"{job_id}.upload"
    raw.parent.mkdir(parents=True, exist_ok=True)
    try:
        await _receive(request, raw)
        return await run_in_threadpool(_submit, request.app, rt, caller, agency, purpose, fmt,
                                       job_id, raw)  # fmt: skip
    finally:
        raw.unlink(missing_ok=True)


def _batch_agency(app: FastAPI, caller: Caller) -> service.Calling:
    with Session(app.state.engine) as db:
        agency = service.agency_of(db, caller)
        service.require_service(agency, "verify")
        return agency


async def _receive(request: Request, path: FilePath) -> None:
    size = 0
    with path.open("wb") as out:
        async for chunk in request.stream():
            size += len(chunk)
            if size > batches.MAX_BYTES:
                raise batches.too_large()
            out.write(chunk)


def _submit(
    app: FastAPI, rt: Runtime, caller: Caller, agency: service.Calling, purpose: str, fmt: str,
    job_id: str, raw: FilePath,
) -> dict[str, Any]:  # fmt: skip
    home = app.state.settings.home
    prepared = batches.prepare(home, job_id, raw, fmt)
    try:
        rt.limiter.take(agency, prepared.rows)
        with Session(app.state.engine.execution_options(sabt_write=True)) as db, db.begin():
            job = batches.submit(db, caller, agency, " ".join(purpose.split()), prepared)
            answer = batches.progress(job)
    except BaseException:
        (batches.folder(home) / f"{job_id}.in.jsonl").unlink(missing_ok=True)
        raise
    rt.worker.kick()
    return answer


@router.get("/verify/batches/{batch_id}")
def batch_progress(batch_id: Annotated[str, Path(max_length=64)], caller: Agent,
                   db: Db) -> dict[str, Any]:  # fmt: skip
    """A batch's progress: `status` (queued, running, done), `rows`, `rows_done`,
    `matched`, `errors`."""
    return batches.progress(batches.job_of(db, service.agency_of(db, caller), batch_id))


@router.get("/verify/batches/{batch_id}/result")
def batch_result(request: Request, batch_id: Annotated[str, Path(max_length=64)],
                 caller: Agent, db: Db) -> FileResponse:  # fmt: skip
    """The answered file (once the batch is done): the same rows, each with `match` (and
    `alive`) or its error; CSV or JSON lines as the file sent."""
    job = batches.job_of(db, service.agency_of(db, caller), batch_id)
    path = batches.result_path(request.app.state.settings.home, job)
    kind = "text/csv; charset=utf-8" if job.format == "csv" else "application/x-ndjson"
    return FileResponse(path, media_type=kind, filename=f"verified-{job.id}.{job.format}")


@router.get("/receipts/{transaction_id}")
def receipt(
    transaction_id: Annotated[str, Path(max_length=64)], caller: Agent, db: Db,
    signing: Annotated[keys.SigningKeys, Depends(signing_keys)],
) -> dict[str, Any]:  # fmt: skip
    """A signed receipt of one of the agency's own transactions: the leaf (the hashes of
    its request and answer, agency, service, purpose, time), its inclusion proof and the
    signed tree head. `sabt exchange receipt verify FILE` checks it offline."""
    agency = service.agency_of(db, caller)
    if not _TRANSACTION.match(transaction_id):
        raise BadInput("bad_transaction_id", "شناسهٔ تراکنش نامعتبر است",
                       "a transaction id is 32 hexadecimal digits")  # fmt: skip
    return evidence.receipt(db, signing, agency.code, transaction_id)


@router.get("/evidence/sth")
def tree_head(
    db: Db, signing: Annotated[keys.SigningKeys, Depends(signing_keys)]
) -> dict[str, Any]:
    """The evidence log's signed tree head (published: anyone may keep them and later ask
    for a consistency proof)."""
    return evidence.tree_head(db, signing)


@router.get("/evidence/consistency")
def consistency(
    db: Db,
    first: Annotated[int, index_query("the older tree's size", least=1)],
    second: Annotated[int, index_query("the newer tree's size", least=1)],
) -> dict[str, Any]:
    """RFC 9162 consistency proof: the log of `first` leaves is a prefix of that of
    `second` (nothing was changed or removed in between)."""
    return evidence.consistency(db, first, second)


@router.post("/agencies", status_code=201)
def add_agency(
    body: AgencyIn,
    caller: Annotated[Caller, Depends(require("identity:admin"))],
    db: Annotated[Session, Depends(write_session, scope="function")],
) -> dict[str, str]:
    """Register an agency (national administrators): its client authenticates with the keys
    given (`private_key_jwt` only) and is granted the services and attributes listed, under
    the legal basis given; with its HODA relying party, for eKYC by consent."""
    return service.add_agency(
        db, code=body.code, name_fa=body.name_fa, jwks=json.dumps(body.jwks),
        services=body.services, attributes=body.attributes, legal_basis=body.legal_basis,
        per_second=body.per_second, per_day=body.per_day, actor=caller.actor,
        relying_party=body.relying_party,
    ).as_json()  # fmt: skip
