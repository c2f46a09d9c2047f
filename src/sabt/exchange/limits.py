"""Each agency's rate limits: requests a second and people named a day (a batch or a list
of 10,000 codes counts each person). Over either, 429 with `Retry-After`.

The second's count is kept in the server process (a window per agency and second): several
server processes each allow the limit, so an operator running N sets it to 1/N of the
agency's share. The day's count is kept in the database (`exchange_daily_usage`), written
with the answers' access rows by the journal, and read again every few seconds, so every
process sees the others' use within that delay.
"""

import math
import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from sabt.exchange.models import DailyUsage
from sabt.exchange.service import Calling
from sabt.kit import clock
from sabt.kit.errors import TooManyRequests

REFRESH_SECONDS = 5.0


@dataclass
class _Window:
    second: int = -1
    count: int = 0


@dataclass
class _Day:
    day: date
    stored: int  # as last read from the database
    read_at: float
    since: int = 0  # taken by this process since that read


class Limiter:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._seconds: dict[str, _Window] = {}
        self._days: dict[str, _Day] = {}

    def take(self, agency: Calling, people: int = 1) -> None:
        """Count one request naming `people` people, or TooManyRequests (nothing counted)."""
        now = time.monotonic()
        today = clock.now().astimezone(UTC).date()
        day = self._day(agency.code, today, now)
        with self._lock:
            window = self._seconds.setdefault(agency.code, _Window())
            second = int(now)
            if window.second != second:
                window.second, window.count = second, 0
            if window.count + 1 > agency.per_second:
                raise _too_many("per_second", max(1, math.ceil(second + 1 - now)))
            if day.stored + day.since + people > agency.per_day:
                raise _too_many("per_day", _seconds_to_midnight())
            window.count += 1
            day.since += people

    def _day(self, agency: str, today: date, now: float) -> _Day:
        with self._lock:
            kept = self._days.get(agency)
            if kept is not None and kept.day == today and now - kept.read_at < REFRESH_SECONDS:
                return kept
        stored = self._stored(agency, today)  # outside the lock: a query
        with self._lock:
            fresh = _Day(today, stored, now)
            self._days[agency] = fresh
            return fresh

    def _stored(self, agency: str, today: date) -> int:
        with Session(self._engine) as session:
            found = session.scalar(
                select(DailyUsage.count).where(DailyUsage.agency == agency, DailyUsage.day == today)
            )
        return found or 0


def _seconds_to_midnight() -> int:
    now = clock.now().astimezone(UTC)
    midnight = datetime.combine(now.date(), datetime.min.time(), UTC).timestamp() + 86_400
    return max(1, math.ceil(midnight - now.timestamp()))


def _too_many(which: str, retry_after: int) -> TooManyRequests:
    if which == "per_second":
        fa, en = (
            "درخواست‌های این دستگاه در هر ثانیه از سقف گذشت",
            "over the agency's requests a second",
        )
    else:
        fa, en = "درخواست‌های امروز این دستگاه از سقف گذشت", "over the agency's daily limit"
    return TooManyRequests(
        f"rate_limited_{which}",
        f"{fa}؛ {retry_after} ثانیه بعد",
        f"{en}: retry in {retry_after} s",
        retry_after,
    )
