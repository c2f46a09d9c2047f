"""The observatory's use cases: a year's indicators for the nation, a province or a county;
the population pyramid on any day; the published figures beside them; exports."""

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from sabt.kit import clock
from sabt.kit.errors import BadInput
from sabt.observatory import definitions, engine, formulas, published
from sabt.observatory.cells import Area
from sabt.observatory.snapshot import Snapshot, current
from sabt.persian import places
from sabt.persian.jalali import InvalidJalaliDate, format_fa, from_jalali, jalali_parts, year_span

INDICATOR_KEYS = tuple(definitions.INDICATORS)


@dataclass(frozen=True)
class Report:
    year: int
    area: Area
    first: date
    last: date
    through: date  # the last day counted: the year's last, or the register's reach
    mid: date
    snapshot: Snapshot
    values: dict[str, formulas.Value]
    months: dict[str, list[formulas.Value]]
    pyramid: dict[str, Any]

    @property
    def complete(self) -> bool:
        return self.through == self.last


def area_of(province: str | None = None, county: str | None = None) -> Area:
    """The area named by a province's ISO code and/or a county's code, checked."""
    iso = province.strip().upper() if province else None
    if iso is not None and iso not in places.provinces():
        raise BadInput(
            "unknown_province",
            f"استان «{province}» شناخته نیست؛ کد ISO استان را بدهید (مانند IR-07)",
            f"unknown province {province!r}: give its ISO 3166-2 code, e.g. IR-07",
        )
    if county is None:
        return Area("province", iso) if iso else Area("nation")
    found = places.counties().get(county.strip())
    if found is None:
        raise BadInput("unknown_county", f"شهرستان «{county}» شناخته نیست",
                       f"unknown county {county!r}: give its four-digit code")  # fmt: skip
    if iso is not None and found.province_iso != iso:
        raise BadInput(
            "county_not_in_province",
            f"شهرستان {found.name_fa} در استان {iso} نیست",
            f"county {county} is not in province {iso}",
        )
    return Area("county", found.code)


def reach(snapshot: Snapshot, today: date) -> date:
    """The last day the register's data cover: today, or its latest birth or death when
    that is earlier. A year is complete only when the data reach its last day: a register
    that ends in the middle of a year never shows that year as complete (its rates would be
    half of what they are)."""
    return min(today, snapshot.last_event or today)


def years_covered(snapshot: Snapshot) -> tuple[int, int]:
    """From the year of the register's earliest birth to the year its data reach."""
    running = jalali_parts(reach(snapshot, clock.today_tehran()))[0]
    if snapshot.first_year is None:
        raise BadInput("empty_register", "ثبت احوال هنوز کسی را ندارد", "the register is empty")
    return snapshot.first_year, running


def check_year(snapshot: Snapshot, year: int) -> None:
    first, last = years_covered(snapshot)
    if not first <= year <= last:
        raise BadInput(
            "year_outside_register",
            f"سال {year} در ثبت نیست: سال‌های {first} تا {last} را می‌توان خواست",
            f"year {year} is outside the register: it covers {first} to {last}",
        )


def parse_day(text: str) -> date:
    """A day given in Jalali (YYYY/MM/DD), or a clear error."""
    try:
        return from_jalali(text)
    except InvalidJalaliDate as exc:
        raise BadInput("bad_date", f"تاریخ «{text}» نادرست است (مانند ۱۴۰۳/۰۱/۰۱)",
                       f"bad Jalali date {text!r} (e.g. 1403/01/01)") from exc  # fmt: skip


def check_indicator(indicator: str | None) -> None:
    if indicator is not None and indicator not in INDICATOR_KEYS:
        raise BadInput(
            "unknown_indicator",
            f"شاخص «{indicator}» شناخته نیست؛ یکی از: {'، '.join(INDICATOR_KEYS)}",
            f"unknown indicator {indicator!r}: one of {', '.join(INDICATOR_KEYS)}",
        )


def report(db: Engine, home: Path, year: int, area: Area) -> Report:
    """A year's indicators from a snapshot of the register as it is now."""
    snapshot = current(db, home)
    check_year(snapshot, year)
    return compute(snapshot, year, area, clock.today_tehran())


@lru_cache(maxsize=256)
def compute(snapshot: Snapshot, year: int, area: Area, today: date) -> Report:
    """One year's figures for one area (a snapshot never changes, so they are kept)."""
    first, last = year_span(year)
    through = min(last, reach(snapshot, today))
    mid = first + (through - first) // 2
    exposure = ((through - first).days + 1) / ((last - first).days + 1)
    with engine.connect(snapshot) as conn:
        population = engine.population(conn, mid, area)
        cubes = formulas.Cubes(
            births=engine.births(conn, first, through, area),
            deaths=engine.deaths(conn, first, through, area),
            population=population,
            marriages=engine.marriages(conn, first, through, area),
            divorces=engine.divorces(conn, first, through, area),
        )
    return Report(year, area, first, last, through, mid, snapshot,
                  formulas.indicators(cubes, exposure), formulas.monthly(cubes),
                  formulas.pyramid(population))  # fmt: skip


def pyramid_on(db: Engine, home: Path, day: date, area: Area) -> dict[str, Any]:
    """The living population by 5-year age group and sex on any day the register covers."""
    snapshot = current(db, home)
    last = reach(snapshot, clock.today_tehran())
    if snapshot.first_birth is None or not snapshot.first_birth <= day <= last:
        raise BadInput(
            "day_outside_register",
            f"روز {format_fa(day)} در ثبت نیست (از نخستین ولادت ثبت‌شده تا {format_fa(last)})",
            f"{day} is outside the register (from its earliest birth to {last})",
        )
    with engine.connect(snapshot) as conn:
        return formulas.pyramid(engine.population(conn, day, area))


def as_json(r: Report, indicator: str | None = None, keep_all: bool = False) -> dict[str, Any]:
    """The report as published (small cells held back below the nation, unless `keep_all`)."""
    national = r.area.level == "nation"
    shown = formulas.publish(r.values, r.months, national, keep_all)
    out: dict[str, Any] = {
        "year": r.year,
        "province": _province_of(r.area),
        "county": r.area.code if r.area.level == "county" else None,
        "period": {
            "first": r.first.isoformat(),
            "last": r.last.isoformat(),
            "through": r.through.isoformat(),
            "complete": r.complete,
            "mid_year": r.mid.isoformat(),
        },
        "snapshot": {
            "ledger_seq": r.snapshot.ledger_seq,
            "built_at": r.snapshot.built_at.isoformat(),
        },
        "indicators": shown.indicators,
        "suppressed": shown.suppressed,
    }
    if indicator is not None:
        out["indicators"] = {indicator: shown.indicators[indicator]}
        out["suppressed"] = [s for s in shown.suppressed if s.split(".")[0] == indicator]
        out["definitions"] = {indicator: definitions.as_json(indicator)}
        return out
    out["monthly"] = shown.monthly
    out["pyramid"] = {"date": r.mid.isoformat(), **r.pyramid}
    out["definitions"] = {k: definitions.as_json(k) for k in INDICATOR_KEYS}
    return out


def _province_of(area: Area) -> str | None:
    if area.level == "province":
        return area.code
    if area.level == "county" and area.code:
        return places.counties()[area.code].province_iso
    return None


def tfr_series(db: Engine, home: Path, area: Area, years: int = 15) -> list[tuple[int, Any]]:
    """TFR of each of the last `years` complete years the register covers, as published."""
    snapshot = current(db, home)
    first, running = years_covered(snapshot)
    today = clock.today_tehran()
    out = []
    for year in range(max(first, running - years), running):
        r = compute(snapshot, year, area, today)
        shown = formulas.publish({"tfr": r.values["tfr"]}, {}, area.level == "nation", False)
        out.append((year, shown.indicators["tfr"]))
    return out


def published_beside(r: Report) -> list[dict[str, Any]]:
    """The official figures of the report's year and area (nation or province) beside the
    register's own, where both exist."""
    if r.area.level == "county":
        return []
    shown = formulas.publish(r.values, {}, r.area.level == "nation", False).indicators
    return [
        {"indicator": f.indicator, "register": shown.get(f.indicator), "published": f.value,
         "source": f.source, "url": f.url, "note": f.note}
        for f in published.for_area(r.area.code)
        if f.year == r.year
    ]  # fmt: skip
