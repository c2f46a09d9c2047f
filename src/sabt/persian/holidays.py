"""Iran's official holidays: the fixed solar ones, and the lunar ones estimated from the
Hijri (Umm al-Qura) calendar with `hijridate`, overridden by officially announced dates.

Iran fixes lunar dates by moon sighting, which can differ by a day from Umm al-Qura, so an
estimated date is marked `estimated=True` until `data/holidays_announced.csv` confirms it.
Fridays are the weekly holiday.
"""

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources

import jdatetime
from hijridate import Gregorian, Hijri

FRIDAY = 4
_ANNOUNCED_WINDOW = timedelta(days=3)  # an announced date moves an estimate by a day or two


@dataclass(frozen=True, slots=True)
class Holiday:
    day: date
    key: str
    name_fa: str
    name_en: str
    lunar: bool
    estimated: bool


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("sabt.persian").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def _announced() -> dict[str, tuple[date, ...]]:
    out: dict[str, list[date]] = {}
    for row in _rows("holidays_announced.csv"):
        out.setdefault(row["key"], []).append(date.fromisoformat(row["gregorian"]))
    return {key: tuple(days) for key, days in out.items()}


def _year_span(jalali_year: int) -> tuple[date, date]:
    first: date = jdatetime.date(jalali_year, 1, 1).togregorian()
    after: date = jdatetime.date(jalali_year + 1, 1, 1).togregorian()
    return first, after - timedelta(days=1)


def _solar(jalali_year: int) -> list[Holiday]:
    out = []
    for row in _rows("holidays_solar.csv"):
        day: date = jdatetime.date(jalali_year, int(row["month"]), int(row["day"])).togregorian()
        out.append(Holiday(day, row["key"], row["name_fa"], row["name_en"], False, False))
    return out


def _hijri_to_date(year: int, month: int, day: int) -> date:
    if day == 0:  # the last day of the month
        day = Hijri(year, month, 1).month_length()
    return date(*Gregorian(*Hijri(year, month, day).to_gregorian().datetuple()).datetuple())


def _lunar(jalali_year: int) -> list[Holiday]:
    first, last = _year_span(jalali_year)
    hijri_years = range(
        Gregorian(first.year, first.month, first.day).to_hijri().year,
        Gregorian(last.year, last.month, last.day).to_hijri().year + 1,
    )
    out = []
    for row in _rows("holidays_lunar.csv"):
        for hy in hijri_years:
            estimate = _hijri_to_date(hy, int(row["hijri_month"]), int(row["hijri_day"]))
            day, estimated = _confirm(row["key"], estimate)
            if first <= day <= last:
                out.append(
                    Holiday(day, row["key"], row["name_fa"], row["name_en"], True, estimated)
                )
    return out


def _confirm(key: str, estimate: date) -> tuple[date, bool]:
    for announced in _announced().get(key, ()):
        if abs(announced - estimate) <= _ANNOUNCED_WINDOW:
            return announced, False
    return estimate, True


@cache
def official_holidays(jalali_year: int) -> tuple[Holiday, ...]:
    """The official holidays of a Jalali year, in date order.

    Lunar holidays need a year whose Hijri span `hijridate` covers (about 1303-1456 SH);
    outside it only the solar holidays are known and a ValueError says so.
    """
    try:
        lunar = _lunar(jalali_year)
    except OverflowError as exc:
        raise ValueError(f"lunar holidays of {jalali_year} are outside the Hijri table") from exc
    return tuple(sorted(_solar(jalali_year) + lunar, key=lambda h: (h.day, h.key)))


@cache
def _holiday_days(jalali_year: int) -> frozenset[date]:
    """Outside the Hijri table (before about 1303 SH, after about 1456) only the solar
    holidays are known: a deadline there may fall a day or two early, so an event declared
    in those days is called late and goes to a registrar, never silently on time."""
    try:
        return frozenset(h.day for h in official_holidays(jalali_year))
    except ValueError:
        return frozenset(h.day for h in _solar(jalali_year))


def is_holiday(day: date) -> bool:
    """Friday or an official holiday."""
    if day.weekday() == FRIDAY:
        return True
    jalali_year = jdatetime.date.fromgregorian(date=day).year
    return day in _holiday_days(jalali_year)
