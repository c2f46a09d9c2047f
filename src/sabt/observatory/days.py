"""The calendar table the snapshot joins against: each Gregorian day with its Jalali year,
month and day, and the last day of the legal periods for registering a birth or a death
that happened on it. Pure: no I/O beyond the package's holiday data.

A join against this table gives every event its Jalali parts without Python touching rows:
there are some 40,000 days in a century, against millions of persons.
"""

from datetime import date, timedelta
from functools import cache

import jdatetime
import pyarrow as pa

from sabt.persian import holidays, jalali
from sabt.registration.rules import BIRTH_PERIOD_DAYS, DEATH_PERIOD_DAYS

SCHEMA = pa.schema(
    [
        ("day", pa.date32()),
        ("jy", pa.int16()),
        ("jm", pa.int8()),
        ("jmd", pa.int16()),  # month * 100 + day: compares like (month, day)
        ("birth_deadline", pa.date32()),
        ("death_deadline", pa.date32()),
    ]
)


@cache
def _holidays_known(jalali_year: int) -> bool:
    """Whether the year's official holidays can be worked out (the lunar ones are known from
    1304 to 1458)."""
    try:
        holidays.official_holidays(jalali_year)
    except ValueError:
        return False
    return True


def _deadline(day: date, jalali_year: int, days: int) -> date | None:
    """The legal period's last day, or None where the holidays are not known (a period
    may run into the next year)."""
    if not (_holidays_known(jalali_year) and _holidays_known(jalali_year + 1)):
        return None
    return jalali.deadline(day, days)


def table(first: date, last: date) -> pa.Table:
    """One row per day from `first` to `last`, both included."""
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    parts = [jdatetime.date.fromgregorian(date=d) for d in days]
    return pa.Table.from_pydict(
        {
            "day": days,
            "jy": [p.year for p in parts],
            "jm": [p.month for p in parts],
            "jmd": [p.month * 100 + p.day for p in parts],
            "birth_deadline": [
                _deadline(d, p.year, BIRTH_PERIOD_DAYS) for d, p in zip(days, parts, strict=True)
            ],
            "death_deadline": [
                _deadline(d, p.year, DEATH_PERIOD_DAYS) for d, p in zip(days, parts, strict=True)
            ],
        },
        schema=SCHEMA,
    )
