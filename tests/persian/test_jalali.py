import csv
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sabt.persian import jalali
from sabt.persian.holidays import is_holiday, official_holidays

PAIRS = list(csv.DictReader((Path(__file__).parent / "data" / "jalali_pairs.csv").open()))


@pytest.mark.parametrize("row", PAIRS, ids=[r["gregorian"] for r in PAIRS])
def test_every_verified_pair(row: dict[str, str]) -> None:
    day = date.fromisoformat(row["gregorian"])
    assert jalali.to_jalali(day) == row["jalali"]
    assert jalali.from_jalali(row["jalali"]) == day
    assert jalali.weekday_fa(day) == row["weekday_fa"]


def test_parsing_accepts_persian_digits_and_dashes() -> None:
    assert jalali.from_jalali("۱۴۰۴/۱۱/۰۸") == jalali.from_jalali("1404-11-8")
    assert jalali.format_fa(jalali.from_jalali("1404/11/08")) == "۱۴۰۴/۱۱/۰۸"


@pytest.mark.parametrize(
    "text",
    [
        "1404/12/30",
        "1403/13/01",
        "1404/00/10",
        "1404/07/31",
        "14041108",
        "1404/1/1/1",
        "",
        "abc",
        "۱۴۰۴/۱۲/۳۰",
    ],
)
def test_impossible_or_malformed_dates_are_refused(text: str) -> None:
    with pytest.raises(jalali.InvalidJalaliDate):
        jalali.from_jalali(text)


def test_leap_esfand_30_of_1403_exists_but_not_of_1404() -> None:
    assert jalali.from_jalali("1403/12/30") == date(2025, 3, 20)


def test_age_on_counts_completed_jalali_years() -> None:
    birth = jalali.from_jalali("1380/05/10")
    assert jalali.age_on(birth, jalali.from_jalali("1404/05/09")) == 23
    assert jalali.age_on(birth, jalali.from_jalali("1404/05/10")) == 24
    leap_birth = jalali.from_jalali("1399/12/30")
    assert jalali.age_on(leap_birth, jalali.from_jalali("1400/12/29")) == 0
    assert jalali.age_on(leap_birth, jalali.from_jalali("1401/01/01")) == 1


@given(st.dates(min_value=date(1930, 1, 1), max_value=date(2090, 12, 31)))
def test_round_trip(day: date) -> None:
    assert jalali.from_jalali(jalali.to_jalali(day)) == day


def test_solar_holidays_and_fridays() -> None:
    assert is_holiday(jalali.from_jalali("1404/11/22"))  # Revolution Day
    assert is_holiday(date(2025, 3, 21))  # Nowruz 1404
    assert is_holiday(date(2025, 11, 21))  # a Friday
    assert not is_holiday(date(2025, 11, 22))  # a Saturday, no holiday


def test_announced_lunar_dates_override_the_estimate() -> None:
    by_key = {h.key: h for h in official_holidays(1404) if h.key in ("ashura", "tasua")}
    assert jalali.to_jalali(by_key["ashura"].day) == "1404/04/15"  # Umm al-Qura says 04/14
    assert not by_key["ashura"].estimated


def test_unconfirmed_lunar_dates_are_marked_estimated() -> None:
    lunar_1406 = [h for h in official_holidays(1406) if h.lunar]
    assert len(lunar_1406) >= 17 and all(h.estimated for h in lunar_1406)


@pytest.mark.parametrize("year", range(1402, 1407))
def test_holiday_tables_cover_1402_to_1406(year: int) -> None:
    days = official_holidays(year)
    assert sum(not h.lunar for h in days) == 10
    assert 16 <= sum(h.lunar for h in days) <= 19  # a lunar holiday can fall twice or not at all


def test_deadline_does_not_count_the_event_day() -> None:
    event = jalali.from_jalali("1404/08/01")  # a Thursday; +15 days = 1404/08/16, a Friday
    assert jalali.deadline(event, 15) == event + timedelta(days=16)


def test_deadline_chains_consecutive_holidays() -> None:
    # Birth on 1403/12/16: the 15th day is 1 Farvardin 1404 (Nowruz, and a Friday), then
    # Nowruz 2-4 run on, so the period ends on Tuesday 1404/01/05.
    event = jalali.from_jalali("1403/12/16")
    end = jalali.deadline(event, 15)
    assert jalali.to_jalali(end) == "1404/01/05"
    day = event + timedelta(days=15)
    while day < end:
        assert is_holiday(day)
        day += timedelta(days=1)
    assert not is_holiday(end)


def test_deadline_on_a_working_day_stays() -> None:
    event = jalali.from_jalali("1404/08/03")  # +10 days = 1404/08/13, a Tuesday
    assert jalali.deadline(event, 10) == jalali.from_jalali("1404/08/13")
