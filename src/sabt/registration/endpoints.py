"""Registration over HTTP: notifications from hospitals, forensic medicine and consulates,
parents' declarations, notaries' marriages and divorces, and the registrar's back office
(reading records with every read logged, the queue, decisions, corrections)."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from sabt.identity import access_log
from sabt.identity.endpoints import require, write_session
from sabt.identity.service import Caller
from sabt.kit.errors import BadInput
from sabt.kit.params import Offset, binary_response, id_path, limit_query
from sabt.registration import (
    births,
    cases,
    corrections,
    death_revocations,
    deaths,
    late_births,
    marriages,
    notification_input,
    queue,
)
from sabt.registration.schemas import (
    BirthNotificationJSON,
    CorrectionIn,
    DeathNotificationJSON,
    DeathRevocationIn,
    Decision,
    Declaration,
    DivorceIn,
    FhirBundle,
    LateBirthIn,
    MarriageIn,
    Rejection,
    ReturnIn,
    WaiverIn,
)
from sabt.registry import queries
from sabt.registry.codes import parse_code
from sabt.registry.endpoints import ledger_session, session
from sabt.registry.schemas import PersonOut

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
    db: Annotated[Session, Depends(write_session, scope="function")],
) -> PersonOut:
    """A person's record in the register (staff with `persons:read`; the read is logged)."""
    person = queries.get_person(db, parse_code(national_code))
    access_log.log_access(db, caller, person.national_code, "person.read", purpose)
    return PersonOut.of(person)


# The notifications read their body raw (one endpoint, two encodings): these models are
# added to the OpenAPI's components by the app (`api.app`), and each body names them.
RAW_BODIES: tuple[type[BaseModel], ...] = (BirthNotificationJSON, DeathNotificationJSON, FhirBundle)


def _notification_body(json_model: type[BaseModel]) -> dict[str, Any]:
    def ref(model: type[BaseModel]) -> dict[str, str]:
        return {"$ref": f"#/components/schemas/{model.__name__}"}

    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": ref(json_model)},
                "application/fhir+json": {"schema": ref(FhirBundle)},
            },
        }
    }


@router.post(
    "/births/notifications",
    status_code=201,
    openapi_extra=_notification_body(BirthNotificationJSON),
)
async def notify_birth(
    request: Request,
    response: Response,
    caller: Annotated[Caller, Depends(require("births:notify"))],
    db: Annotated[Session, Depends(ledger_session, scope="function")],
) -> dict[str, Any]:
    """A hospital's birth notification: plain JSON or a FHIR R4B Bundle
    (`Content-Type: application/fhir+json`), as docs/contracts/birth-notification.md defines.
    201 the first time; a resend of the same notification id answers the first outcome
    with 200."""
    # The body is read raw: one endpoint takes two encodings, chosen by Content-Type.
    body, content_type = await request.body(), request.headers.get("content-type", "")
    notice = notification_input.read_birth(body, content_type)
    # the service blocks on the ledger lock: in a worker thread, never on the event loop (a
    # writer waiting there would stop the request holding the lock from committing)
    outcome = await run_in_threadpool(births.notify_birth, db, caller, notice)
    response.status_code = outcome.status_code
    return outcome.body


@router.post("/births/{case_id}/declaration")
def declare_birth(
    case_id: Annotated[int, id_path("the case id the notification returned")],
    body: Declaration,
    caller: Annotated[Caller, Depends(require("births:declare"))],
    db: Annotated[Session, Depends(ledger_session, scope="function")],
) -> dict[str, Any]:
    """A parent declares their newborn online (citizen token): confirms or changes the
    proposed first name. Clean and on time → registered with a national code at once;
    otherwise queued for a registrar with the flags and what would clear them."""
    return births.declare_birth(db, caller, case_id, body.first_name)


@router.post(
    "/deaths/notifications",
    status_code=201,
    openapi_extra=_notification_body(DeathNotificationJSON),
)
async def notify_death(
    request: Request,
    response: Response,
    caller: Annotated[Caller, Depends(require("deaths:notify"))],
    db: Annotated[Session, Depends(ledger_session, scope="function")],
) -> dict[str, Any]:
    """A death notification from a hospital, forensic medicine or (a death abroad) a
    consulate: plain JSON or a FHIR R4B Bundle. Clean and on time → registered at once;
    otherwise queued with flags. A resend answers the first outcome with 200."""
    body, content_type = await request.body(), request.headers.get("content-type", "")
    notice = notification_input.read_death(body, content_type)
    outcome = await run_in_threadpool(deaths.notify_death, db, caller, notice)
    response.status_code = outcome.status_code
    return outcome.body


# --- marriages and divorces ----------------------------------------------------------

MarriageId = Annotated[int, id_path("the marriage id")]


@router.post("/marriages", status_code=201)
def register_marriage(
    body: MarriageIn,
    caller: Annotated[Caller, Depends(require("marriages:register"))],
    db: Annotated[Session, Depends(ledger_session, scope="function")],
    response: Response,
) -> dict[str, Any]:
    """A marriage from a notary office (or a consulate). Refused with 409 and the article
    when the register shows an impediment: age, kinship or affinity, a woman not free, four
    wives, a further wife without a court's permission. A resend under the office's same
    `reference` answers the first outcome with 200."""
    new = marriages.NewMarriage(
        body.husband_national_code, body.wife_national_code, body.kind, body.married_at,
        body.term_end, body.court_permission, body.wife_permission, body.reference,
    )  # fmt: skip
    return _answer(response, marriages.register_marriage(db, caller, new))


def _answer(response: Response, outcome: dict[str, Any]) -> dict[str, Any]:
    if outcome["resent"]:
        response.status_code = 200
    return outcome


@router.post("/divorces", status_code=201)
def register_divorce(
    body: DivorceIn,
    caller: Annotated[Caller, Depends(require("divorces:register"))],
    db: Annotated[Session, Depends(ledger_session, scope="function")],
    response: Response,
) -> dict[str, Any]:
    """A divorce of a permanent marriage, on a court certificate; records the waiting
    period's end. A resend of the same divorce answers the first outcome with 200."""
    return _answer(response, marriages.register_divorce(
        db, caller, body.marriage_id, body.husband_national_code, body.wife_national_code,
        body.kind, body.divorced_at, body.court_certificate, body.no_waiting_period,
    ))  # fmt: skip


@router.post("/marriages/{marriage_id}/return", status_code=201)
def register_return(
    marriage_id: MarriageId,
    body: ReturnIn,
    caller: Annotated[Caller, Depends(require("divorces:register"))],
    db: Annotated[Session, Depends(ledger_session, scope="function")],
) -> dict[str, Any]:
    """A return (رجوع) in a revocable divorce's waiting period restores the marriage."""
    return marriages.register_return(db, caller, marriage_id, body.returned_at)


@router.post("/marriages/{marriage_id}/waiver", status_code=201)
def waive_term(
    marriage_id: MarriageId,
    body: WaiverIn,
    caller: Annotated[Caller, Depends(require("divorces:register"))],
    db: Annotated[Session, Depends(ledger_session, scope="function")],
) -> dict[str, Any]:
    """The rest of a temporary marriage's term is waived (بذل مدت): the marriage ends."""
    return marriages.waive_term(db, caller, marriage_id, body.waived_at)


# --- the back office -----------------------------------------------------------------

CaseId = Annotated[int, id_path("the case id")]
MAX_WAIT_DAYS = 100 * 366  # a century: no case waits longer, and the date stays in range


@router.get("/queue")
def list_queue(
    caller: Annotated[Caller, Depends(require("queue:read"))],
    db: Annotated[Session, Depends(session)],
    kind: Annotated[
        Literal["birth", "death", "correction", "death_revocation"] | None, Query()
    ] = None,
    flag: Annotated[str | None, Query(description="only cases with this flag")] = None,
    min_age_days: Annotated[
        int | None, Query(ge=0, le=MAX_WAIT_DAYS, description="waiting at least (days)")
    ] = None,
    assigned: Annotated[Literal["me", "none"] | None, Query()] = None,
    limit: Annotated[int, limit_query()] = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Queued cases of the caller's jurisdiction, oldest first."""
    if flag is not None and flag not in queue.FLAG_NAMES:
        raise BadInput(
            "unknown_flag",
            f"برچسب ناشناخته: {flag}",
            f"flag must be one of {sorted(queue.FLAG_NAMES)}",
        )
    return queue.list_queue(
        db, caller, kind=kind, flag=flag, min_age_days=min_age_days, assigned=assigned,
        limit=limit, offset=offset,
    )  # fmt: skip


@router.get("/queue/{case_id}")
def get_case(
    case_id: CaseId,
    caller: Annotated[Caller, Depends(require("queue:read"))],
    db: Annotated[Session, Depends(session)],
) -> dict[str, Any]:
    return queue.get_case(db, caller, case_id)


@router.get("/queue/{case_id}/history")
def case_history(
    case_id: CaseId,
    caller: Annotated[Caller, Depends(require("queue:read"))],
    db: Annotated[Session, Depends(session)],
) -> list[dict[str, Any]]:
    """Every ledger entry of the case, in order: who did what, when."""
    return queue.case_history(db, caller, case_id)


@router.get(
    "/queue/{case_id}/attachment",
    response_class=Response,
    responses={200: binary_response("application/pdf", "image/jpeg")},
)
def case_attachment(
    case_id: CaseId,
    caller: Annotated[Caller, Depends(require("queue:read"))],
    db: Annotated[Session, Depends(session)],
) -> Response:
    """The file a citizen attached to their request (PDF or JPEG), checked against the hash
    the case's ledger entry names."""
    found = queue.attachment(db, caller, case_id)
    return Response(found.content, media_type=found.content_type,
                    headers={"Content-Disposition": f'attachment; filename="case-{case_id}"',
                             "X-Content-SHA256": found.digest})  # fmt: skip


@router.post("/queue/{case_id}/assign")
def assign(
    case_id: CaseId,
    caller: Annotated[Caller, Depends(require("queue:act"))],
    db: Annotated[Session, Depends(ledger_session, scope="function")],
) -> dict[str, Any]:
    """Take the case: nobody else may act on it until it is released or decided."""
    return queue.assign(db, caller, case_id)


@router.post("/queue/{case_id}/release")
def release(
    case_id: CaseId,
    caller: Annotated[Caller, Depends(require("queue:act"))],
    db: Annotated[Session, Depends(ledger_session, scope="function")],
) -> dict[str, Any]:
    """Give the case back to the queue (its holder, or a senior for anyone's)."""
    return queue.release(db, caller, case_id)


@router.post("/queue/{case_id}/approve")
def approve(
    case_id: CaseId,
    body: Decision,
    caller: Annotated[Caller, Depends(require("queue:act"))],
    db: Annotated[Session, Depends(ledger_session, scope="function")],
) -> dict[str, Any]:
    """Approve: registers the birth or death, or applies the correction. Late registrations
    and corrections need a second, different senior (`awaiting_second_approval` first)."""
    return queue.approve(db, caller, case_id, body.note, body.first_name)


@router.post("/queue/{case_id}/reject")
def reject(
    case_id: CaseId,
    body: Rejection,
    caller: Annotated[Caller, Depends(require("queue:act"))],
    db: Annotated[Session, Depends(ledger_session, scope="function")],
) -> dict[str, Any]:
    return queue.reject(db, caller, case_id, body.reason)


@router.post("/corrections", status_code=201)
def file_correction(
    body: CorrectionIn,
    caller: Annotated[Caller, Depends(require("corrections:file"))],
    db: Annotated[Session, Depends(ledger_session, scope="function")],
) -> dict[str, Any]:
    """File a correction of a person's record; it waits for a different senior's approval."""
    return corrections.file(
        db, caller, body.national_code, body.field, body.new_value, body.legal_basis,
        body.document_ref,
    )  # fmt: skip


@router.post("/deaths/revocations", status_code=201)
def file_death_revocation(
    body: DeathRevocationIn,
    caller: Annotated[Caller, Depends(require("corrections:file"))],
    db: Annotated[Session, Depends(ledger_session, scope="function")],
) -> dict[str, Any]:
    """File the revocation of a wrongly registered death; it waits for a different senior's
    approval, which restores the person, reopens the marriages the death ended and revokes
    the documents and the inheritance certificate it caused."""
    return death_revocations.file(db, caller, body.national_code, body.reason, body.document_ref)


@router.post("/births/late-registrations", status_code=201)
def file_late_birth(
    body: LateBirthIn,
    caller: Annotated[Caller, Depends(require("births:file"))],
    db: Annotated[Session, Depends(ledger_session, scope="function")],
    response: Response,
) -> dict[str, Any]:
    """A registrar files a birth no hospital notified (a home birth, a child or adult never
    registered), with its legal basis. It waits in the office's queue: the filer counts as
    the first person, a different senior approves, and the approval registers it."""
    filing = late_births.Filing(
        body.first_name, body.last_name, body.father_name, body.sex,
        cases.parse_day(body.born_on), body.birth_county, body.mother_national_code,
        body.father_national_code, body.religion, body.school, body.legal_basis,
        body.document_ref,
    )  # fmt: skip
    outcome = late_births.file(db, caller, filing)
    response.status_code = outcome.status_code
    return outcome.body


@router.get("/persons/{national_code}/history")
def person_history(
    national_code: CodePath,
    purpose: Purpose,
    caller: Annotated[Caller, Depends(require("persons:read"))],
    db: Annotated[Session, Depends(write_session, scope="function")],
) -> list[dict[str, Any]]:
    """Every ledger entry about a person (their record and marriages), old values included
    (staff with `persons:read`; the read is logged)."""
    person = queries.get_person(db, parse_code(national_code))
    access_log.log_access(db, caller, person.national_code, "person.history", purpose)
    return queue.person_history(db, person.national_code)
