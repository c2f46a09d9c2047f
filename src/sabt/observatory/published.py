"""The official figures NOCR and the Statistical Centre of Iran published (package data,
`data/vital_stats.csv`, every row with its source), matched to the observatory's indicators
so the dashboard can show them beside the register's own."""

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

from sabt.persian import places

# The CSV's indicators that are the observatory's, for a full Jalali year.
_INDICATORS = {
    "births_registered": "births",
    "deaths_registered": "deaths",
    "marriages_registered": "marriages",
    "divorces_registered": "divorces",
    "total_fertility_rate": "tfr",
    "sex_ratio_at_birth": "srb",
    "crude_birth_rate": "cbr",
    "crude_death_rate": "cdr",
    "mean_age_mother_first_birth": "mean_age_mother_first_birth",
}
_SPELLINGS = {"Kohgiluyeh and Boyer-Ahmad": "IR-17"}  # the CSV's and provinces.csv's differ


@dataclass(frozen=True, slots=True)
class Figure:
    year: int
    province: str | None  # None for the whole country
    indicator: str
    value: float
    source: str
    url: str
    note: str


def _province(geography: str) -> str | None:
    if geography == "Iran":
        return None
    if geography in _SPELLINGS:
        return _SPELLINGS[geography]
    return next(p.iso for p in places.provinces().values() if p.name_en == geography)


@cache
def figures() -> tuple[Figure, ...]:
    text = resources.files("sabt.observatory").joinpath("data", "vital_stats.csv")
    rows = csv.DictReader(text.read_text(encoding="utf-8").splitlines())
    return tuple(
        Figure(int(r["year_jalali"]), _province(r["geography"]), _INDICATORS[r["indicator"]],
               float(r["value"]), r["source_name"], r["source_url"], r["note"])
        for r in rows
        # a row whose year the source leaves ambiguous ("1398 or 1399") is not shown
        if r["indicator"] in _INDICATORS and r["scope"] == "full year"
        and r["year_jalali"].isdigit()
    )  # fmt: skip


def for_area(province: str | None) -> list[Figure]:
    """The published figures of the country (None) or of one province, by year."""
    return sorted((f for f in figures() if f.province == province),
                  key=lambda f: (f.year, f.indicator))  # fmt: skip
