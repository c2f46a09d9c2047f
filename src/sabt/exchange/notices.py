"""SMS on access: a citizen who asked for it gets a text when an agency's call names them,
sent after the call's access row is committed (one text per person per commit at most), on
its own thread so that no answer waits for the SMS gateway. The access log is the record: a
text lost to a crash or a gateway error is not retried."""

import logging
import queue
import threading
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from sabt.exchange.models import AccessNotice, Agency
from sabt.identity import hoda, sms
from sabt.kit.errors import SabtError

log = logging.getLogger(__name__)

SERVICE_OF_ACTION = {
    "exchange.verify": "احراز هویت",
    "exchange.ekyc": "دریافت مشخصات هویتی",
    "exchange.life-status": "استعلام وضعیت حیات",
    "exchange.verify-batch": "احراز هویت گروهی",
}


def subscribe(session: Session, national_code: str, on: bool, now: Any) -> None:
    found = session.get(AccessNotice, national_code)
    if on and found is None:
        session.add(AccessNotice(national_code=national_code, since=now))
    elif not on and found is not None:
        session.delete(found)


def subscribed(session: Session, national_code: str) -> bool:
    return session.get(AccessNotice, national_code) is not None


def text_of(agency_fa: str, action: str) -> str:
    what = SERVICE_OF_ACTION.get(action, "دسترسی به اطلاعات")
    return (f"ثبت احوال: «{agency_fa}» از اطلاعات هویتی شما استفاده کرد ({what})."
            " فهرست دسترسی‌ها در سامانهٔ سهیم.")  # fmt: skip


class Notifier:
    def __init__(self, engine: Engine, gateway: sms.Gateway) -> None:
        self._engine, self._gateway = engine, gateway
        self._queue: queue.SimpleQueue[list[dict[str, Any]] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def accessed(self, rows: list[dict[str, Any]]) -> None:
        """Committed access rows (the journal calls this after each commit)."""
        with self._start:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="exchange-sms",
                                                daemon=True)  # fmt: skip
                self._thread.start()
        self._queue.put(rows)

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        while (rows := self._queue.get()) is not None:
            try:
                self._send(rows)
            except (SabtError, OSError, RuntimeError) as exc:
                log.warning("access notices not sent: %s", type(exc).__name__)

    def _send(self, rows: Iterable[dict[str, Any]]) -> None:
        first: dict[str, dict[str, Any]] = {}
        for row in rows:
            first.setdefault(row["subject"], row)
        with Session(self._engine) as session:
            mobiles = _mobiles(session, list(first))
            names = _agency_names(session, {r["actor"] for r in first.values()})
        for code, mobile in mobiles.items():
            row = first[code]
            self._gateway.send(mobile, text_of(names.get(row["actor"], "یک دستگاه"), row["action"]))


def _mobiles(session: Session, codes: list[str]) -> dict[str, str]:
    """The verified mobiles of those of `codes` who asked for access notices."""
    asked: list[str] = []
    for start in range(0, len(codes), 1000):
        chunk = codes[start : start + 1000]
        asked += session.scalars(select(AccessNotice.national_code)
                                 .where(AccessNotice.national_code.in_(chunk)))  # fmt: skip
    return hoda.verified_mobiles(session, asked) if asked else {}


def _agency_names(session: Session, actors: set[str]) -> dict[str, str]:
    clients = [a.removeprefix("client:") for a in actors if a.startswith("client:")]
    rows = session.execute(select(Agency.client_id, Agency.name_fa).where(
        Agency.client_id.in_(clients)))  # fmt: skip
    return {f"client:{client_id}": name for client_id, name in rows}
