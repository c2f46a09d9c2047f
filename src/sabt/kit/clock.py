"""The one clock of the application.

Everything that needs "now" (deadlines, OTP expiry, scheduled work, ledger times) calls
`now()`, so a test or the `SABT_NOW` setting can fix or move time for the whole process.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

TEHRAN = ZoneInfo("Asia/Tehran")


class Clock:
    """The system clock; `FixedClock` replaces it in tests."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock(Clock):
    """A clock that stays where it is put until moved."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("a fixed clock needs an aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._at += delta


_clock: Clock = Clock()


def set_clock(clock: Clock) -> Clock:
    """Install a clock for the whole process; returns the previous one."""
    global _clock
    previous, _clock = _clock, clock
    return previous


def now() -> datetime:
    """The current instant, aware, in UTC."""
    return _clock.now()


def today_tehran() -> date:
    """Today's civil date in Asia/Tehran."""
    return civil_date(now())


def civil_date(at: datetime) -> date:
    """The Asia/Tehran civil date of an instant (01:00 on 1 Farvardin is in the new year)."""
    return at.astimezone(TEHRAN).date()
