"""Batch verification: a file of up to 1,000,000 rows (CSV with a header, or JSON lines),
each the fields of one yes/no verification, answered as a file of the same rows with
`match` (and `alive`) or the row's own error. A bank reconciling its customers is the user.

The file is checked and rewritten as numbered JSON lines when it arrives (a bad row keeps
its error; a file over the limits, or with an unknown column, is refused whole), then a
worker answers it a chunk at a time. A chunk's answers are written to the result file and
synced, then its access rows and the job's offsets (input read, result written) are
committed together; a worker that stops anywhere leaves a job that the next one resumes
from that commit, cutting off any answers written after it, so each row is answered once.
The finished job is one leaf of the evidence log (the file's hash and the result's).
"""

import csv
import hashlib
import io
import json
import logging
import os
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, or_, select, update
from sqlalchemy.orm import Session

from sabt.exchange import evidence, journal, service, verify
from sabt.exchange.models import Agency, BatchJob
from sabt.exchange.schemas import PersonCheckIn
from sabt.identity import access_log, hoda
from sabt.identity.audit import now_utc
from sabt.identity.service import Caller
from sabt.kit import clock
from sabt.kit.errors import BadInput, Conflict, NotFound, SabtError, UnsupportedMedia
from sabt.registry.models import Person

MAX_ROWS = 1_000_000
MAX_BYTES = 256 * 2**20
CHUNK = 10_000
LEASE = timedelta(seconds=60)
FIELDS = ("national_code", "vid", "first_name", "last_name", "father_name", "birth_date",
          "booklet_serial")  # fmt: skip
FORMATS = {"text/csv": "csv", "application/x-ndjson": "jsonl", "application/jsonl": "jsonl",
           "application/x-jsonlines": "jsonl"}  # fmt: skip
ACTION = "exchange.verify-batch"
log = logging.getLogger(__name__)


class TooLarge(SabtError):
    status = 413


def folder(home: Path) -> Path:
    return home / "exchange" / "batches"


def format_of(content_type: str) -> str:
    found = FORMATS.get(content_type.split(";")[0].strip().lower())
    if found is None:
        raise UnsupportedMedia(
            "bad_batch_type",
            "پرونده باید CSV (text/csv) یا JSON Lines (application/x-ndjson) باشد",
            "send the file as text/csv or application/x-ndjson",
        )
    return found


def too_large() -> TooLarge:
    mb = MAX_BYTES // 2**20
    return TooLarge(
        "batch_too_large",
        f"پرونده بزرگ‌تر از سقف است: حداکثر {MAX_ROWS:,} سطر و {mb} مگابایت",
        f"the file is over the limit: at most {MAX_ROWS:,} rows and {mb} MB",
    )


@dataclass(frozen=True)
class Prepared:
    """An arrived file, checked and rewritten as numbered JSON lines."""

    id: str
    format: str
    columns: list[str]
    rows: int
    sha256: str


def prepare(home: Path, job_id: str, raw: Path, fmt: str) -> Prepared:
    """Check the file at `raw` and write its rows, one JSON line each, beside it; BadInput
    or TooLarge (and nothing kept) when the file as a whole is refused."""
    target = folder(home) / f"{job_id}.in.jsonl"
    try:
        digest = _sha256(raw)
        with raw.open("rb") as source, target.open("w", encoding="utf-8") as out:
            columns, rows = (_csv_rows if fmt == "csv" else _jsonl_rows)(source)
            count = 0
            for count, row in enumerate(rows, start=1):
                if count > MAX_ROWS:
                    raise too_large()
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        if count == 0:
            raise BadInput("empty_batch", "پرونده هیچ سطری ندارد", "the file has no rows")
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return Prepared(job_id, fmt, columns, count, digest)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _csv_rows(source: Any) -> tuple[list[str], Any]:
    text = io.TextIOWrapper(source, encoding="utf-8-sig", newline="", errors="strict")
    reader = csv.reader(text)
    try:
        header = [h.strip() for h in next(reader, [])]
    except (csv.Error, UnicodeDecodeError) as exc:
        raise _bad_header(str(exc)) from exc
    unknown = [h for h in header if h not in FIELDS]
    if (
        not header
        or unknown
        or len(set(header)) != len(header)
        or not ({"national_code", "vid"} & set(header))
    ):
        raise _bad_header(f"columns {header}")

    def rows() -> Any:
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except (csv.Error, UnicodeDecodeError) as exc:
                yield {"error": _row_error("bad_row", str(exc))}
                continue
            if len(values) != len(header):
                yield {"values": values, "error": _row_error("bad_row",
                                                             "wrong number of fields")}  # fmt: skip
            else:
                yield {"row": dict(zip(header, values, strict=True))}

    return header, rows()


def _jsonl_rows(source: Any) -> tuple[list[str], Any]:
    def rows() -> Any:
        for line in source:
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except (ValueError, UnicodeDecodeError):
                yield {"error": _row_error("bad_row", "not a JSON object")}
                continue
            if not isinstance(value, dict):
                yield {"error": _row_error("bad_row", "not a JSON object")}
            else:
                yield {"row": value}

    return list(FIELDS), rows()


def _bad_header(why: str) -> BadInput:
    return BadInput(
        "bad_batch_header",
        f"سطر نخست CSV باید نام ستون‌ها باشد: national_code یا vid و از میان {', '.join(FIELDS)}",
        f"the CSV's first line must name its columns, national_code or vid among"
        f" {', '.join(FIELDS)} ({why})",
    )


def _row_error(code: str, why: str) -> dict[str, str]:
    return {"code": code, "message_fa": "سطر خوانا نیست", "message_en": f"unreadable row: {why}"}


def submit(session: Session, caller: Caller, agency: service.Calling, purpose: str,
           prepared: Prepared) -> BatchJob:  # fmt: skip
    """Record the job (its rows count toward the agency's daily limit)."""
    job = BatchJob(
        id=prepared.id, agency=agency.code, actor=caller.actor, purpose=purpose,
        format=prepared.format, columns=json.dumps(prepared.columns),
        input_sha256=prepared.sha256, status="queued", rows=prepared.rows, rows_done=0,
        matched=0, errors=0, input_offset=0, result_offset=0, created_at=now_utc(),
        finished_at=None, lease_until=None,
    )  # fmt: skip
    session.add(job)
    journal.add_usage(session, Counter({agency.code: prepared.rows}))
    return job


def job_of(session: Session, agency: service.Calling, job_id: str) -> BatchJob:
    job = session.get(BatchJob, job_id)
    if job is None or job.agency != agency.code:
        raise NotFound("no_batch", "چنین دسته‌ای برای این دستگاه نیست",
                       "this agency has no batch with that id")  # fmt: skip
    return job


def progress(job: BatchJob) -> dict[str, Any]:
    return {"id": job.id, "status": job.status, "rows": job.rows, "rows_done": job.rows_done,
            "matched": job.matched, "errors": job.errors, "format": job.format,
            "created_at": _utc(job.created_at),
            "finished_at": _utc(job.finished_at) if job.finished_at else None}  # fmt: skip


def result_path(home: Path, job: BatchJob) -> Path:
    if job.status != "done":
        raise Conflict(
            "batch_not_done",
            "پاسخ این دسته هنوز آماده نیست",
            f"the batch is {job.status}: {job.rows_done} of {job.rows} rows",
        )
    return folder(home) / f"{job.id}.out.{job.format}"


def _utc(at: datetime) -> str:
    return at.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")


# --- the worker -----------------------------------------------------------------------


def claim(engine: Engine) -> str | None:
    """A job to work on, queued or left by a worker that stopped (its lease run out)."""
    now = _real_now()
    free = or_(BatchJob.lease_until.is_(None), BatchJob.lease_until < now)
    first = select(BatchJob.id).where(BatchJob.status != "done", free)
    with Session(engine) as session:  # a read first: an idle worker takes no write lock
        if session.scalar(first.limit(1)) is None:
            return None
    with Session(engine.execution_options(sabt_write=True)) as session, session.begin():
        found = session.scalar(first.order_by(BatchJob.created_at).limit(1))
        if found is None:
            return None
        taken = session.execute(
            update(BatchJob).where(BatchJob.id == found, free)
            .values(status="running", lease_until=now + LEASE)
        )  # fmt: skip
        return found if taken.rowcount else None  # type: ignore[attr-defined]


def work(engine: Engine, home: Path, job_id: str, chunk: int = CHUNK) -> bool:
    """Answer the job's next chunk; whether rows remain."""
    with Session(engine.execution_options(sabt_write=True)) as session, session.begin():
        job = session.get_one(BatchJob, job_id, with_for_update=True)
        if job.status == "done":
            return False
        agency = service.calling_of(session, session.get_one(Agency, job.agency))
        lines, read_to = _next_lines(folder(home) / f"{job.id}.in.jsonl", job.input_offset, chunk)
        alive = "life-status" in agency.services
        answers, accesses = answer(session, job, lines, alive)
        result = folder(home) / f"{job.id}.out.{job.format}"
        header = job.result_offset == 0
        job.result_offset = _append(result, job.result_offset,
                                    _encode(job, answers, header, alive))  # fmt: skip
        access_log.insert_many(session, accesses)
        job.input_offset = read_to
        job.rows_done += len(lines)
        job.matched += sum(1 for a in answers if a.get("match") is True)
        job.errors += sum(1 for a in answers if "error" in a)
        job.lease_until = _real_now() + LEASE
        if not lines or job.rows_done >= job.rows:
            _finish(session, job, result)
            return False
        return True


def _next_lines(path: Path, offset: int, count: int) -> tuple[list[dict[str, Any]], int]:
    lines = []
    with path.open("rb") as f:
        f.seek(offset)
        for _ in range(count):
            line = f.readline()
            if not line:
                break
            lines.append(json.loads(line))
        return lines, f.tell()


Answers = tuple[list[dict[str, Any]], list[dict[str, object]]]


def answer(session: Session, job: BatchJob, lines: list[dict[str, Any]], alive: bool) -> Answers:
    """Each line's answer (its fields with `match`, and `alive` for an agency granted life
    status, or its `error`) and the access rows of the registered people it names."""
    claims: list[verify.Claim | dict[str, str]] = [_claim(session, line) for line in lines]
    codes = list({c.person.national_code for c in claims
                  if isinstance(c, verify.Claim) and c.person.national_code})  # fmt: skip
    people = {p.national_code: p for p in _people(session, codes)}
    hot = hoda.hotlisted_among(session, codes)
    answers, accesses = [], []
    for line, c in zip(lines, claims, strict=True):
        out = dict(line.get("row") or {})
        if not isinstance(c, verify.Claim):
            answers.append({**out, "_values": line.get("values"), "error": c})
            continue
        code = c.person.national_code
        person = people.get(code) if code else None
        why = verify.outcome(person, code in hot, c)
        out["match"] = why == "match"
        if alive:
            out["alive"] = why == "match" and person is not None and person.status == "alive"
        answers.append(out)
        if person is not None:
            accesses.append(access_log.row_of(job.actor, None, person.national_code, ACTION,
                                              job.purpose, why))  # fmt: skip
    return answers, accesses


def _claim(session: Session, line: dict[str, Any]) -> "verify.Claim | dict[str, str]":
    if "error" in line:
        return dict(line["error"])
    row = {k: v for k, v in line["row"].items() if v not in ("", None)}
    try:
        body = PersonCheckIn.model_validate({**row, "purpose": "batch"})
        return verify.claim_of(session, body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return {"code": "invalid_row", "message_fa": f"سطر نامعتبر: {where}",
                "message_en": f"invalid row: {where}: {first['msg']}"}  # fmt: skip
    except SabtError as exc:
        return exc.as_json()


def _people(session: Session, codes: list[str]) -> list[Person]:
    found: list[Person] = []
    for start in range(0, len(codes), 5000):
        chunk = codes[start : start + 5000]
        found.extend(session.scalars(select(Person).where(Person.national_code.in_(chunk))))
    return found


def _encode(job: BatchJob, answers: list[dict[str, Any]], header: bool, alive: bool) -> bytes:
    if job.format == "jsonl":
        lines = [json.dumps({k: v for k, v in a.items() if k != "_values"}, ensure_ascii=False)
                 for a in answers]  # fmt: skip
        return ("".join(line + "\n" for line in lines)).encode()
    columns = json.loads(job.columns)
    extra = ["match", "alive"] if alive else ["match"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if header:
        writer.writerow([*columns, "match", *extra[1:], "error", "error_fa", "error_en"])
    for a in answers:
        error = a.get("error") or {}
        values = [a.get(c, "") for c in columns]
        if a.get("_values") is not None:  # a row of the wrong width: its values, in the columns
            values = (list(a["_values"]) + [""] * len(columns))[: len(columns)]
        flags = ["" if a.get(k) is None else str(a[k]).lower() for k in extra]
        writer.writerow([*values, *flags, error.get("code", ""), error.get("message_fa", ""),
                         error.get("message_en", "")])  # fmt: skip
    return buffer.getvalue().encode()


def _append(path: Path, committed: int, data: bytes) -> int:
    """Write `data` after the last committed answer (cutting off any written after it by a
    worker that stopped before its commit), synced to disk; the new end."""
    with path.open("r+b" if path.exists() else "w+b") as f:
        f.truncate(committed)
        f.seek(committed)
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
        return f.tell()


def _finish(session: Session, job: BatchJob, result: Path) -> None:
    job.status, job.finished_at, job.lease_until = "done", now_utc(), None
    answer_hash = hashlib.sha256(result.read_bytes()).hexdigest() if result.exists() else ""
    request = {"file_sha256": job.input_sha256, "rows": job.rows, "format": job.format}
    told = {"result_sha256": answer_hash, "rows": job.rows_done, "matched": job.matched,
            "errors": job.errors}  # fmt: skip
    done = evidence.Transaction(job.id, job.agency, "verify-batch", job.purpose, request, told,
                                clock.now())  # fmt: skip
    evidence.append(session, [done])


def _real_now() -> datetime:
    """Leases run on the machine's clock (a worker's liveness), not the register's."""
    return datetime.now(UTC).replace(tzinfo=None)


class Worker:
    """The server's batch worker: a thread that answers jobs as they come (`kick`) and, every
    few seconds, looks for one another worker left (its lease run out)."""

    def __init__(self, engine: Engine, home: Path, idle_seconds: float = 5.0) -> None:
        self._engine, self._home, self._idle = engine, home, idle_seconds
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def kick(self) -> None:
        with self._start:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="exchange-batches",
                                                daemon=True)  # fmt: skip
                self._thread.start()
        self._wake.set()

    def close(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._wake.set()
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                job = claim(self._engine)
                while (
                    job is not None
                    and not self._stop.is_set()
                    and work(self._engine, self._home, job)
                ):
                    pass
            except Exception as exc:  # a database or disk error: the job resumes later
                log.error("batch worker: %s", type(exc).__name__)
                job = None
            if job is None:
                self._wake.wait(self._idle)
                self._wake.clear()


def run_all(engine: Engine, home: Path, chunk: int = CHUNK) -> int:
    """Answer every job waiting (`sabt exchange batches work`); how many were finished."""
    finished = 0
    while (job := claim(engine)) is not None:
        while work(engine, home, job, chunk):
            pass
        finished += 1
    return finished


def unfinished(engine: Engine) -> bool:
    with Session(engine) as session:
        waiting = select(BatchJob.id).where(BatchJob.status != "done").limit(1)
        return session.scalar(waiting) is not None
