"""Group commit: no exchange answer leaves before its rows of the citizens' access log and
its evidence leaf are committed, and one writer commits the rows of every answer waiting at
that moment in one transaction, so a second's thousands of answers cost a few commits.

A request hands its rows to the journal and waits; the writer takes all that is queued (up
to a bound), appends the evidence leaves, inserts the access rows, commits, and only then
releases the waiting requests. A crash loses only rows whose answers never left. A failed
commit fails every request of its batch (503): none of them is answered.
"""

import logging
import queue
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from sabt.exchange import evidence
from sabt.exchange.models import DailyUsage
from sabt.identity import access_log
from sabt.kit import clock
from sabt.kit.errors import SabtError

log = logging.getLogger(__name__)
MAX_ROWS = 20_000  # access rows in one commit (a life-status call may bring 10,000)


class Unavailable(SabtError):
    status = 503


@dataclass
class _Pending:
    accesses: list[dict[str, Any]]
    transaction: evidence.Transaction
    named: int  # people the request named, for the agency's daily limit
    done: threading.Event = field(default_factory=threading.Event)
    failed: bool = False


class Journal:
    def __init__(
        self, engine: Engine, committed: Callable[[list[dict[str, Any]]], None] | None = None
    ) -> None:
        self._committed = committed  # told each commit's access rows (the SMS notices)
        self._writer = engine.execution_options(sabt_write=True)
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def commit(
        self, accesses: list[dict[str, Any]], transaction: evidence.Transaction, named: int
    ) -> None:
        """Return once `accesses`, `transaction`'s leaf and the agency's use of its daily
        limit are committed; Unavailable if the commit failed (then none of it was)."""
        pending = _Pending(accesses, transaction, named)
        self._ensure_started()
        self._queue.put(pending)
        pending.done.wait()
        if pending.failed:
            raise Unavailable(
                "journal_unavailable",
                "ثبت دسترسی ممکن نشد؛ پاسخی داده نشد. کمی بعد دوباره بفرستید",
                "the access could not be recorded, so it is not answered: retry shortly",
            )

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def _ensure_started(self) -> None:
        with self._start:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="exchange-journal",
                                                daemon=True)  # fmt: skip
                self._thread.start()

    def _run(self) -> None:
        while (batch := self._next_batch()) is not None:
            failed = False
            try:
                self._write(batch)
            except Exception as exc:  # each waiting request is told: 503
                log.error("exchange journal commit failed: %s", type(exc).__name__)
                failed = True
            for p in batch:
                p.failed = failed
                p.done.set()
            if not failed and self._committed is not None:
                self._committed([row for p in batch for row in p.accesses])

    def _next_batch(self) -> list[_Pending] | None:
        """The first waiting request (blocking) and every other already queued."""
        first = self._queue.get()
        if first is None:
            return None
        batch, rows = [first], len(first.accesses)
        while rows < MAX_ROWS:
            try:
                more = self._queue.get_nowait()
            except queue.Empty:
                break
            if more is None:  # closing: answer this batch, then stop
                self._queue.put(None)
                break
            batch.append(more)
            rows += len(more.accesses)
        return batch

    def _write(self, batch: list[_Pending]) -> None:
        with Session(self._writer) as session, session.begin():
            evidence.append(session, [p.transaction for p in batch])
            access_log.insert_many(session, [row for p in batch for row in p.accesses])
            used: Counter[str] = Counter()
            for p in batch:
                used[p.transaction.agency] += p.named
            add_usage(session, used)


def add_usage(session: Session, used: Counter[str]) -> None:
    """Add to each agency's count of the day (one upsert per agency and commit)."""
    day = clock.now().astimezone(UTC).date()
    dialect = session.get_bind().dialect.name
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for agency, n in used.items():
        statement = upsert(DailyUsage).values(agency=agency, day=day, count=n)
        session.execute(statement.on_conflict_do_update(
            index_elements=["agency", "day"], set_={"count": DailyUsage.count + n}
        ))  # fmt: skip
