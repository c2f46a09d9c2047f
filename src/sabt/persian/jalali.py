"""Jalali (Solar Hijri) dates on top of `jdatetime` (33-year rule, agrees with the official
table for 1206-1477 SH; facts.md §6). No calendar arithmetic is written here by hand."""

import re
from datetime import date, timedelta

import jdatetime

from sabt.persian.digits import to_ascii, to_persian
from sabt.persian.holidays import is_holiday

WEEKDAYS_FA = ("دوشنبه", "سه‌شنبه", "چهارشنبه", "پنج‌شنبه", "جمعه", "شنبه", "یکشنبه")
"""Persian weekday names indexed like `date.weekday()` (Monday = 0)."""

MONTHS_FA = (
    "فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
    "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند",
)  # fmt: skip

_JALALI_TEXT = re.compile(r"^\s*(\d{4})\s*[/-]\s*(\d{1,2})\s*[/-]\s*(\d{1,2})\s*$")


class InvalidJalaliDate(ValueError):
    """A text that is not a Jalali date that exists."""


def to_jalali(day: date) -> str:
    """'1404/11/08' for a Gregorian date."""
    j = jdatetime.date.fromgregorian(date=day)
    return f"{j.year:04d}/{j.month:02d}/{j.day:02d}"


def jalali_parts(day: date) -> tuple[int, int, int]:
    """(year, month, day) in the Jalali calendar."""
    j = jdatetime.date.fromgregorian(date=day)
    return j.year, j.month, j.day


def from_jalali_parts(year: int, month: int, day: int) -> date:
    """The Gregorian date of a Jalali (year, month, day); InvalidJalaliDate if none."""
    try:
        result: date = jdatetime.date(year, month, day).togregorian()
    except (ValueError, TypeError) as exc:
        raise InvalidJalaliDate(f"{year:04d}/{month:02d}/{day:02d} is not a Jalali date") from exc
    return result


def from_jalali(text: str) -> date:
    """Parse '1404/11/08' (ASCII, Persian or Arabic-Indic digits; '/' or '-')."""
    if not isinstance(text, str):
        raise InvalidJalaliDate(f"{text!r} is not text")
    match = _JALALI_TEXT.match(to_ascii(text))
    if match is None:
        raise InvalidJalaliDate(f"{text!r} is not of the form YYYY/MM/DD")
    year, month, day = (int(g) for g in match.groups())
    return from_jalali_parts(year, month, day)


def format_fa(day: date) -> str:
    """'۱۴۰۴/۱۱/۰۸': the Jalali date in Persian digits."""
    return to_persian(to_jalali(day))


def weekday_fa(day: date) -> str:
    """The Persian name of the weekday."""
    return WEEKDAYS_FA[day.weekday()]


def nowruz(jalali_year: int) -> date:
    """1 Farvardin of a Jalali year, as a Gregorian date."""
    return from_jalali_parts(jalali_year, 1, 1)


def year_span(jalali_year: int) -> tuple[date, date]:
    """First and last Gregorian day of a Jalali year."""
    return nowruz(jalali_year), nowruz(jalali_year + 1) - timedelta(days=1)


def age_on(birth: date, day: date) -> int:
    """Completed Jalali years from `birth` to `day` (a birthday on 30 Esfand of a leap year
    is reached on 1 Farvardin in common years)."""
    if day < birth:
        raise ValueError("the day is before the birth")
    by, bm, bd = jalali_parts(birth)
    y, m, d = jalali_parts(day)
    return y - by - (1 if (m, d) < (bm, bd) else 0)


# The longest run of days off that can follow a period's last day: Nowruz's four days with a
# Friday and a lunar holiday beside them, with room to spare; `deadline` never moves further.
LONGEST_HOLIDAY_RUN = 14


def deadline(event_date: date, days: int) -> date:
    """The last day of a legal period of `days` days after an event.

    Civil Registration Act Art. 15 note and Art. 25: the event day is not counted, and an
    official holiday after the last day of the period is not counted either, so a period
    ending on a holiday (Fridays included) runs to the next working day; holidays in a row
    chain.
    """
    if days < 0:
        raise ValueError("a period cannot be negative")
    last = event_date + timedelta(days=days)
    run = 0
    while is_holiday(last) and run < LONGEST_HOLIDAY_RUN:
        last += timedelta(days=1)
        run += 1
    return last
